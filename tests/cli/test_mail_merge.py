"""``custmodel mail-merge``: letters from a {Field} template, or a mail-merge data file."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from custmodel import Booking, BookingKind, CustomerKind, letters
from custmodel.cli._letters import FIELD_DESCRIPTIONS, letter_name, read_open_amounts
from tests.cli.conftest import Cli, CountedCli, one_line, run_installed

REMINDER = "{Kunde-Briefanrede},\nbitte zahlen Sie {OP-Betrag+Mahngebühr}.\n"


@pytest.fixture
def owing(cli: Cli) -> Cli:
    """1 Müller owes 1,229.50 € (firm) and has an offer; 2 Weiß owes nothing; 3 is anonymized;
    4 was merged into 1."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Müller", salutation="Frau Dr.", category="A")
        book.register(CustomerKind.PRIVATE, "Weiß", salutation="Herr", category="B")
        book.register(CustomerKind.PRIVATE, "Anonym")
        book.register(CustomerKind.PRIVATE, "Mueller")
        for reference, kind, amount in [
            ("VG-1", BookingKind.BOOKING, "1229.50"),
            ("AN-1", BookingKind.OFFER, "300.00"),
        ]:
            book.record_booking(
                Booking(reference, 1, kind, date(2026, 5, 1), "AG1", open_amount=Decimal(amount))
            )
        book.anonymize(3, "AG1", date(2026, 11, 24))
        book.merge(1, [4])
    return cli


def _template(tmp_path: Path, text: str = REMINDER, name: str = "mahnung.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _letters(directory: Path) -> dict[str, str]:
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted(directory.iterdir())}


def test_letter_files_are_named_by_customer_number() -> None:
    """Customer 42's letter is letter-000042 with the template's suffix, .txt without one."""
    assert ("letter-000042.txt", "letter-000042.html") == (
        letter_name(42, ""),
        letter_name(42, ".html"),
    )


def test_one_letter_per_customer_never_to_anonymized_or_merged_ones(
    owing: Cli, tmp_path: Path
) -> None:
    """Customers 1 and 2 get a letter; the anonymized 3 and the merged 4 do not."""
    out = tmp_path / "briefe"
    shown = owing.ok(f"mail-merge {_template(tmp_path)} --out-dir {out}").stdout
    assert (
        "Wrote 2 letters to " + str(out) + ".",
        {
            "letter-000001.txt": "Sehr geehrte Frau Dr. Müller,\nbitte zahlen Sie 1.234,50 €.\n",
            "letter-000002.txt": "Sehr geehrter Herr Weiß,\nbitte zahlen Sie 5,00 €.\n",
        },
    ) == (shown.strip(), _letters(out))


def test_owing_only_writes_letters_to_customers_with_an_open_amount(
    owing: Cli, tmp_path: Path
) -> None:
    """--owing-only leaves out Weiß, who owes nothing on firm bookings."""
    out = tmp_path / "briefe"
    data = owing.json(f"mail-merge {_template(tmp_path)} --out-dir {out} --owing-only")
    assert ({"directory": str(out), "letters": 1, "left_out": 0}, ["letter-000001.txt"]) == (
        data,
        sorted(_letters(out)),
    )


def test_the_selection_options_choose_the_recipients(owing: Cli, tmp_path: Path) -> None:
    """--category B writes Weiß's letter only."""
    out = tmp_path / "briefe"
    owing.ok(f"mail-merge {_template(tmp_path)} --out-dir {out} --category B")
    assert ["letter-000002.txt"] == sorted(_letters(out))


def test_open_amounts_come_from_a_file_added_up_per_customer(owing: Cli, tmp_path: Path) -> None:
    """Rows of customer;amount replace the bookings' amounts; two rows of 2 are added up."""
    amounts = tmp_path / "op.csv"
    amounts.write_text("Kunde;Betrag\n2;12,00\n2;1.000,50 €\n", encoding="utf-8")
    out = tmp_path / "briefe"
    owing.ok(
        f"mail-merge {_template(tmp_path)} --out-dir {out} --open-amounts {amounts} --owing-only"
    )
    assert {"letter-000002.txt": "Sehr geehrter Herr Weiß,\nbitte zahlen Sie 1.017,50 €.\n"} == (
        _letters(out)
    )


def test_read_open_amounts_takes_points_and_german_commas(tmp_path: Path) -> None:
    """1229.50, 1229,50 and 1.229,50 € are the same amount; no header is needed."""
    path = tmp_path / "op.csv"
    path.write_text("1;1229.50\n2;1229,50\n3;1.229,50 €\n\n", encoding="utf-8")
    assert {n: Decimal("1229.50") for n in (1, 2, 3)} == read_open_amounts(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1;12.00\nzwei;3.00\n", "op.csv line 2: the customer is no customer number"),
        ("1;zwölf\n", "op.csv line 1: the amount is no amount like 1229.50 or 1.229,50"),
        ("1;12.00;x\n", "op.csv line 1: a row holds customer;amount"),
        ("1;-12.00\n", "open amount of customer 1"),
        ("1;12.001\n", "open amount of customer 1"),
    ],
    ids=["customer", "amount", "cells", "negative", "sub-cent"],
)
def test_a_bad_open_amounts_file_is_a_usage_error_before_anything_is_written(
    owing: Cli, tmp_path: Path, content: str, message: str
) -> None:
    """A bad row exits with 2 naming its line (or the customer), and no letter is written."""
    amounts = tmp_path / "op.csv"
    amounts.write_text(content, encoding="utf-8")
    out = tmp_path / "briefe"
    result = owing(f"mail-merge {_template(tmp_path)} --out-dir {out} --open-amounts {amounts}")
    assert (2, True, False) == (result.exit_code, message in result.stderr, out.exists())


def test_an_unknown_placeholder_is_refused_naming_it_before_anything_is_written(
    owing: Cli, tmp_path: Path
) -> None:
    """{Kunde-Anrde} exits with 2, the error names it, and the directory is not made."""
    out = tmp_path / "briefe"
    template = _template(tmp_path, "Hallo {Kunde-Anrde}")
    result = owing(f"mail-merge {template} --out-dir {out}")
    line = one_line(result.stderr)
    assert (2, True, True, False) == (
        result.exit_code,
        "unknown placeholder {Kunde-Anrde}" in line,
        "did you mean {Kunde-Anrede}?" in line,
        out.exists(),
    )


def test_a_template_that_is_not_utf8_is_a_usage_error(owing: Cli, tmp_path: Path) -> None:
    """A Latin-1 template exits with 2."""
    template = tmp_path / "alt.txt"
    template.write_bytes("Grüße {Kunde-Name}".encode("latin-1"))
    result = owing(f"mail-merge {template} --out-dir {tmp_path / 'briefe'}")
    assert (2, "error: the template alt.txt is not UTF-8 text") == (
        result.exit_code,
        one_line(result.stderr).split(" (see")[0],
    )


def test_a_directory_holding_files_is_refused(owing: Cli, tmp_path: Path) -> None:
    """Letters of an earlier run must not be sent again: a non-empty --out-dir exits with 2."""
    out = tmp_path / "briefe"
    out.mkdir()
    (out / "letter-000009.txt").write_text("alt", encoding="utf-8")
    result = owing(f"mail-merge {_template(tmp_path)} --out-dir {out}")
    assert (2, ["letter-000009.txt"]) == (result.exit_code, sorted(_letters(out)))


def test_an_empty_directory_is_used(owing: Cli, tmp_path: Path) -> None:
    """An existing empty --out-dir receives the letters."""
    out = tmp_path / "briefe"
    out.mkdir()
    owing.ok(f"mail-merge {_template(tmp_path)} --out-dir {out} --owing-only")
    assert ["letter-000001.txt"] == sorted(_letters(out))


def test_letters_keep_the_templates_suffix_and_line_ends(owing: Cli, tmp_path: Path) -> None:
    """An .html template with CRLF line ends gives .html letters with CRLF line ends."""
    template = _template(tmp_path, "<p>{Kunde-Name}</p>\r\n", name="brief.html")
    out = tmp_path / "briefe"
    owing.ok(f"mail-merge {template} --out-dir {out} --category A")
    assert {"letter-000001.html": "<p>Müller</p>\r\n"} == _letters(out)


def test_a_failure_part_way_leaves_no_letter_behind(counted: CountedCli, tmp_path: Path) -> None:
    """The store failing on the second page exits with 1 and removes the first page's letters."""
    with counted.book() as book:
        for name in ("Eins", "Zwei", "Drei"):
            book.register(CustomerKind.PRIVATE, name)
    counted.store.fail_after = 1
    out = tmp_path / "briefe"
    result = counted(
        f"mail-merge {_template(tmp_path, '{Kunde-Name}')} --out-dir {out} --batch-size 2"
    )
    assert (1, False) == (result.exit_code, out.exists())


def test_the_data_file_has_every_field_by_default(owing: Cli, tmp_path: Path) -> None:
    """--data-file writes a BOM, a header of every field and one row per recipient."""
    file = tmp_path / "serienbrief.csv"
    shown = owing.ok(f"mail-merge --data-file {file}").stdout
    lines = file.read_bytes().decode("utf-8").split("\r\n")
    assert (f"Wrote 2 rows to {file}.", "\ufeff" + ";".join(letters.FIELDS), 4) == (
        shown.strip(),
        lines[0],
        len(lines),
    )


def test_the_data_file_takes_fields_and_a_delimiter(owing: Cli, tmp_path: Path) -> None:
    """--fields chooses the columns (comma-separated or repeated), --delimiter tab the separator."""
    file = tmp_path / "serienbrief.csv"
    data = owing.json(
        f"mail-merge --data-file {file} --fields Kunde-Nummer,OP-Betrag --fields Kunde-Name "
        "--delimiter tab --owing-only"
    )
    assert (
        {"file": str(file), "rows": 1, "left_out": 0},
        "\ufeffKunde-Nummer\tOP-Betrag\tKunde-Name\r\n1\t1.229,50 €\tMüller\r\n",
    ) == (data, file.read_bytes().decode("utf-8"))


def test_the_data_file_holds_formula_like_values_as_stored(cli: Cli, tmp_path: Path) -> None:
    """Unlike a CSV export, the mail-merge data file puts no quote before "=" or "+"."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "=1+1", phone="+49 761 5550173")
    file = tmp_path / "serienbrief.csv"

    cli.ok(f"mail-merge --data-file {file} --fields Kunde-Name,Kunde-Telefon")

    assert "\ufeffKunde-Name;Kunde-Telefon\r\n=1+1;+49 761 5550173\r\n" == (
        file.read_bytes().decode("utf-8")
    )


def test_an_unknown_data_file_field_is_refused_and_no_file_is_written(
    owing: Cli, tmp_path: Path
) -> None:
    """--fields Kunde-Nmae exits with 2 naming it; neither the file nor FILE.part exists."""
    file = tmp_path / "serienbrief.csv"
    result = owing(f"mail-merge --data-file {file} --fields Kunde-Nmae")
    assert (2, True, []) == (
        result.exit_code,
        "{Kunde-Nmae}" in result.stderr,
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("serienbrief")),
    )


@pytest.mark.parametrize(
    "options",
    [
        "",
        "TEMPLATE --out-dir d --data-file f.csv",
        "--out-dir d",
        "TEMPLATE --data-file f.csv",
        "TEMPLATE --out-dir d --fields Kunde-Name",
        "--data-file f.csv --delimiter '|'",
        "TEMPLATE --out-dir d --batch-size 0",
        "TEMPLATE --list-fields",
    ],
    ids=[
        "no output", "both outputs", "no template", "template and data file", "fields",
        "delimiter", "batch size", "list fields with template",
    ],
)  # fmt: skip
def test_contradicting_options_are_usage_errors(owing: Cli, tmp_path: Path, options: str) -> None:
    """Options that do not fit together exit with 2 and write nothing."""
    before = sorted(tmp_path.iterdir())
    template = _template(tmp_path)
    args = options.replace("TEMPLATE", str(template)).replace(" d", f" {tmp_path / 'd'}")
    args = args.replace(" f.csv", f" {tmp_path / 'f.csv'}")
    result = owing(f"mail-merge {args}")
    assert (2, [*before, template]) == (result.exit_code, sorted(tmp_path.iterdir()))


def test_list_fields_lists_every_placeholder_with_its_meaning(owing: Cli) -> None:
    """--list-fields prints each field of custmodel.letters.FIELDS; --json as objects."""
    shown = owing("mail-merge --list-fields", env={"COLUMNS": "200"}).stdout
    data = owing.json("mail-merge --list-fields")
    assert (True, list(letters.FIELDS)) == (
        all(f"{{{field}}}" in shown for field in letters.FIELDS),
        [entry["field"] for entry in data],
    )


def test_every_field_has_a_description() -> None:
    """The descriptions cover exactly the fields custmodel.letters knows."""
    assert set(letters.FIELDS) == set(FIELD_DESCRIPTIONS)


def test_progress_shows_on_a_terminal_and_never_with_json(owing: Cli, tmp_path: Path) -> None:
    """On a terminal a progress bar goes to stderr; with --json stderr stays empty."""
    terminal = {"TTY_COMPATIBLE": "1"}
    template = _template(tmp_path)
    shown = owing(f"mail-merge {template} --out-dir {tmp_path / 'a'}", env=terminal)
    quiet = owing(f"mail-merge {template} --out-dir {tmp_path / 'b'} --json", env=terminal)
    assert (True, "", 2) == (
        "Writing letters to a" in shown.stderr,
        quiet.stderr,
        json.loads(quiet.stdout)["letters"],
    )


# -- open amounts naming unknown, merged or anonymized numbers ----------------------------------

#: Accounting's open items: 2 owes 12,00 €, 4 (merged into 1) 30,00 €, nobody is 99, and 3 is
#: anonymized.
OPEN_ITEMS = "Kunde;Betrag\n2;12,00\n4;30,00\n99;8,00\n3;5,00\n"

OPEN_ITEMS_WARNINGS = [
    "warning: op.csv line 3: customer 4 was merged into 1; its amount is credited to 1",
    "warning: op.csv line 4: no customer has number 99; its amount counts for nobody",
    "warning: op.csv line 5: customer 3 is anonymized and receives no letter",
]


def test_open_amounts_of_a_merged_number_go_to_the_master_with_warnings(
    owing: Cli, tmp_path: Path
) -> None:
    """4's 30,00 € are dunned from its master 1; 99 and the anonymized 3 are warned about by
    line, and the run succeeds."""
    amounts = tmp_path / "op.csv"
    amounts.write_text(OPEN_ITEMS, encoding="utf-8")
    out = tmp_path / "briefe"
    result = owing(
        f"mail-merge {_template(tmp_path)} --out-dir {out} --open-amounts {amounts} --owing-only"
    )
    assert (0, OPEN_ITEMS_WARNINGS) == (result.exit_code, result.stderr.strip().splitlines())
    assert {
        "letter-000001.txt": "Sehr geehrte Frau Dr. Müller,\nbitte zahlen Sie 35,00 €.\n",
        "letter-000002.txt": "Sehr geehrter Herr Weiß,\nbitte zahlen Sie 17,00 €.\n",
    } == _letters(out)


def test_the_installed_command_warns_about_unknown_and_merged_numbers(
    owing: Cli, tmp_path: Path
) -> None:
    """Run as the console script, a data file run warns on stderr and keeps --json clean."""
    amounts = tmp_path / "op.csv"
    amounts.write_text(OPEN_ITEMS, encoding="utf-8")
    data = tmp_path / "mahnlauf.csv"
    args = ["mail-merge", "--data-file", str(data), "--fields", "Kunde-Nummer,OP-Betrag"]
    args += ["--open-amounts", str(amounts), "--owing-only", "--json"]
    result = run_installed("--db", owing.url, *args, cwd=tmp_path, env={"COLUMNS": "200"})
    assert (0, OPEN_ITEMS_WARNINGS) == (result.returncode, result.stderr.strip().splitlines())
    assert (2, "\ufeffKunde-Nummer;OP-Betrag\r\n1;30,00 €\r\n2;12,00 €\r\n") == (
        json.loads(result.stdout)["rows"],
        data.read_bytes().decode("utf-8"),
    )


# -- leaving out bookings that are not yet due --------------------------------------------------


@pytest.fixture
def travelling(cli: Cli) -> Cli:
    """1 Müller owes 100,00 € on a trip of 2020 and 20,00 € on one of 1 July 2099; 2 Weiß owes
    50,00 € on a trip of 1 August 2099."""
    with cli.book() as book:
        book.register(CustomerKind.PRIVATE, "Müller", salutation="Frau Dr.")
        book.register(CustomerKind.PRIVATE, "Weiß", salutation="Herr")
        for reference, customer, departure, amount in [
            ("VG-1", 1, date(2020, 5, 1), "100.00"),
            ("VG-2", 1, date(2099, 7, 1), "20.00"),
            ("VG-3", 2, date(2099, 8, 1), "50.00"),
        ]:
            book.record_booking(
                Booking(
                    reference,
                    customer,
                    BookingKind.BOOKING,
                    departure,
                    "AG1",
                    open_amount=Decimal(amount),
                )
            )
    return cli


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("", {1: "1;120,00 €", 2: "2;50,00 €"}),
        ("--departed-only", {1: "1;100,00 €"}),
        ("--due-by 2099-07-01", {1: "1;120,00 €"}),
        ("--due-by 2099-07-01 --days-before-departure 31", {1: "1;120,00 €", 2: "2;50,00 €"}),
        ("--due-by 2099-07-01 --days-before-departure 30", {1: "1;120,00 €"}),
    ],
    ids=["everything", "departed", "due-by", "balance-31-days-before", "balance-30-days-before"],
)
def test_a_dunning_run_leaves_out_bookings_not_yet_due(
    travelling: Cli, tmp_path: Path, options: str, expected: dict[int, str]
) -> None:
    """--departed-only and --due-by count only the bookings due as open amounts."""
    data = tmp_path / "mahnlauf.csv"
    travelling.ok(
        f"mail-merge --data-file {data} --fields Kunde-Nummer,OP-Betrag --owing-only {options}"
    )
    rows = data.read_bytes().decode("utf-8").split("\r\n")[1:-1]
    assert list(expected.values()) == rows


@pytest.mark.parametrize(
    "options",
    [
        "--departed-only --due-by 2099-07-01",
        "--days-before-departure 30",
        "--due-by 2099-07-01 --days-before-departure -1",
        "--due-by 2099-07-01 --days-before-departure 3661",
        "--due-by 1.7.2099",
        "--departed-only --open-amounts OP",
        "--due-by 2099-07-01 --open-amounts OP",
    ],
    ids=["both", "days alone", "negative", "too many", "not ISO", "file departed", "file due"],
)
def test_due_options_that_do_not_fit_are_usage_errors(
    travelling: Cli, tmp_path: Path, options: str
) -> None:
    """Contradicting or bad due options exit with 2 in one line, and no letter is written."""
    amounts = tmp_path / "op.csv"
    amounts.write_text("1;5,00\n", encoding="utf-8")
    out = tmp_path / "briefe"
    args = options.replace("OP", str(amounts))
    result = travelling(f"mail-merge {_template(tmp_path)} --out-dir {out} {args}")
    assert (2, False) == (result.exit_code, out.exists())
    assert one_line(result.stderr).startswith("error: ")
