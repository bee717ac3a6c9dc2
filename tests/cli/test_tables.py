"""Tables in pipes and at scale: nothing cut in a pipe, customer select streams page by page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from custmodel import CustomerBook, CustomerKind, NewCustomer, open_store
from custmodel.cli._common import Output
from custmodel.serialization import make_converter
from tests.cli.conftest import CountedCli

#: A company name longer than any column an 80-column terminal would give it.
LONG_NAME = "Reisewelt Schmidt und Partner Touristik GmbH & Co. KG, Köln!"


def test_the_installed_command_does_not_cut_tables_in_a_pipe(tmp_path: Path) -> None:
    """Piped, every table row is one line holding the whole value, however wide."""
    url = f"sqlite:///{tmp_path / 'wide.sqlite'}"
    store = open_store(url)
    try:
        CustomerBook(store).register(
            CustomerKind.CORPORATE, LONG_NAME, code1="K-4711", category=None
        )
    finally:
        store.close()
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS" and not k.startswith("CUSTMODEL")}

    def piped(*args: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-m", "custmodel", "--db", url, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env=env,
        )
        return [line for line in result.stdout.splitlines() if "K-4711" in line]

    # select streams its own table; find prints through Rich.
    for rows in (piped("customer", "select"), piped("customer", "find", "K-4711")):
        assert (1, True) == (len(rows), LONG_NAME in rows[0]), rows


def test_in_a_terminal_a_streamed_table_fits_its_width(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a width (COLUMNS), the widest column is narrowed and its value cut with "…"."""
    monkeypatch.setenv("COLUMNS", "40")

    Output().stream_table(("No.", "Name"), [(1, LONG_NAME)])

    lines = capsys.readouterr().out.splitlines()
    assert ({40}, True) == ({len(line) for line in lines}, lines[3].endswith("… │"))


def test_a_streamed_table_prints_rows_before_the_last_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The first chunk is on stdout while later rows are still unread: the table streams."""
    written_before_last: list[int] = []

    def rows() -> Iterator[tuple[int, str]]:
        for number in range(1, 26):
            if number == 25:
                written_before_last.append(len(capsys.readouterr().out.splitlines()))
            yield number, f"Kunde {number}"

    count = Output().stream_table(("No.", "Name"), rows(), chunk=10)

    # Top rule, headings, rule, and the rows of the first two chunks were out before row 25.
    assert (25, [3 + 20]) == (count, written_before_last)


def test_a_longer_value_later_widens_its_column_from_its_chunk_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Customer numbers growing from 1 to 2 digits are never cut in a pipe."""
    Output().stream_table(("N",), [(n,) for n in range(1, 13)], chunk=5)

    lines = capsys.readouterr().out.splitlines()
    assert ("│ 1 │", "│ 12 │", "└────┘") == (lines[3], lines[-2], lines[-1])


def test_customer_select_reads_the_store_page_by_page(counted: CountedCli) -> None:
    """2,500 customers are read in pages of 1,000, never as one list, and all are shown."""
    with counted.book() as book:
        book.register_many(NewCustomer(CustomerKind.PRIVATE, f"Kunde {n}") for n in range(2500))
    counted.store.calls.clear()

    shown = counted.ok("customer select").stdout

    assert (3, 0, True) == (
        counted.store.calls["limit 1000"],
        counted.store.calls["select"],
        shown.endswith("2500 customers.\n"),
    )


def test_customer_select_json_streams_the_same_document(counted: CountedCli) -> None:
    """--json reads in pages too, and prints what one json.dumps of the whole list printed."""
    with counted.book() as book:
        book.register_many(NewCustomer(CustomerKind.PRIVATE, f"Kunde {n}") for n in range(1500))
        everyone = book.select()
    counted.store.calls.clear()

    printed = counted.ok("customer select --json").stdout

    expected = json.dumps(
        make_converter().unstructure(everyone), ensure_ascii=False, indent=2, sort_keys=True
    )
    assert (2, expected + "\n") == (counted.store.calls["limit 1000"], printed)
