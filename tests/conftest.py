"""Hypothesis profiles for the whole test suite, and one summary line for the server skips.

``CUSTMODEL_HYPOTHESIS_PROFILE`` names the profile: "dev" (the default, fast), "ci" (twice
the examples, no deadline) or "quick" (a smoke run). When it is unset and ``CI=true``, the "ci"
profile is used.

The long tests are collected first, and the run's own Python processes share one bytecode
cache (see ``share_bytecode``): both keep a parallel run short.

Without ``CUSTMODEL_TEST_POSTGRES_URL`` and ``CUSTMODEL_TEST_MARIADB_URL`` the PostgreSQL and
MariaDB tests are skipped (see ``tests/servers.py``): ``-ra`` would list every one of them,
burying the failures above. They are counted in one line instead, just before the final
summary line; other skips are listed as usual.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Generator, MutableMapping
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings

from tests.servers import MARIADB_ENV, POSTGRES_ENV

_SERVERS = {POSTGRES_ENV: "PostgreSQL", MARIADB_ENV: "MariaDB"}

settings.register_profile("dev", max_examples=50, deadline=timedelta(seconds=1))
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("quick", max_examples=10, deadline=None)


def _profile() -> str:
    chosen = os.environ.get("CUSTMODEL_HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    if os.environ.get("CI", "").strip().lower() == "true":
        return "ci"
    return "dev"


settings.load_profile(_profile())


def share_bytecode(environ: MutableMapping[str, str], cache: Path) -> None:
    """Let the test run's own Python processes reuse one bytecode cache outside the tree.

    The suite starts hundreds of Python processes: command-line and docs examples, race
    workers, benchmark runs. Where ``PYTHONDONTWRITEBYTECODE`` is set, each of them would
    compile every module it imports from source again, which costs a third of a command's
    start-up. They write their bytecode under ``cache`` instead (``PYTHONPYCACHEPREFIX``), so
    the working tree stays as the variable asked; without the variable nothing changes.
    """
    if environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        environ.setdefault("PYTHONPYCACHEPREFIX", str(cache))


share_bytecode(os.environ, Path(tempfile.gettempdir()) / f"custmodel-tests-bytecode-{os.getuid()}")

# Started first, longest first, so that no long test is left running alone at the end of a
# parallel run. pytest-xdist (``--dist worksteal``, set in pyproject.toml) gives each worker a
# share of the tests in collected order, and a worker that runs out takes over half of what
# another has not started yet: what is left at the end is short tests.
STARTED_FIRST = (
    "tests/test_docs_shell.py::test_page_shell_examples_run[cli.md]",
    "tests/properties/test_error_message_properties.py",
    "tests/test_stateful.py",
    "test_garbage_arguments_get_the_same_typed_outcome_as_in_memory",
    "tests/test_docs.py::test_page_examples_run",
    "tests/test_bench_large.py",
    "tests/sql/test_merge_crash.py",
    "tests/properties/",
    "tests/test_testing_kit.py::test_from_type_draws_valid_values_of_every_public_type",
)


def start_rank(nodeid: str) -> int:
    """The position of the first entry of STARTED_FIRST the test matches; the rest come after."""
    for rank, part in enumerate(STARTED_FIRST):
        if part in nodeid:
            return rank
    return len(STARTED_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the long tests first (a stable sort: otherwise the collected order)."""
    items.sort(key=lambda item: start_rank(item.nodeid))


def _server_skip(report: pytest.TestReport) -> tuple[str, bool] | None:
    """The variable a skipped server test needs and whether its server was unreachable."""
    if not report.skipped or not isinstance(report.longrepr, tuple):
        return None
    message = str(report.longrepr[2])
    for variable in _SERVERS:
        if variable in message:
            return variable, "unreachable" in message
    return None


def _in_server_order(item: tuple[tuple[str, bool], int]) -> int:
    return list(_SERVERS).index(item[0][0])


def server_skips_line(skips: Counter[tuple[str, bool]]) -> str:
    """One line for the skipped server tests: how many, per server, and what to do."""
    parts = [
        f"{count} {_SERVERS[variable]} "
        + (f"(the server {variable} names is unreachable)" if unreachable else f"(set {variable})")
        for (variable, unreachable), count in sorted(skips.items(), key=_in_server_order)
    ]
    return (
        f"SKIPPED {sum(skips.values())} database server tests: {', '.join(parts)}; "
        "see tests/servers.py (.ci/run sets both)"
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Generator[None]:
    """Keep the server skips out of the short summary and count them in one line instead."""
    skipped = terminalreporter.stats.get("skipped", [])
    skips = Counter(found for report in skipped if (found := _server_skip(report)))
    if not skips:
        return (yield)
    terminalreporter.stats["skipped"] = [r for r in skipped if _server_skip(r) is None]
    try:
        return (yield)
    finally:
        # The final "N passed, M skipped" line counts every skip again.
        terminalreporter.stats["skipped"] = skipped
        terminalreporter.write_line(server_skips_line(skips), yellow=True)
