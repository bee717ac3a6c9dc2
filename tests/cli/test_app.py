"""The application as a whole: store selection, errors, exit codes, help, entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import custmodel
from custmodel import (
    CustomerBook,
    InvalidCategoryError,
    InvalidInputError,
    MergeRefusedError,
    NotEligibleError,
    StoreError,
)
from custmodel.cli import app, exit_code
from custmodel.model import Eligibility
from tests.cli.conftest import CLEAN_ENV, CONSOLE_SCRIPT, Cli, one_line, run_installed


def invoke(*args: str, env: Mapping[str, str | None] | None = None) -> Any:
    """Run the command line in-process without --db."""
    return CliRunner().invoke(app, list(args), env={**CLEAN_ENV, **(env or {})})


def test_without_db_or_variable_the_store_is_custmodel_sqlite_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default store is ./custmodel.sqlite, created and migrated on first use."""
    monkeypatch.chdir(tmp_path)
    assert 0 == invoke("customer", "register", "private", "Müller").exit_code
    assert 1 == Cli("sqlite:///custmodel.sqlite").json("customer select --count")["count"]


def test_the_environment_variable_names_the_store(tmp_path: Path) -> None:
    """CUSTMODEL_DATABASE_URL is used when --db is not given."""
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    invoke("customer", "register", "private", "Müller", env={"CUSTMODEL_DATABASE_URL": url})
    assert 1 == Cli(url).json("customer select --count")["count"]


def test_db_wins_over_the_environment_variable(tmp_path: Path) -> None:
    """--db names the store even when the variable names another one."""
    chosen, other = (f"sqlite:///{tmp_path / name}" for name in ("db.sqlite", "env.sqlite"))
    env = {"CUSTMODEL_DATABASE_URL": other}
    assert 0 == invoke("--db", chosen, "customer", "register", "private", "X", env=env).exit_code
    assert (1, False) == (
        Cli(chosen).json("customer select --count")["count"],
        (tmp_path / "env.sqlite").exists(),
    )


def test_an_unknown_store_scheme_is_a_usage_error_without_the_password() -> None:
    """A URL no store understands exits with 2 in one line that names the scheme only."""
    result = Cli("ftp://anna:geheim@host/x")("customer select")
    line = one_line(result.stderr)
    assert (2, True, False) == (result.exit_code, "'ftp'" in line, "geheim" in line)


def test_a_database_that_cannot_be_opened_exits_with_1(tmp_path: Path) -> None:
    """A SQLite file in a directory that does not exist is a store error: exit 1, one line."""
    result = Cli(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}")("customer select")
    assert (1, True) == (result.exit_code, one_line(result.stderr).startswith("error: "))


def test_errors_have_no_traceback_unless_debug(cli: Cli) -> None:
    """Without --debug an error is one line; with it the traceback comes first."""
    plain = cli("customer show 99")
    debug = cli.runner.invoke(app, ["--debug", "--db", cli.url, "customer", "show", "99"])
    assert ("error: customer 99 not found", True) == (
        one_line(plain.stderr),
        debug.stderr.startswith("Traceback"),
    )
    assert "error: customer 99 not found" == debug.stderr.strip().splitlines()[-1]


def test_an_unexpected_error_shows_only_its_type(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error custmodel did not expect exits with 1 and never shows its message."""

    def broken(_book: CustomerBook, _number: int) -> None:
        raise RuntimeError("Müller, Jürgen")

    monkeypatch.setattr(CustomerBook, "get", broken)
    result = cli("customer show 1")
    assert (1, "error: unexpected RuntimeError (run with --debug for the traceback)") == (
        result.exit_code,
        one_line(result.stderr),
    )


@pytest.mark.parametrize(
    "args",
    [
        ("customer", "register", "private", "Anna", "Müller"),
        ("customer", "show", "Müller"),
        ("customer", "register", "Müller", "private"),
        ("Müller",),
    ],
    ids=["extra argument", "not a number", "not a kind", "not a command"],
)
def test_usage_errors_leave_out_what_was_typed(cli: Cli, args: tuple[str, ...]) -> None:
    """A usage error is one line with exit code 2 and never repeats a typed value."""
    result = cli(*args)
    line = one_line(result.stderr)
    assert (2, False, True) == (result.exit_code, "Müller" in line, line.startswith("error: "))


def test_a_misspelt_option_is_named(cli: Cli) -> None:
    """An unknown option in the shape of an option name is shown, so the user sees the typo."""
    result = cli("customer", "select", "--kidn", "private")
    line = one_line(result.stderr)
    assert (2, True, False) == (result.exit_code, "--kidn" in line, "private" in line)


#: Typed values that Click and Typer show escaped (repr) or that look like an option.
ESCAPED_VALUES = {
    "backslash": "Mxyz\\ptlk",
    "tab": "Mxyz\tptlk",
    "newline": "Mxyz\nptlk",
    "both quotes": "Mxyz'\"ptlk",
    "control character": "Mxyz\x07ptlk",
    "lone surrogate": "Mxyz\udcffptlk",
    "leading dash": "-Mxyzptlk",
    "leading dashes and a backslash": "--Mxyz\\\\ptlk",
}


@pytest.mark.parametrize("value", ESCAPED_VALUES.values(), ids=ESCAPED_VALUES.keys())
@pytest.mark.parametrize(
    "template",
    [
        ("customer", "register", "{}", "private"),
        ("customer", "select", "--kind", "{}"),
        ("customer", "select", "--kind={}"),
        ("stats", "--by", "{}"),
        ("customer", "show", "1", "{}"),
        ("{}",),
        ("import", "customers", "{}.csv"),
    ],
    ids=["not a kind", "not a kind option", "attached option", "not a dimension",
         "extra argument", "not a command", "no such file"],
)  # fmt: skip
def test_usage_errors_leave_out_typed_values_however_escaped(
    cli: Cli, template: tuple[str, ...], value: str
) -> None:
    """A typed value with a backslash, tab or other escaped character never shows."""
    result = cli("", *(part.format(value) for part in template))

    line = one_line(result.stderr)
    assert (2, False, False) == (result.exit_code, "Mxyz" in line[1:], "ptlk" in line)


def test_a_usage_error_points_to_the_commands_help(cli: Cli) -> None:
    """The error line names the help of the command that was run."""
    assert "(see 'custmodel customer show --help')" in cli("customer show").stderr


def test_version_prints_the_version() -> None:
    """--version prints custmodel's version."""
    assert f"custmodel {custmodel.__version__}" == invoke("--version").stdout.strip()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInputError("bad"), 2),
        (InvalidCategoryError("bad"), 2),
        (MergeRefusedError("no"), 1),
        (NotEligibleError(1, Eligibility(eligible=False)), 1),
        (StoreError("down"), 1),
    ],
)
def test_exit_codes_of_custmodel_errors(error: custmodel.CustmodelError, code: int) -> None:
    """Bad values exit with 2, refusals and failures with 1."""
    assert code == exit_code(error)


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, (*path, name))
    return found


@pytest.mark.parametrize(
    "path", _commands(typer.main.get_command(app)), ids=lambda p: " ".join(p) or "custmodel"
)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    """--help works on every command and group and shows an example."""
    result = invoke(*path, "--help")
    assert (0, True) == (result.exit_code, "Example: custmodel" in result.stdout)


def test_the_installed_console_script_runs_on_a_sqlite_file(tmp_path: Path) -> None:
    """The custmodel script next to the interpreter registers and selects on a SQLite file."""
    store = {"CUSTMODEL_DATABASE_URL": f"sqlite:///{tmp_path / 'script.sqlite'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_installed(*args, cwd=tmp_path, env=store)

    registered = run("customer", "register", "private", "Müller", "--json")
    selected = run("customer", "select", "--json")
    missing = run("customer", "show", "7")
    assert (0, 0, 1) == (registered.returncode, selected.returncode, missing.returncode)
    assert ["Müller"] == [c["last_name"] for c in json.loads(selected.stdout)]
    assert "error: customer 7 not found" == missing.stderr.strip()


def test_python_m_custmodel_runs_the_same_command_line() -> None:
    """python -m custmodel is the command line too."""
    result = subprocess.run(
        [sys.executable, "-m", "custmodel", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert f"custmodel {custmodel.__version__}" == result.stdout.strip()


#: Runs python -m custmodel with typer and rich made unimportable, as without the cli extra.
_WITHOUT_CLI = textwrap.dedent(
    """
    import importlib.abc, runpy, sys

    class NoCli(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("typer", "rich"):
                raise ImportError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoCli())
    import custmodel, custmodel.book, custmodel.storage.factory  # the core needs neither
    sys.argv = ["custmodel", "demo"]
    runpy.run_module("custmodel", run_name="__main__")
    """
)


def test_python_m_without_the_cli_extra_names_the_extra() -> None:
    """Without typer and rich, python -m custmodel prints one line naming the extra, exit 2."""
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_CLI], capture_output=True, text=True, timeout=60
    )
    assert (2, True) == (result.returncode, "custmodel[cli]" in one_line(result.stderr))


def test_the_core_does_not_import_the_command_line_libraries() -> None:
    """Importing custmodel and its book loads neither typer nor rich."""
    code = (
        "import sys, custmodel, custmodel.book, custmodel.serialization, custmodel.demo; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "[]" == result.stdout.strip()


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """Piped into a reader that stops early (| head), the command prints no error line."""
    url = f"sqlite:///{tmp_path / 'many.sqlite'}"
    with Cli(url).book() as book:
        book.register_many(
            custmodel.NewCustomer(custmodel.CustomerKind.PRIVATE, f"Kunde {n}") for n in range(800)
        )
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "--db", url, "export", "customers", "-", "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "error:" not in stderr
