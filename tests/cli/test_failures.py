"""Clear failures: a store that cannot be opened, values out of range, consistent wording."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from custmodel import CustomerKind
from custmodel.cli._common import money
from tests.cli.conftest import Cli, one_line, run_installed
from tests.servers import POSTGRES_ENV, server_url

# A store that cannot be opened or reached


def test_a_sqlite_file_in_a_missing_directory_says_unable_to_open(tmp_path: Path) -> None:
    """The one error line names the file and SQLite's reason; exit 1."""
    url = f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}"

    result = Cli(url)("customer select")

    assert (1, f"error: cannot open the database {url}: unable to open database file") == (
        result.exit_code,
        one_line(result.stderr),
    )


def test_a_file_that_is_no_database_says_so(tmp_path: Path) -> None:
    """A text file given as the store is reported as no database, in one line."""
    path = tmp_path / "notes.txt"
    path.write_text("not a database, but long enough to have a header of one\n" * 3)

    result = Cli(f"sqlite:///{path}")("customer select")

    assert (1, True) == (
        result.exit_code,
        one_line(result.stderr).endswith(": file is not a database"),
    )


def test_the_installed_command_says_why_a_sqlite_store_cannot_be_opened(tmp_path: Path) -> None:
    """The console command prints the reason, not "database error (OperationalError)"."""
    url = f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}"

    result = run_installed("--db", url, "customer", "select", cwd=tmp_path)

    assert (1, "", f"error: cannot open the database {url}: unable to open database file") == (
        result.returncode,
        result.stdout,
        one_line(result.stderr),
    )


@pytest.mark.server
def test_the_installed_command_names_a_missing_postgresql_database(tmp_path: Path) -> None:
    """PostgreSQL's "database ... does not exist" reaches the user; the password does not."""
    planted = "pw-never-shown"
    url = make_url(server_url("postgresql")).set(database="cm_no_such_db", password=planted)

    result = run_installed(
        "--db", url.render_as_string(hide_password=False), "customer", "select", cwd=tmp_path
    )

    line = one_line(result.stderr)
    assert (1, True, True, False) == (
        result.returncode,
        'database "cm_no_such_db" does not exist' in line
        or "password authentication failed" in line,
        ":***@" in line,
        planted in line,
    ), f"{POSTGRES_ENV}: {line}"


# Values out of range: one usage line, exit 2

BAD_INVOCATIONS = [
    ("customer show -5", "a negative number is not accepted here"),
    ("customer dunning 1 -12.50", "a negative number is not accepted here"),
    ("merge plan 1 -3", "a negative number is not accepted here"),
    ("customer show 0", "a customer number is a whole number from 1"),
    ("customer show 99999999999999999999", "a customer number is a whole number from 1"),
    ("booking move VG-1 --to 0", "a customer number is a whole number from 1"),
    ("customer set-status 33 --all", "from 1 to 32"),
    ("customer select --flag 0", "from 1 to 32"),
    ("settings label private 40 Rabatt", "from 1 to 32"),
    ("customer dunning 1 1.234", "two decimals"),
    ("customer dunning 1 1e30", "must not exceed"),
    ("customer dunning 1 12,50", "OPEN_AMOUNT must be an amount like 1234.50"),
    ("settings set --kind private --dunning-fee 1e40", "must not exceed"),
    ("settings set --anonymization-delay 99999999", "from 0 to 36500"),
    ("settings retention private --prospect-idle-months 0", "from 1 to 1200"),
    ("stats --year 0", "a year is a whole number from 1 to 9999"),
    ("customer history 1 --limit 0", "a limit is a whole number from 1"),
    ("gdpr sweep --agency AG1 --batch-size 0", "--batch-size must be at least 1"),
    ("merge duplicates --threshold 5", "threshold is a number in (0, 1]"),
    ("demo --customers 5", "300 to 100000"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_INVOCATIONS, ids=[a for a, _ in BAD_INVOCATIONS])
def test_a_value_out_of_range_is_one_usage_line(cli: Cli, args: str, expected: str) -> None:
    """Exit 2 and one line starting with "error:" that says what is accepted."""
    if not args.startswith("demo"):  # the demo wants an empty store
        cli.ok("customer register private Muster")

    result = cli(args)

    line = one_line(result.stderr)
    assert (2, True, True) == (result.exit_code, line.startswith("error: "), expected in line), line


@pytest.mark.parametrize("label", ["", "  "])
def test_an_empty_status_label_is_refused_and_changes_nothing(cli: Cli, label: str) -> None:
    """An empty LABEL is a usage error (it used to delete the label, saying it set '')."""
    result = cli("settings", "label", "private", "1", label)

    with cli.book() as book:
        kept = book.settings.kind(CustomerKind.PRIVATE).status_labels.get(1)
    assert (2, "VIP") == (result.exit_code, kept), one_line(result.stderr)


def test_the_installed_command_refuses_a_negative_number_in_one_line(tmp_path: Path) -> None:
    """A negative customer number is one usage line, not Click's "No such option"."""
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"

    result = run_installed("--db", url, "customer", "show", "-5", cwd=tmp_path)

    assert (2, True) == (
        result.returncode,
        one_line(result.stderr).startswith("error: a negative number is not accepted here"),
    )


# Wording: plurals and one money format


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("1234.5"), "1.234,50 €"), (Decimal("0"), "0,00 €"), (None, "")],
)
def test_money_is_shown_german_style(amount: Decimal | None, shown: str) -> None:
    """Every text output shows amounts as "1.234,50 €"; an unknown one as nothing."""
    assert shown == money(amount)


def test_a_booking_list_shows_the_open_amount_german_style(cli: Cli) -> None:
    """The booking table uses the same money format as letters and statistics."""
    cli.ok("customer register private Muster")
    cli.ok("booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1 --open-amount 2400")

    shown = cli.ok("booking list 1").stdout

    assert (True, False) == ("2.400,00 €" in shown, "2400.00" in shown)


def test_one_day_of_delay_is_one_day(cli: Cli) -> None:
    """Counts in text output agree with their noun: "1 day", not "1 days"."""
    cli.ok("settings set --anonymization-delay 1")

    shown = cli.ok("settings show").stdout

    assert (True, False) == ("1 day " in shown, "1 days" in shown)
