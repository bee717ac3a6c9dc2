"""The shell examples of docs/**/*.md run as written.

Every line of a ```sh block is a command. The lines of one page run in order in one bash
session (so ``export`` and ``cd`` carry over) in a new temporary directory, with the directory
of the running interpreter first on ``PATH`` (``custmodel`` is the installed console script)
and ``CUSTMODEL_DATABASE_URL`` unset. A line must exit with 0, unless it ends with the comment
``# exit 1`` or ``# exit 2``, which states the code it must exit with. Lines starting with
``pip install`` or ``python3 -m venv`` install something and are not run; every extra they
name must exist in pyproject.toml. Sample output goes into ```text blocks, which are not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md"))
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXPECTED = re.compile(r"#\s*exit\s+(\d+)\s*$")
_INSTALLATION = ("pip install", "python3 -m venv")
_EXTRA = re.compile(r"(?:custmodel|\.)\[([^\]]+)\]")


def shell_lines(page: Path) -> list[str]:
    """Return the command lines of the page's ```sh blocks, in order."""
    lines = []
    for block in _BLOCK.findall(page.read_text(encoding="utf-8")):
        lines += [line.strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def expected_code(line: str) -> int:
    """The exit code a line states with a trailing ``# exit N`` comment, else 0."""
    found = _EXPECTED.search(line)
    return int(found.group(1)) if found else 0


def is_installation(line: str) -> bool:
    """True for lines that install custmodel: they are checked, not run."""
    return line.startswith(_INSTALLATION)


def _extras() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project["optional-dependencies"])


def _script(lines: list[str]) -> str:
    """One bash script that runs the lines in order and stops at the first wrong exit code."""
    parts = []
    for number, line in enumerate(lines, start=1):
        parts += [
            f"printf '%s\\n' {shlex.quote(f'$ {line}')}",
            line,
            "__status=$?",
            f'if [ "$__status" -ne {expected_code(line)} ]; then',
            f'  printf "line {number} exited with %s, expected {expected_code(line)}\\n" '
            '"$__status"',
            "  exit 99",
            "fi",
        ]
    return "\n".join(parts) + "\n"


SHELL_PAGES = [p for p in PAGES if any(not is_installation(line) for line in shell_lines(p))]


@pytest.mark.parametrize("page", SHELL_PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_shell_examples_run(page: Path, tmp_path: Path) -> None:
    """Every command line of the page exits with the code it states, in a fresh directory."""
    lines = [line for line in shell_lines(page) if not is_installation(line)]
    # pytest-xdist's workers export COLUMNS=80: the page's pipes show what a user's pipe shows.
    dropped = ("CUSTMODEL_DATABASE_URL", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", _script(lines)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )
    assert 0 == result.returncode, result.stdout[-6000:]


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if any(is_installation(line) for line in shell_lines(p))],
    ids=lambda p: str(p.relative_to(ROOT / "docs")),
)
def test_installation_lines_name_existing_extras(page: Path) -> None:
    """Every extra an installation line names is one pyproject.toml offers."""
    named = {
        extra.strip()
        for line in shell_lines(page)
        if is_installation(line)
        for group in _EXTRA.findall(line)
        for extra in group.split(",")
    }
    assert set() == named - _extras()


def test_an_unstated_failure_fails_the_page(tmp_path: Path) -> None:
    """The runner stops at a line whose exit code differs from the one it states."""
    script = _script(["true", "false  # exit 1", "(exit 2)  # exit 1", "true"])
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert (99, "line 3 exited with 2, expected 1") == (
        result.returncode,
        result.stdout.strip().splitlines()[-1],
    )
