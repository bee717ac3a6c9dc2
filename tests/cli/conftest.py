"""Fixtures of the command line tests: a temporary SQLite file and a runner bound to it."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from custmodel import CustomerBook, CustomerKind, KindSettings, Settings, open_store
from custmodel.cli import _common, app
from tests.booksupport import CountingStore
from tests.servers import migrated_sqlite_copy

#: Settings most command line tests start from.
SETTINGS = Settings(
    kinds={
        CustomerKind.PRIVATE: KindSettings(
            categories=("A", "B"),
            status_labels={1: "VIP", 2: "Newsletter"},
            code1_label="Mitgliedsnummer",
            dunning_fee=Decimal("5.00"),
            deposit_prompt=True,
        ),
        CustomerKind.CORPORATE: KindSettings(
            categories=("Großkunde",),
            status_labels={1: "Reiserichtlinien"},
            debtor_offset=50000,
            dunning_fee=Decimal("10.00"),
        ),
        CustomerKind.PROSPECT: KindSettings(
            categories=("Aussichtsreich",),
            status_labels={1: "Mailing"},
            debtor_offset=90000,
            renumber_on_kind_change=True,
        ),
    }
)

#: Environment variables the command line reads, unset for every test.
CLEAN_ENV: dict[str, str | None] = {
    "CUSTMODEL_DATABASE_URL": None,
    "CUSTMODEL_AGENCY": None,
    "CUSTMODEL_ACTOR": None,
}


#: The installed console script, next to the interpreter running the tests.
CONSOLE_SCRIPT = Path(sys.executable).parent / "custmodel"


def run_installed(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``custmodel`` script with ``args`` in ``cwd``, as a user would.

    No ``CUSTMODEL_*`` variable of the test run reaches it (no store, agency or actor), nor the
    terminal size pytest-xdist's workers export (``COLUMNS``, ``LINES``), only what ``env`` adds.
    """
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CUSTMODEL_") and k not in ("COLUMNS", "LINES")
    }
    environ.update(env or {})
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=environ,
        cwd=cwd,
    )


class Cli:
    """Runs ``custmodel --db URL ...`` in-process on one SQLite file.

    Args:
        url: The store URL every invocation names with ``--db``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Result:
        """Run the command line with ``args`` after ``--db URL``.

        The first argument is split like a shell command line, so ``cli("customer show 1")``
        and ``cli("customer", "show", "1")`` are the same; the others are taken as they are.
        """
        words = [*shlex.split(args[0]), *args[1:]] if args else []
        return self.runner.invoke(
            app, ["--db", self.url, *words], input=input, env={**CLEAN_ENV, **(env or {})}
        )

    def ok(self, *args: str, input: str | None = None) -> Result:
        """Run and require exit code 0."""
        result = self(*args, input=input)
        assert 0 == result.exit_code, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> Any:
        """Run with ``--json``, require exit code 0, and return the parsed output."""
        return json.loads(self.ok(*args, "--json").stdout)

    @contextmanager
    def book(self) -> Iterator[CustomerBook]:
        """The store the command line works on, as a book, for arranging and checking."""
        store = open_store(self.url)
        try:
            yield CustomerBook(store)
        finally:
            store.close()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A new SQLite file."""
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command line on a SQLite file holding :data:`SETTINGS`: ``db_url``'s file, a copy
    of a migrated database (the tests of ``schema`` and first use start from no file)."""
    runner = Cli(migrated_sqlite_copy(tmp_path / "cli.sqlite"))
    with runner.book() as book:
        book.configure(SETTINGS)
    return runner


def one_line(text: str) -> str:
    """Return ``text``'s only line; fail when it has more or none."""
    lines = text.strip().splitlines()
    assert 1 == len(lines), text
    return lines[0]


class CountedCli(Cli):
    """Runs the command line on one :class:`CountingStore` that every invocation shares.

    What one command wrote the next one reads; ``store.calls`` counts transactions and port
    calls.
    """

    def __init__(self, store: CountingStore) -> None:
        super().__init__("memory://")
        self.store = store

    @contextmanager
    def book(self) -> Iterator[CustomerBook]:
        """The shared store as a book, for arranging and checking."""
        yield CustomerBook(self.store)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> CountedCli:
    """The command line on a shared counting memory store holding :data:`SETTINGS`."""
    store = CountingStore()
    CustomerBook(store).configure(SETTINGS)
    store.calls.clear()
    monkeypatch.setattr(_common, "open_store", lambda _url: store)
    return CountedCli(store)
