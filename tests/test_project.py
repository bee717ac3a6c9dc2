"""Project-level promises: the README's commands, the CI script, the changelog."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """Return the shell commands of the README's quick start, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)\n```", quick_start, re.MULTILINE | re.DOTALL)


def test_readme_quick_start_has_exactly_two_commands() -> None:
    """The quick start is two commands: the demo, then the tests."""
    commands = readme_commands()
    assert 2 == len(commands)
    assert commands[0].endswith(".venv/bin/custmodel demo")
    assert commands[1].endswith("python -m pytest -n auto")


def test_readme_says_how_long_the_tests_take_and_what_skipped_server_tests_mean() -> None:
    """Before the test command, the quick start gives its run time and the server variables."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    before = text.split("## Quick start", 1)[1].split(readme_commands()[1], 1)[0]
    assert (True, True, True, True) == (
        bool(re.search(r"about \d+ minutes", before)),
        "CUSTMODEL_TEST_POSTGRES_URL" in before,
        "CUSTMODEL_TEST_MARIADB_URL" in before,
        "skipped" in before,
    )


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    """.ci/run ends with exactly the README's test command."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert readme_commands()[1] == script[-1]


def test_without_servers_the_skipped_server_tests_are_one_line_above_the_summary() -> None:
    """Run without the server variables, pytest counts the skipped PostgreSQL and MariaDB tests
    in one line naming the variables, instead of one line each, and the summary stays last."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CUSTMODEL_TEST_", "PYTEST_")) and k != "CI"
    }
    plugins = ["-p", "no:randomly", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "tests/sql/test_settings_rows.py"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    naming = [line for line in lines if "CUSTMODEL_TEST_POSTGRES_URL" in line]
    assert (0, 1) == (result.returncode, len(naming)), result.stdout
    assert re.fullmatch(r"=+ \d+ passed, 4 skipped in .*=+", lines[-1]), lines[-1]
    assert lines[-2] == (
        "SKIPPED 4 database server tests: 2 PostgreSQL (set CUSTMODEL_TEST_POSTGRES_URL), "
        "2 MariaDB (set CUSTMODEL_TEST_MARIADB_URL); see tests/servers.py (.ci/run sets both)"
    )


def test_changelog_has_an_unreleased_section() -> None:
    """CHANGELOG.md keeps user-visible changes under [Unreleased]."""
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


#: The installed console script, next to the interpreter running the tests.
CONSOLE_SCRIPT = Path(sys.executable).parent / "custmodel"


def run_demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `custmodel` console script with ``args`` in ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k != "CUSTMODEL_DATABASE_URL"}
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
    )


def test_demo_runs_on_a_new_sqlite_file_by_default(tmp_path: Path) -> None:
    """`custmodel demo` plays the manuals' examples on custmodel-demo.sqlite."""
    result = run_demo(tmp_path, "demo")
    assert 0 == result.returncode, result.stderr
    assert "customer 300 has debtor account 10300" in result.stdout
    assert "Search 'Test' finds 8 records 'Test, Testine'" in result.stdout
    assert "active 'Test, Testine' records: 1" in result.stdout
    assert "played on sqlite:///custmodel-demo.sqlite" in result.stdout
    assert (tmp_path / "custmodel-demo.sqlite").exists()


def test_demo_starts_afresh_on_every_run(tmp_path: Path) -> None:
    """A second demo run tells the same story: the database is made new."""
    first, second = run_demo(tmp_path, "demo"), run_demo(tmp_path, "demo")
    assert (0, first.stdout) == (second.returncode, second.stdout)


def test_demo_plays_on_the_store_named_by_db(tmp_path: Path) -> None:
    """`custmodel --db memory:// demo` plays the demo in memory and writes no file."""
    result = run_demo(tmp_path, "--db", "memory://", "demo")
    assert (0, []) == (result.returncode, list(tmp_path.iterdir()))
    assert "customer 300 has debtor account 10300" in result.stdout


def test_demo_reports_a_bad_store_url_in_one_line(tmp_path: Path) -> None:
    """An unknown URL scheme is a usage error: exit code 2 and one line naming it."""
    result = run_demo(tmp_path, "--db", "ftp://example", "demo")
    assert (2, 1) == (result.returncode, len(result.stderr.strip().splitlines()))
    assert "ftp" in result.stderr


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    """`custmodel nonsense` exits with 2 and points to the help."""
    result = run_demo(tmp_path, "nonsense")
    assert 2 == result.returncode
    assert "(see 'custmodel --help')" in result.stderr


def test_domain_and_rules_never_import_sqlalchemy() -> None:
    """Importing the domain, rules, facade and memory store loads no SQLAlchemy."""
    code = (
        "import sys, custmodel, custmodel.rules, custmodel.book, custmodel.storage.memory, "
        "custmodel.serialization, custmodel.demo; "
        "print(any(m.split('.')[0] == 'sqlalchemy' for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "False" == result.stdout.strip()


def test_open_store_is_part_of_the_top_level_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """`custmodel.open_store()` without a URL or variable gives the in-memory store."""
    import custmodel

    monkeypatch.delenv("CUSTMODEL_DATABASE_URL", raising=False)
    assert isinstance(custmodel.open_store(), custmodel.MemoryStore)


def test_demo_hints_call_the_script_by_its_path_when_not_on_path(tmp_path: Path) -> None:
    """Run by its path (as the quick start does), the demo's hints use that path."""
    env = {k: v for k, v in os.environ.items() if k != "CUSTMODEL_DATABASE_URL"}
    env["PATH"] = str(tmp_path)  # the script's directory is not on PATH
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "demo"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert 0 == result.returncode, result.stderr
    assert f"  {CONSOLE_SCRIPT} customer select --kind private" in result.stdout


def test_the_record_linkage_peers_stay_in_the_bench_extra() -> None:
    """splink, recordlinkage, Faker and pandas serve the comparison benchmark only: neither the
    library's dependencies nor an extra other than ``bench`` (and ``dev``, which takes all) name
    them."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    peers = re.compile(r"^(splink|recordlinkage|faker|pandas)\b", re.IGNORECASE)
    extras = project["optional-dependencies"]
    assert [] == [d for d in project["dependencies"] if peers.match(d)]
    assert {"bench"} == {
        name for name, wanted in extras.items() if any(peers.match(d) for d in wanted)
    }
    assert "bench" in re.sub(r"[\[\],\s]", " ", " ".join(extras["dev"])).split()
