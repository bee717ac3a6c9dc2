"""The change history on the command line: ``customer history``, ``settings history`` and
``export history``.

The commands join the ``customer``, ``settings`` and ``export`` groups. A table shows one row
per entry: its id, time, action, customer and actor, and each field changed as
``field: old -> new``; a personal value anonymization removed shows as ``(erased)``.
``--json`` prints the entries as :func:`custmodel.serialization.history_entry_json` gives them,
and ``export history`` writes one of them per line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated

import attrs
import typer

from custmodel import CustomerBook, FieldChange, HistoryAction, HistoryEntry, Selection
from custmodel.cli import _customer, _settings, _transfer
from custmodel.cli._common import EVERY, AsJson, Number, Output, book, plural
from custmodel.rules import value_text
from custmodel.serialization import history_entry_json, make_converter

__all__ = [
    "change_text",
    "customer_history",
    "entry_rows",
    "export_history",
    "selection_text",
    "settings_history",
]

#: The headings of a customer's history table; the settings' has no customer column.
COLUMNS = ("Id", "Time (UTC)", "Action", "Customer", "Actor", "Changes")
_CUSTOMER = COLUMNS.index("Customer")
_BOOK_COLUMNS = COLUMNS[:_CUSTOMER] + COLUMNS[_CUSTOMER + 1 :]

After = Annotated[
    int,
    typer.Option("--after", metavar="ID", help="Only entries after this id (the last one read)."),
]
Limit = Annotated[
    int | None,
    typer.Option("--limit", metavar="N", help="At most N entries.", show_default=False),
]


#: What the customers an entry relates to are to the customer it changed, by action.
_RELATED = {
    HistoryAction.MERGED: "duplicates",
    HistoryAction.MERGED_INTO: "master",
    HistoryAction.BOOKING_MOVED_IN: "from customer",
    HistoryAction.BOOKING_MOVED_OUT: "to customer",
}


def _value(text: str | None) -> str:
    return "-" if text is None or text == "" else text


def change_text(change: FieldChange) -> str:
    """One change as ``field: old -> new`` (``-`` for empty); ``field: (erased)`` once
    anonymization removed its values."""
    if change.personal and change.old is None and change.new is None:
        return f"{change.field}: (erased)"
    return f"{change.field}: {_value(change.old)} -> {_value(change.new)}"


def selection_text(chosen: Selection) -> str:
    """The filters of a bulk run's selection that are set, ``name=value`` separated by ``; ``."""
    filters = [
        f"{field.name}={value_text(getattr(chosen, field.name))}"
        for field in attrs.fields(Selection)
        if getattr(chosen, field.name) != getattr(EVERY, field.name)
    ]
    return "; ".join(filters) or "every customer"


def _details(entry: HistoryEntry) -> Iterable[str]:
    """What an entry holds besides its field changes, one line each."""
    if entry.reference is not None:
        yield f"booking: {entry.reference}"
    if entry.related:
        yield f"{_RELATED.get(entry.action, 'related')}: {', '.join(map(str, entry.related))}"
    if entry.selection is not None:
        yield f"selection: {selection_text(entry.selection)}"
    if entry.flag is not None and not entry.changes:
        yield f"flag: {entry.flag}"
    if entry.count is not None:
        what = "bookings moved" if entry.action is HistoryAction.MERGED else "customers changed"
        yield f"{what}: {entry.count}"


def entry_rows(entries: Iterable[HistoryEntry]) -> Iterable[tuple[object, ...]]:
    """One table row per entry, for :data:`COLUMNS`: the time (UTC) on two lines, date and
    time of day, to leave the changes room."""
    for entry in entries:
        lines = [*map(change_text, entry.changes), *_details(entry)]
        yield (
            entry.id,
            entry.at.strftime("%Y-%m-%d\n%H:%M:%S"),
            entry.action.value,
            entry.customer,
            entry.actor,
            "\n".join(lines),
        )


def _without_customer(row: tuple[object, ...]) -> tuple[object, ...]:
    return row[:_CUSTOMER] + row[_CUSTOMER + 1 :]


def _show(
    out: Output,
    read: Callable[[CustomerBook], list[HistoryEntry]],
    customer_book: CustomerBook,
    title: str,
    next_page: str,
    limit: int | None,
    *,
    customers: bool = True,
) -> None:
    entries = read(customer_book)
    if out.as_json:
        converter = make_converter()
        out.json([history_entry_json(entry, converter) for entry in entries])
        return
    if not entries:
        out.line("No entries.")
        return
    if customers:
        out.table(COLUMNS, entry_rows(entries), title=title)
    else:
        out.table(_BOOK_COLUMNS, map(_without_customer, entry_rows(entries)), title=title)
    if limit is not None and len(entries) == limit:
        out.line(f"More may follow: {next_page} --after {entries[-1].id} --limit {limit}")


@_customer.app.command(
    name="history",
    epilog="Example: custmodel customer history 3; custmodel customer history 3 --json",
)
def customer_history(
    ctx: typer.Context,
    number: Number,
    after: After = 0,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """Show who changed what and when for a customer, oldest first.

    A merged number shows its master's history, which holds the histories of the customers
    merged into it: each entry names the customer it changed.
    """
    _show(
        Output(as_json),
        lambda b: b.history(number, after=after, limit=limit),
        book(ctx),
        f"History of customer {number}",
        f"custmodel customer history {number}",
        limit,
    )


@_settings.app.command(
    name="history",
    epilog="Example: custmodel settings history --limit 20",
)
def settings_history(
    ctx: typer.Context,
    after: After = 0,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """Show the book's own history, oldest first: changes of settings and labels, and every
    "Status setzen" run with its selection, flag and count."""
    _show(
        Output(as_json),
        lambda b: b.settings_history(after=after, limit=limit),
        book(ctx),
        "History of the settings",
        "custmodel settings history",
        limit,
        customers=False,
    )


@_transfer.export_app.command(
    name="history",
    epilog="Example: custmodel export history --out history.jsonl --customer 3",
)
def export_history(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Option("--out", metavar="FILE", help="Where to write; - writes to stdout."),
    ] = "-",
    customer: Annotated[
        int | None,
        typer.Option(
            "--customer", metavar="NUMBER", help="Only this customer's history (with merges)."
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Entries read per transaction.")
    ] = 1000,
) -> None:
    """Write the change history (or one customer's) as JSON Lines, oldest entry first.

    The entries are read --batch-size at a time, each batch one read transaction, and written
    as they are read. A file is written under FILE.part and renamed when complete.
    """
    _transfer._export_batch_size(batch_size)
    entries = book(ctx).iter_history(customer, batch_size=batch_size)
    converter = make_converter()
    out = Output()
    count = 0
    with (
        out.progress() as progress,
        _transfer.Writer(target, _transfer.Format.JSONL, ()) as writer,
    ):
        task = progress.add_task("Exporting the history", total=None)
        for entry in entries:
            writer.write(history_entry_json(entry, converter), list)
            count += 1
            progress.advance(task)
    if target != "-":
        out.line(f"Exported {plural(count, 'history entry')} to {target}.")
