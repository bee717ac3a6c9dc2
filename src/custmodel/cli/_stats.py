"""``custmodel stats``: customers, bookings and revenue of a selection per group (R10)."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from custmodel import (
    DeparturePeriod,
    Selection,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
)
from custmodel.cli._common import (
    EVERY,
    AsJson,
    BadValue,
    Output,
    book,
    in_panel,
    money,
    parse_date,
    plural,
    selection_filters,
)
from custmodel.cli._transfer import Format, Writer

__all__ = ["CSV_COUNTS", "EPILOG", "csv_columns", "stats"]

EPILOG = (
    "Example: custmodel stats --by category --by status_flag --year 2025; "
    "custmodel stats --by destination --kind private --csv --output ziele.csv"
)

_HEADINGS = {
    StatisticsDimension.KIND: "Kind",
    StatisticsDimension.CUSTOMER_TYPE: "Type",
    StatisticsDimension.CATEGORY: "Category",
    StatisticsDimension.STATUS_FLAG: "Flag",
    StatisticsDimension.CODE1: "Code1",
    StatisticsDimension.CODE2: "Code2",
    StatisticsDimension.TRAVEL_TYPE: "Travel type",
    StatisticsDimension.DESTINATION: "Destination",
    StatisticsDimension.DEPARTURE_YEAR: "Year",
}
#: The dimensions whose keys carry labels: the kinds' flag labels and names of the codes.
_LABELLED = (StatisticsDimension.STATUS_FLAG, StatisticsDimension.CODE1, StatisticsDimension.CODE2)
#: The count columns of the CSV form, after the dimensions.
CSV_COUNTS = ("customers", "firm_bookings", "offers", "revenue")

_PERIOD = "Departure period"


def _period(start: str | None, end: str | None, year: int | None) -> DeparturePeriod:
    if year is not None:
        if start is not None or end is not None:
            raise BadValue("--year contradicts --from and --to")
        return DeparturePeriod.year(year)
    return DeparturePeriod(
        None if start is None else parse_date(start, "--from"),
        None if end is None else parse_date(end, "--to"),
    )


def _period_text(period: DeparturePeriod) -> str:
    def day(value: date | None) -> str:
        return "" if value is None else value.isoformat()

    if period.start is None and period.end is None:
        return "all departures"
    if period.end is None:
        return f"departures from {day(period.start)}"
    if period.start is None:
        return f"departures up to {day(period.end)}"
    return f"departures {day(period.start)} to {day(period.end)}"


def _heading(dimension: StatisticsDimension, statistics: Statistics) -> str:
    """The column heading; a code column takes the kinds' name for it when they all agree."""
    heading = _HEADINGS[dimension]
    if dimension not in (StatisticsDimension.CODE1, StatisticsDimension.CODE2):
        return heading
    names = {
        label for row in statistics.rows for key in row.key if key.dimension is dimension
        for label in key.labels.values()
    }  # fmt: skip
    if len(names) == 1 and heading not in names:
        return f"{names.pop()} ({heading})"
    return heading


def _cell(key: StatisticsKey) -> str:
    """A key as the table shows it: flags with their labels, "(none)" for no value."""
    value = key.value
    if key.dimension is StatisticsDimension.STATUS_FLAG:
        if value is None:
            return "(no flag)"
        label = key.label
        return str(value) if label is None else f"{value} {label}"
    if value is None or value == "":
        return "(none)"
    if isinstance(value, str):
        return value
    return str(getattr(value, "value", value))


def _counts(row: StatisticsRow) -> list[object]:
    return [row.customers, row.firm_bookings, row.offers, money(row.revenue)]


def _print(out: Output, statistics: Statistics) -> None:
    columns = [_heading(d, statistics) for d in statistics.group_by]
    columns += ["Customers", "Firm bookings", "Offers", "Revenue"]
    out.table(
        columns,
        ([*map(_cell, row.key), *_counts(row)] for row in statistics.rows),
        title=f"By {', '.join(d.value for d in statistics.group_by)}; "
        f"{_period_text(statistics.period)}",
        numbers=4,
        totals=["Total", *[""] * (len(statistics.group_by) - 1), *_counts(statistics.totals)],
    )
    if any(d is StatisticsDimension.STATUS_FLAG for d in statistics.group_by):
        out.line("A customer with several flags counts in each of their rows, once in the total.")


def csv_columns(group_by: tuple[StatisticsDimension, ...]) -> tuple[str, ...]:
    """The CSV header: ``row``, each dimension (and its ``_label``), then the counts."""
    columns = ["row"]
    for dimension in group_by:
        columns.append(dimension.value)
        if dimension in _LABELLED:
            columns.append(f"{dimension.value}_label")
    return (*columns, *CSV_COUNTS)


def _csv_cells(
    kind: str, row: StatisticsRow, group_by: tuple[StatisticsDimension, ...]
) -> list[str]:
    cells = [kind]
    if not row.key:  # the totals: no group
        cells += [""] * (len(csv_columns(group_by)) - 1 - len(CSV_COUNTS))
    for key in row.key:
        value = key.value
        cells.append("" if value is None else str(getattr(value, "value", value)))
        if key.dimension in _LABELLED:
            cells.append(key.label or "")
    cells += [str(row.customers), str(row.firm_bookings), str(row.offers), str(row.revenue)]
    return cells


def _write_csv(statistics: Statistics, target: str, *, raw_cells: bool) -> None:
    group_by = statistics.group_by
    with Writer(target, Format.CSV, csv_columns(group_by), raw_cells=raw_cells) as writer:
        for row in statistics.rows:
            writer.write(row, functools.partial(_csv_cells, "group", row, group_by))
        totals = statistics.totals
        writer.write(totals, functools.partial(_csv_cells, "total", totals, group_by))


@selection_filters(anonymized=True)
def stats(
    ctx: typer.Context,
    by: Annotated[
        list[StatisticsDimension] | None,
        typer.Option(
            "--by",
            case_sensitive=False,
            metavar="DIMENSION",
            help=(
                "Group by this; repeat for several (kind, customer_type, category, "
                "status_flag, code1, code2, travel_type, destination, departure_year). "
                "Default: kind."
            ),
            show_default=False,
        ),
    ] = None,
    chosen: Selection = EVERY,
    start: Annotated[
        str | None,
        in_panel(_PERIOD, "--from", "First departure day that counts.", metavar="DATE"),
    ] = None,
    end: Annotated[
        str | None, in_panel(_PERIOD, "--to", "Last departure day that counts.", metavar="DATE")
    ] = None,
    year: Annotated[
        int | None, in_panel(_PERIOD, "--year", "The departures of this calendar year.")
    ] = None,
    as_csv: Annotated[
        bool,
        typer.Option("--csv", help="Write CSV (plain numbers, a totals row) instead of a table."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="FILE",
            dir_okay=False,
            help="With --csv: write to FILE instead of stdout.",
        ),
    ] = None,
    raw_cells: Annotated[
        bool,
        typer.Option(
            "--raw-cells",
            help=(
                "With --csv: write every cell exactly as stored. By default a cell that starts "
                "with =, +, -, @, a tab or a carriage return (a destination, a code, a label a "
                "spreadsheet would run as a formula) gets a ' in front."
            ),
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Count customers, firm bookings, offers and revenue of a selection per group.

    The selection options choose the customers (default: every active one, anonymized ones
    included: statistics hold no personal data); the period chooses which bookings count by
    their departure (both days included). Flags are grouped by number and shown with their
    labels; a customer without a category, flag, travel type or destination is in the row
    "(none)". Revenue is that of the firm bookings; offers carry none. In the CSV form a
    cell a spreadsheet would run as a formula gets a ' in front, unless --raw-cells.
    """
    if as_csv and as_json:
        raise BadValue("choose --csv or --json, not both")
    if output is not None and not as_csv:
        raise BadValue("--output writes the CSV form: give --csv too")
    if output is not None and as_json:
        raise BadValue("--json prints to stdout; --output goes with --csv")
    if raw_cells and not as_csv:
        raise BadValue("--raw-cells changes the CSV form: give --csv too")
    period = _period(start, end, year)
    statistics = book(ctx).statistics(chosen, by or [StatisticsDimension.KIND], period)
    out = Output(as_json)
    if out.json_if_asked(statistics):
        return
    if as_csv:
        target = "-" if output is None else str(output)
        _write_csv(statistics, target, raw_cells=raw_cells)
        if output is not None:
            out.line(f"Wrote {plural(len(statistics.rows), 'group')} and the totals to {output}.")
        return
    _print(out, statistics)
