"""Imports that fit German offices: semicolons and Windows-1252, resuming a stopped import, and a
full export (anonymized customers and objections included) that re-imports as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from custmodel import CustomerBook, NewCustomer, Selection
from tests.cli.conftest import SETTINGS, Cli, run_installed

NEW_FIELDS = [field.name for field in attrs.fields(NewCustomer)]

#: What Excel writes in Germany: semicolons, Windows-1252, CRLF; ä ö ü ß and € in it.
WINDOWS_FILE = (
    "kind;last_name;first_name;city;notes\r\n"
    "private;Müller;Jürgen;Köln;\r\n"
    "private;Weiß;Björn;Düsseldorf;Anzahlung 100 €\r\n"
    "private;Größe;Änne;Fürth;\r\n"
).encode("cp1252")


def stored(book: CustomerBook) -> list[tuple[Any, ...]]:
    """Every customer as an import keeps it, in number order: its draft's fields, whether it
    is anonymized and its objections (numbers, accounts and timestamps are given anew).
    """
    return [
        (
            tuple(getattr(c, name) for name in NEW_FIELDS),
            c.is_anonymized,
            c.advertising_objections,
        )
        for c in book.iter_customers(Selection())
    ]


def names(cli: Cli) -> list[str]:
    """The last names of every customer, by number."""
    with cli.book() as book:
        return [c.last_name for c in book.select()]


def test_a_semicolon_windows_file_is_found_out_and_imported(cli: Cli, tmp_path: Path) -> None:
    """Semicolons and Windows-1252 are detected; the import says it read Windows-1252."""
    file = tmp_path / "kunden.csv"
    file.write_bytes(WINDOWS_FILE)
    result = cli.ok(f"import customers {file}")
    assert "kunden.csv is not UTF-8 (line 2 is not): read as Windows-1252 (cp1252)" in (
        result.stderr
    )
    assert "Imported 3 of 3 customers (numbers 1 to 3)" in result.stdout
    with cli.book() as book:
        assert [
            ("Müller", "Jürgen", "Köln", ""),
            ("Weiß", "Björn", "Düsseldorf", "Anzahlung 100 €"),
            ("Größe", "Änne", "Fürth", ""),
        ] == [(c.last_name, c.first_name, c.city, c.notes) for c in book.select()]


def test_utf8_named_for_a_windows_file_is_refused_naming_the_line(cli: Cli, tmp_path: Path) -> None:
    """--encoding utf-8 on Windows-1252 bytes names the line and suggests cp1252."""
    file = tmp_path / "kunden.csv"
    file.write_bytes(WINDOWS_FILE)
    result = cli(f"import customers {file} --encoding utf-8")
    assert 2 == result.exit_code
    assert (
        "error: kunden.csv is not utf-8 text: line 2 cannot be decoded; a file from Excel or "
        "Windows is often --encoding cp1252"
    ) == result.stderr.strip()
    assert [] == names(cli)


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused(cli: Cli, tmp_path: Path) -> None:
    """A byte Windows-1252 does not define (0x81) leaves no guess: refused, line named."""
    file = tmp_path / "kunden.csv"
    file.write_bytes(b"kind;last_name\nprivate;A\nprivate;\x81\n")
    result = cli(f"import customers {file}")
    assert 2 == result.exit_code
    assert "neither UTF-8 (line 3 is not) nor Windows-1252 text" in result.stderr
    assert [] == names(cli)


def test_a_wrong_delimiter_says_which_one_the_header_seems_to_use(cli: Cli, tmp_path: Path) -> None:
    """--delimiter , on a semicolon file: the header line is named with the delimiter to try."""
    file = tmp_path / "kunden.csv"
    file.write_bytes(WINDOWS_FILE)
    result = cli(f"import customers {file} --encoding cp1252 --delimiter ,")
    assert 2 == result.exit_code
    assert "the header row (line 1) names columns custmodel does not import" in result.stderr
    assert "the delimiter seems to be ;, not ,: try --delimiter ';'" in result.stderr
    assert [] == names(cli)


def test_a_tab_separated_file_is_read_with_delimiter_tab(cli: Cli, tmp_path: Path) -> None:
    """--delimiter tab reads cells that hold commas and semicolons as they are."""
    file = tmp_path / "kunden.csv"
    file.write_text("kind\tlast_name\tcode2\nprivate\tA\tx, y; z\n", encoding="utf-8")
    cli.ok(f"import customers {file} --delimiter tab")
    with cli.book() as book:
        assert ["x, y; z"] == [c.code2 for c in book.select()]


def test_the_installed_command_imports_a_windows_file(cli: Cli, tmp_path: Path) -> None:
    """The console script reads a semicolon Windows-1252 file and says what it guessed."""
    file = tmp_path / "kunden.csv"
    file.write_bytes(WINDOWS_FILE)
    result = run_installed("--db", cli.url, "import", "customers", str(file), cwd=tmp_path)
    assert (0, "Imported 3 of 3 customers (numbers 1 to 3) from kunden.csv.") == (
        result.returncode,
        result.stdout.strip(),
    )
    assert "read as Windows-1252" in result.stderr
    assert ["Müller", "Weiß", "Größe"] == names(cli)


# -- stopping and resuming ------------------------------------------------------------------


@pytest.fixture
def stops_at_row_3(cli: Cli, tmp_path: Path) -> Path:
    """A file of 4 customers whose third one is past the kind's debtor range."""
    cli.ok("settings set --kind private --debtor-max 10002")
    file = tmp_path / "kunden.csv"
    file.write_text("kind,last_name\nprivate,A\nprivate,B\nprivate,C\nprivate,D\n", "utf-8")
    return file


def test_a_failed_batch_says_what_was_stored_and_the_resume_does_not_duplicate(
    cli: Cli, stops_at_row_3: Path
) -> None:
    """The second batch fails: 2 stored, the resume command is named; running it after the
    cause is fixed imports rows 3 and 4 only."""
    file = stops_at_row_3
    result = cli(f"import customers {file} --batch-size 2")
    assert 1 == result.exit_code
    assert (
        f"at row 3 (line 4); the 2 customers before it were imported, nothing from there on; "
        f"resume with: custmodel import customers {file} --start-row 3"
    ) in " ".join(result.stderr.split())
    assert ["A", "B"] == names(cli)

    cli.ok("settings set --kind private --no-debtor-range")
    resumed = cli.ok(f"import customers {file} --batch-size 2 --start-row 3")
    assert "Imported 2 of 2 customers (numbers 3 to 4) from kunden.csv, from row 3 on." == (
        resumed.stdout.strip()
    )
    assert ["A", "B", "C", "D"] == names(cli)


def test_a_resume_from_the_wrong_row_is_refused(cli: Cli, stops_at_row_3: Path) -> None:
    """Row 2 before --start-row 3 must be the customer stored last; row 1 is not: refused."""
    cli(f"import customers {stops_at_row_3} --batch-size 2")
    cli.ok("settings set --kind private --no-debtor-range")
    result = cli(f"import customers {stops_at_row_3} --start-row 2")
    assert 1 == result.exit_code
    assert (
        "--start-row 2: row 1 (line 2), the row before it, is not what the store holds last "
        "(the customer stored last is customer 2)"
    ) in result.stderr
    assert ["A", "B"] == names(cli)


def test_a_start_row_past_the_end_is_refused(cli: Cli, stops_at_row_3: Path) -> None:
    """--start-row 9 on a file of 4 rows: refused, nothing imported."""
    result = cli(f"import customers {stops_at_row_3} --start-row 9")
    assert (2, "--start-row 9 is past the end of kunden.csv, which holds 4 rows") == (
        result.exit_code,
        result.stderr.strip().removeprefix("error: "),
    )
    assert [] == names(cli)


@pytest.mark.parametrize(
    ("after_commit", "stored", "next_row"), [(False, 2, 3), (True, 4, 5)], ids=["before", "after"]
)
def test_ctrl_c_says_what_was_stored_and_exits_130(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    after_commit: bool,
    stored: int,
    next_row: int,
) -> None:
    """Ctrl-C in the second batch, before or after its commit: exit 130, the count stored and
    the resume command; the resume then imports the rest once."""
    file = tmp_path / "kunden.csv"
    file.write_text("kind,last_name\nprivate,A\nprivate,B\nprivate,C\nprivate,D\n", "utf-8")
    real = CustomerBook.register_many
    calls: list[int] = []

    def interrupted(self: CustomerBook, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            if after_commit:
                real(self, *args, **kwargs)
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CustomerBook, "register_many", interrupted)
    result = cli(f"import customers {file} --batch-size 2")
    assert 130 == result.exit_code
    assert (
        f"error: interrupted; {stored} customers were imported; resume with: custmodel import "
        f"customers {file} --start-row {next_row}"
    ) in " ".join(result.stderr.split())
    monkeypatch.setattr(CustomerBook, "register_many", real)
    cli.ok(f"import customers {file} --start-row {next_row}")
    assert ["A", "B", "C", "D"] == names(cli)


def test_the_installed_command_stops_and_resumes(cli: Cli, stops_at_row_3: Path) -> None:
    """The console script names the resume command, and running it completes the import."""
    tmp_path = stops_at_row_3.parent
    stopped = run_installed(
        "--db",
        cli.url,
        "import",
        "customers",
        str(stops_at_row_3),
        "--batch-size",
        "2",
        cwd=tmp_path,
    )
    assert 1 == stopped.returncode
    assert "the 2 customers before it were imported" in stopped.stderr
    command = stopped.stderr.split("resume with: custmodel ")[1].split(" (and")[0].split()
    cli.ok("settings set --kind private --no-debtor-range")
    resumed = run_installed("--db", cli.url, *command, cwd=tmp_path)
    assert 0 == resumed.returncode, resumed.stderr
    assert ["A", "B", "C", "D"] == names(cli)


# -- a full export re-imports ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The demo's data set of 300 customers (merged, anonymized and unlabelled flags among
    them), with objections to advertising recorded for two customers."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    demo = Cli(f"sqlite:///{path}")
    demo.ok("demo --customers 300")
    demo.ok("gdpr object 5 --channel email --channel sms --source Brief")
    demo.ok("gdpr object 7 --source Anruf")
    return demo


def test_a_full_export_of_the_demo_re_imports_as_it_is(demo_store: Cli, tmp_path: Path) -> None:
    """Settings and customers of the demo exported and imported into a new store: the same
    settings, and the same customers in the same order, anonymized ones and objections too."""
    customers, settings = tmp_path / "kunden.csv", tmp_path / "einstellungen.json"
    demo_store.ok(f"export customers {customers}")
    demo_store.ok(f"settings export {settings}")
    target = Cli(f"sqlite:///{tmp_path / 'new.sqlite'}")
    target.ok(f"settings import {settings} --no-templates")
    imported = target.ok(f"import customers {customers} --keep-unlabelled-flags")
    assert "Recorded the objections of 2 customers." in imported.stdout
    target.ok(f"settings import {settings} --replace")
    with demo_store.book() as before, target.book() as after:
        assert before.settings == after.settings
        expected = stored(before)
        assert any(anonymized for _, anonymized, _ in expected)
        assert expected == stored(after)


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_anonymized_customers_and_objections_round_trip(
    cli: Cli, tmp_path: Path, suffix: str
) -> None:
    """An anonymized customer comes back anonymized, objections come back recorded in the
    ledger with the file as their source, in CSV and JSON Lines."""
    cli.ok("customer register private Müller --first-name Jürgen")
    cli.ok("customer register private Weiß --category A")
    cli.ok("gdpr object 2 --channel letter --source Brief")
    cli.ok("gdpr anonymize 1 --agency AG1 --yes")
    file = tmp_path / f"kunden.{suffix}"
    cli.ok(f"export customers {file}")
    target = Cli(f"sqlite:///{tmp_path / 'new.sqlite'}")
    with target.book() as book:
        book.configure(SETTINGS)
    result = target.json(f"import customers {file}")
    assert {"imported": 2, "anonymized": 1, "objections": 1} == {
        key: result[key] for key in ("imported", "anonymized", "objections")
    }
    with cli.book() as before, target.book() as after:
        assert stored(before) == stored(after)
        assert [f"import of kunden.{suffix}"] == [c.source for c in after.marketing_choices(2)]


def test_the_installed_command_round_trips_a_full_export(demo_store: Cli, tmp_path: Path) -> None:
    """The console script: settings and customers out of the demo and into a new store."""
    target = f"sqlite:///{tmp_path / 'new.sqlite'}"
    for args in (
        (demo_store.url, "export", "customers", "kunden.jsonl"),
        (demo_store.url, "settings", "export", "einstellungen.json"),
        (target, "settings", "import", "einstellungen.json", "--no-templates"),
        (target, "import", "customers", "kunden.jsonl", "--keep-unlabelled-flags", "--json"),
    ):
        result = run_installed("--db", *args, cwd=tmp_path)
        assert 0 == result.returncode, result.stderr
    with demo_store.book() as before, Cli(target).book() as after:
        assert len(stored(before)) == json.loads(result.stdout)["imported"]
        assert stored(before) == stored(after)


def test_ctrl_c_while_anonymizing_names_the_customers_left_to_finish(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored rows whose anonymization an interruption cut off are named; once they are
    anonymized by hand, the resume finds the file complete."""
    file = tmp_path / "kunden.csv"
    file.write_text(
        "kind,last_name,anonymized_at\nprivate,A,\nprivate,Anonymisiert,2026-01-05T10:00:00Z\n"
        "private,Anonymisiert,2026-01-06T10:00:00Z\n",
        "utf-8",
    )

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    real = CustomerBook.anonymize
    monkeypatch.setattr(CustomerBook, "anonymize", interrupted)
    result = cli(f"import customers {file}")
    assert 130 == result.exit_code
    assert (
        "error: interrupted; 3 customers were imported; customers 2, 3 still lack the "
        "objections or the anonymization of the file"
    ) in " ".join(result.stderr.split())
    assert "--start-row 4" in result.stderr
    monkeypatch.setattr(CustomerBook, "anonymize", real)
    assert 1 == cli(f"import customers {file} --start-row 4").exit_code
    cli.ok("gdpr anonymize 2 --agency AG1 --yes")
    cli.ok("gdpr anonymize 3 --agency AG1 --yes")
    assert "Imported 0 of 0 customers" in cli.ok(f"import customers {file} --start-row 4").stdout
    with cli.book() as book:
        assert [False, True, True] == [c.is_anonymized for c in book.select()]
