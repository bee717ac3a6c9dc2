"""Hypothesis profiles for the whole test suite, and one summary line for the server skips.

``CUSTMODEL_HYPOTHESIS_PROFILE`` names the profile: "dev" (the default, fast), "ci" (thorough)
or "quick" (a smoke run). When it is unset and ``CI=true``, the "ci" profile is used.

Without ``CUSTMODEL_TEST_POSTGRES_URL`` and ``CUSTMODEL_TEST_MARIADB_URL`` the PostgreSQL and
MariaDB tests are skipped (see ``tests/servers.py``): ``-ra`` would list every one of them,
burying the failures above. They are counted in one line instead, just before the final
summary line; other skips are listed as usual.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator
from datetime import timedelta

import pytest
from hypothesis import settings

from tests.servers import MARIADB_ENV, POSTGRES_ENV

_SERVERS = {POSTGRES_ENV: "PostgreSQL", MARIADB_ENV: "MariaDB"}

settings.register_profile("dev", max_examples=50, deadline=timedelta(seconds=1))
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("quick", max_examples=10, deadline=None)


def _profile() -> str:
    chosen = os.environ.get("CUSTMODEL_HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    if os.environ.get("CI", "").strip().lower() == "true":
        return "ci"
    return "dev"


settings.load_profile(_profile())


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
