"""A parallel test run stays short: long tests first, one bytecode cache for its processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import STARTED_FIRST, share_bytecode, start_rank

ROOT = Path(__file__).resolve().parent.parent


def test_without_bytecode_writing_the_run_writes_its_bytecode_outside_the_tree(
    tmp_path: Path,
) -> None:
    """PYTHONDONTWRITEBYTECODE gives way to a cache directory outside the working tree."""
    environ = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/bin"}

    share_bytecode(environ, tmp_path)

    assert {"PYTHONPYCACHEPREFIX": str(tmp_path), "PATH": "/bin"} == environ


def test_a_run_that_may_write_bytecode_is_left_as_it_is(tmp_path: Path) -> None:
    """Without PYTHONDONTWRITEBYTECODE, Python's own __pycache__ directories are used."""
    environ = {"PATH": "/bin"}

    share_bytecode(environ, tmp_path)

    assert {"PATH": "/bin"} == environ


def test_processes_the_tests_start_reuse_the_bytecode_cache() -> None:
    """A Python process started by a test writes its bytecode to the shared cache."""
    prefix = os.environ.get("PYTHONPYCACHEPREFIX")
    code = "import sys; print(sys.dont_write_bytecode, sys.pycache_prefix)"
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()

    assert ["False", str(prefix) if prefix else "None"] == shown


def test_the_long_tests_are_collected_first_longest_first() -> None:
    """Every entry of STARTED_FIRST names collected tests, and they come first, in its order."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    ids = [line for line in collected if "::" in line]
    ranks = [start_rank(nodeid) for nodeid in ids]

    assert (sorted(ranks), set(range(len(STARTED_FIRST) + 1))) == (ranks, set(ranks))
    assert "tests/test_docs_shell.py::test_page_shell_examples_run[cli.md]" == ids[0]
