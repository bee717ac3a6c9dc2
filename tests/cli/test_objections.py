"""Objections to advertising on the command line: ``gdpr object``, ``gdpr choices``,
``--advertising`` on selections and exports, and the purpose and channel of a mail merge."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from custmodel import ContactChannel, CustomerKind
from tests.cli.conftest import Cli, one_line

GIVEN = date(2026, 1, 5)
TEMPLATE = "{Kunde-Name}\n"
TERMINAL = {"TTY_COMPATIBLE": "1"}


@pytest.fixture
def objecting(cli: Cli) -> Cli:
    """1 Müller objected by e-mail; 2 Weiß by letter; 3 Schmidt did not object but 4 Schulz,
    who objected by letter, was merged into it; 5 Lange objected to nothing."""
    with cli.book() as book:
        for name in ("Müller", "Weiß", "Schmidt", "Schulz", "Lange"):
            book.register(CustomerKind.PRIVATE, name)
        book.object_to_advertising(1, "email", given_on=GIVEN, source="Webformular")
        book.object_to_advertising(2, "letter", given_on=GIVEN, source="Brief")
        book.object_to_advertising(4, "letter", given_on=GIVEN, source="Brief")
        book.merge(3, [4])
    return cli


def _template(tmp_path: Path) -> Path:
    path = tmp_path / "werbung.txt"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def _letter_numbers(directory: Path) -> list[int]:
    return sorted(int(p.stem.removeprefix("letter-")) for p in directory.iterdir())


# -- gdpr object / gdpr choices ------------------------------------------------------------


def test_object_without_channel_objects_on_all_four(cli: Cli) -> None:
    """``gdpr object N --source S`` records one objection per channel, and says so."""
    cli.ok("customer register private Müller")
    shown = cli.ok("gdpr", "object", "1", "--source", "Brief vom 3.11.").stdout
    with cli.book() as book:
        stored = book.get(1).advertising_objections
        ledger = book.marketing_choices(1)
    assert (
        frozenset(ContactChannel),
        ["objection"] * 4,
        ["Brief vom 3.11."] * 4,
        "Customer 1 objects to advertising by: letter, email, phone, sms.",
    ) == (
        stored,
        [c.choice.value for c in ledger],
        [c.source for c in ledger],
        shown.strip().splitlines()[-1],
    )


def test_object_takes_channels_a_day_and_a_note_and_prints_json(cli: Cli) -> None:
    """--channel twice, --given and --note go into the entries; --json prints them."""
    cli.ok("customer register private Müller")
    data = cli.json(
        "gdpr object 1 --channel email --channel sms --source Telefon --given 2026-02-03 "
        "--note 'Anruf, Frau Weiß notiert'"
    )
    assert (
        [("email", "objection", "2026-02-03", "Anruf, Frau Weiß notiert")] * 1
        + [("sms", "objection", "2026-02-03", "Anruf, Frau Weiß notiert")],
        ["email", "sms"],
    ) == (
        [(c["channel"], c["choice"], c["given_on"], c["note"]) for c in data["choices"]],
        data["customer"]["advertising_objections"],
    )


def test_consent_given_later_lifts_the_objection_on_its_channel(objecting: Cli) -> None:
    """``--consent`` after an objection on e-mail lets e-mail advertising reach 1 again."""
    objecting.ok("gdpr object 1 --consent --channel email --source Webformular --given 2026-03-01")
    with objecting.book() as book:
        assert frozenset() == book.get(1).advertising_objections


def test_a_choice_given_in_the_future_is_refused_and_records_nothing(objecting: Cli) -> None:
    """--given after today is refused; the ledger stays as it was."""
    result = objecting("gdpr object 5 --source Brief --given 2999-01-01")
    with objecting.book() as book:
        assert (True, [], frozenset()) == (
            result.exit_code != 0,
            book.marketing_choices(5),
            book.get(5).advertising_objections,
        )


def test_a_bad_channel_is_a_usage_error(objecting: Cli) -> None:
    """--channel fax is no channel: exit 2, nothing recorded."""
    result = objecting("gdpr object 5 --channel fax --source Brief")
    with objecting.book() as book:
        assert (2, []) == (result.exit_code, book.marketing_choices(5))


def test_choices_of_a_merged_number_show_the_masters_ledger(objecting: Cli) -> None:
    """``gdpr choices 4`` shows master 3's ledger: Schulz's objection, moved there, and the
    objection the merge added so that the master's ledger agrees with its objections."""
    data = objecting.json("gdpr choices 4")
    assert (
        3,
        ["letter"],
        [("letter", "objection", 3, "Brief"), ("letter", "objection", 3, "merge")],
    ) == (
        data["customer"],
        data["advertising_objections"],
        [(c["channel"], c["choice"], c["customer"], c["source"]) for c in data["choices"]],
    )


def test_choices_as_text_list_the_entries_and_the_objections(objecting: Cli) -> None:
    """The text form shows each entry's source and the channels objected to."""
    shown = objecting.ok("gdpr choices 2").stdout
    assert ("Brief" in shown, "Customer 2 objects to advertising by: letter.") == (
        True,
        shown.strip().splitlines()[-1],
    )


# -- customer select --advertising --------------------------------------------------------


def test_select_for_advertising_leaves_out_objectors_and_says_how_many(objecting: Cli) -> None:
    """By letter: 2 objected, and so did 3 through its merged duplicate; 1 and 5 are left."""
    shown = objecting.ok("customer select --advertising letter").stdout
    lines = shown.strip().splitlines()
    assert (
        "2 customers.",
        "Left out 2 customers who objected to advertising by letter.",
    ) == (lines[-2], lines[-1])
    assert ("Müller" in shown, "Lange" in shown, "Weiß" in shown) == (True, True, False)


def test_select_for_advertising_as_json_holds_the_customers_and_the_count(
    objecting: Cli,
) -> None:
    """--json with --advertising prints the customers and left_out."""
    data = objecting.json("customer select --advertising email")
    assert ([2, 3, 5], 1) == ([c["number"] for c in data["customers"]], data["left_out"])


def test_select_count_for_advertising_prints_the_number_alone(objecting: Cli) -> None:
    """--count keeps stdout to the number; --json adds left_out."""
    shown = objecting.ok("customer select --count --advertising letter")
    data = objecting.json("customer select --count --advertising letter")
    assert ("2", "objected" in shown.stderr, {"count": 2, "left_out": 2}) == (
        one_line(shown.stdout),
        True,
        data,
    )


def test_select_without_advertising_keeps_its_json_list(objecting: Cli) -> None:
    """Without --advertising the JSON stays the plain list of customers."""
    data = objecting.json("customer select")
    assert [1, 2, 3, 5] == [c["number"] for c in data]


# -- export customers --advertising -------------------------------------------------------


def test_export_for_advertising_leaves_out_objectors(objecting: Cli, tmp_path: Path) -> None:
    """The CSV holds 1 and 5 only; --json reports 2 exported and 2 left out."""
    file = tmp_path / "werbung.csv"
    data = objecting.json(f"export customers {file} --advertising letter")
    with file.open(encoding="utf-8", newline="") as handle:
        numbers = [int(row["number"]) for row in csv.DictReader(handle)]
    assert ([1, 5], 2, 2) == (numbers, data["exported"], data["left_out"])


def test_export_for_advertising_says_how_many_it_left_out(objecting: Cli, tmp_path: Path) -> None:
    """The text summary names the left-out customers and the channel."""
    shown = objecting.ok(f"export customers {tmp_path / 'k.csv'} --advertising email").stdout
    assert [
        f"Exported 3 customers to {tmp_path / 'k.csv'}.",
        "Left out 1 customer who objected to advertising by email.",
    ] == shown.strip().splitlines()


def test_export_writes_the_objections_and_import_records_them(
    objecting: Cli, tmp_path: Path
) -> None:
    """The export's advertising_objections column names the channels; an import records them
    in the new store's ledger, with the file as their source."""
    file = tmp_path / "alle.csv"
    objecting.ok(f"export customers {file}")
    with file.open(encoding="utf-8", newline="") as handle:
        cells = {int(r["number"]): r["advertising_objections"] for r in csv.DictReader(handle)}
    assert {1: "email", 2: "letter", 3: "letter", 5: ""} == cells
    target = Cli(f"sqlite:///{tmp_path / 'target.sqlite'}")
    assert "Recorded the objections of 3 customers." in target.ok(f"import customers {file}").stdout
    with objecting.book() as before, target.book() as after:
        assert [c.advertising_objections for c in before.select()] == [
            c.advertising_objections for c in after.select()
        ]
        assert [("letter", "import of alle.csv")] == [
            (c.channel.value, c.source) for c in after.marketing_choices(2)
        ]


# -- mail-merge --purpose / --channel -----------------------------------------------------


def test_an_advertising_mail_merge_leaves_out_letter_objectors(
    objecting: Cli, tmp_path: Path
) -> None:
    """By default (advertising, by letter) 2 and 3 get no letter; JSON says 2 left out."""
    out = tmp_path / "briefe"
    data = objecting.json(f"mail-merge {_template(tmp_path)} --out-dir {out}")
    assert ([1, 5], {"directory": str(out), "letters": 2, "left_out": 2}) == (
        _letter_numbers(out),
        data,
    )


def test_an_email_campaign_leaves_out_email_objectors(objecting: Cli, tmp_path: Path) -> None:
    """--channel email leaves out 1 only, and says so."""
    out = tmp_path / "mails"
    shown = objecting.ok(f"mail-merge {_template(tmp_path)} --out-dir {out} --channel email")
    assert ([2, 3, 5], "Left out 1 customer who objected to advertising by email.") == (
        _letter_numbers(out),
        shown.stdout.strip().splitlines()[-1],
    )


def test_a_contract_mail_merge_reaches_objectors(objecting: Cli, tmp_path: Path) -> None:
    """--purpose contract writes to everyone active and leaves out nobody."""
    out = tmp_path / "rechnungen"
    data = objecting.json(f"mail-merge {_template(tmp_path)} --out-dir {out} --purpose contract")
    assert ([1, 2, 3, 5], 0) == (_letter_numbers(out), data["left_out"])


def test_an_advertising_data_file_leaves_out_objectors(objecting: Cli, tmp_path: Path) -> None:
    """The data file of a letter campaign holds 1 and 5; JSON reports rows and left_out."""
    file = tmp_path / "serienbrief.csv"
    data = objecting.json(f"mail-merge --data-file {file} --fields Kunde-Nummer")
    rows = file.read_text(encoding="utf-8").splitlines()[1:]
    assert (["1", "5"], 2, 2) == (rows, data["rows"], data["left_out"])


def test_a_contract_data_file_holds_everyone(objecting: Cli, tmp_path: Path) -> None:
    """--purpose contract writes every active customer's row."""
    file = tmp_path / "vertrag.csv"
    shown = objecting.ok(
        f"mail-merge --data-file {file} --fields Kunde-Nummer --purpose contract --channel email"
    )
    rows = file.read_text(encoding="utf-8").splitlines()[1:]
    assert (["1", "2", "3", "5"], f"Wrote 4 rows to {file}.") == (rows, shown.stdout.strip())


def _last_percentage(stderr: str) -> str:
    return str(re.findall(r"(\d+)%", stderr)[-1])


def test_the_letters_progress_bar_ends_full_when_objectors_are_left_out(
    objecting: Cli, tmp_path: Path
) -> None:
    """The bar's total does not count the left-out customers, so it ends at 100%."""
    out = tmp_path / "briefe"
    shown = objecting(f"mail-merge {_template(tmp_path)} --out-dir {out}", env=TERMINAL)
    assert (0, "100") == (shown.exit_code, _last_percentage(shown.stderr))


def test_the_data_file_progress_bar_ends_full_when_objectors_are_left_out(
    objecting: Cli, tmp_path: Path
) -> None:
    """The same for a data file on the e-mail channel."""
    file = tmp_path / "daten.csv"
    shown = objecting(
        f"mail-merge --data-file {file} --fields Kunde-Nummer --channel email", env=TERMINAL
    )
    assert (0, "100") == (shown.exit_code, _last_percentage(shown.stderr))
