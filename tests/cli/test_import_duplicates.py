"""``custmodel import customers --duplicates warn|refuse --duplicate-report FILE``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from custmodel.cli._duplicate_report import REPORT_COLUMNS
from tests.cli.conftest import SETTINGS, Cli

FILE = (
    "kind,last_name,first_name,email\n"
    "private,Meier,Karl,km@example.org\n"
    "private,Schulz,Petra,\n"
    "private,Test,Testine,testine@example.org\n"
    "private,Meier,Karl,km@example.org\n"
)


@pytest.fixture
def cli_with_testine(tmp_path: Path) -> Cli:
    """A book holding customer 1, "Test, Testine"."""
    pytest.importorskip("rapidfuzz")
    runner = Cli(f"sqlite:///{tmp_path / 'import.sqlite'}")
    with runner.book() as book:
        book.configure(SETTINGS)
        book.register(
            "private",  # type: ignore[call-overload]  # a kind's value, as the command line has it
            "Test",
            first_name="Testine",
            email="testine@example.org",
        )
    return runner


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert REPORT_COLUMNS == tuple(reader.fieldnames or ())
        return list(reader)


def test_warn_imports_and_reports_duplicates_in_the_file_and_the_store(
    cli_with_testine: Cli, tmp_path: Path
) -> None:
    """Every row is imported; the report names the stored twin and the earlier row."""
    file, report = tmp_path / "k.csv", tmp_path / "dubletten.csv"
    file.write_text(FILE, encoding="utf-8")

    data = cli_with_testine.json(
        "import", "customers", str(file), "--duplicates", "warn", "--duplicate-report", str(report)
    )

    assert {"file": str(file), "imported": 4, "first": 2, "last": 5, "likely_duplicates": 2} == (
        data
    )
    found = [
        (r["row"], r["customer"], r["duplicate_of_row"], r["duplicate_of_customer"])
        for r in _report(report)
    ]
    assert [
        ("row 3 (line 4)", "4", "", "1"),
        ("row 4 (line 5)", "5", "row 1 (line 2)", "2"),
    ] == found


def test_a_report_alone_implies_warn(cli_with_testine: Cli, tmp_path: Path) -> None:
    """--duplicate-report without --duplicates imports and says how many it flagged."""
    file, report = tmp_path / "k.csv", tmp_path / "dubletten.csv"
    file.write_text(FILE, encoding="utf-8")

    shown = cli_with_testine.ok(f"import customers {file} --duplicate-report {report}").stdout

    assert f"2 imported customers with likely duplicates; see {report}." in shown
    assert 2 == len(_report(report))


def test_refuse_stops_at_the_batch_with_a_duplicate_and_reports_it(
    cli_with_testine: Cli, tmp_path: Path
) -> None:
    """With refuse and batches of 2, the first batch is imported, the second refused."""
    file, report = tmp_path / "k.csv", tmp_path / "dubletten.csv"
    file.write_text(FILE, encoding="utf-8")

    result = cli_with_testine(
        "import customers",
        str(file),
        "--duplicates",
        "refuse",
        "--batch-size",
        "2",
        "--duplicate-report",
        str(report),
    )

    assert 1 == result.exit_code
    assert (
        "error: likely duplicates: row 3 (line 4) is probably customer 1; row 4 (line 5) is "
        "probably customer 2. The 2 customers before row 3 (line 4) were imported, nothing from "
        f"there on; resume with: custmodel import customers {file} --start-row 3 (and this "
        "run's other options)"
    ) == result.stderr.strip()
    assert "Testine" not in result.stderr
    assert [
        ("row 3 (line 4)", "", "1"),
        ("row 4 (line 5)", "row 1 (line 2)", "2"),
    ] == [(r["row"], r["duplicate_of_row"], r["duplicate_of_customer"]) for r in _report(report)]
    with cli_with_testine.book() as book:
        assert 3 == book.count()


def test_off_is_the_default(cli_with_testine: Cli, tmp_path: Path) -> None:
    """Without the options the file is imported as before, duplicates and all, unreported."""
    file = tmp_path / "k.csv"
    file.write_text(FILE, encoding="utf-8")

    assert {"file": str(file), "imported": 4, "first": 2, "last": 5} == (
        cli_with_testine.json(f"import customers {file}")
    )
