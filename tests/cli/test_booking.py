"""``custmodel booking``: record offers and firm bookings, list and show them."""

from __future__ import annotations

from decimal import Decimal

from custmodel import BookingKind, SalesChannel
from tests.cli.conftest import Cli, one_line


def test_record_stores_a_firm_booking_with_every_option(cli: Cli) -> None:
    """record stores reference, customer, departure, point of sale, channel and open amount."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(
        "booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG2 "
        "--channel Holidu --external --open-amount 99.90"
    )
    with cli.book() as book:
        stored = book.get_booking("VG-1")
    expected = (BookingKind.BOOKING, "2027-05-01", "AG2", SalesChannel.external("Holidu"))
    assert expected == (
        stored.kind,
        stored.departure.isoformat(),
        stored.point_of_sale,
        stored.channel,
    )
    assert Decimal("99.90") == stored.open_amount


def test_record_asks_for_a_deposit_at_the_first_firm_capture(cli: Cli) -> None:
    """A first firm booking on a kind with the deposit prompt says to ask for a deposit."""
    cli.ok("customer", "register", "private", "Müller")
    shown = cli.ok("booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1").stdout
    assert "Ask the customer for a deposit now" in shown


def test_record_of_an_offer_does_not_convert_a_prospect(cli: Cli) -> None:
    """An offer leaves a prospect a prospect: the JSON has no conversion."""
    cli.ok("customer", "register", "prospect", "Becker")
    data = cli.json("booking record AN-1 --offer --customer 1 --departure 2027-05-01 --pos AG1")
    assert (None, "offer", False) == (
        data["conversion"],
        data["booking"]["kind"],
        data["deposit_prompt"],
    )


def test_record_of_a_firm_booking_converts_a_prospect(cli: Cli) -> None:
    """A prospect's first firm booking converts it to --convert-to, printed with the new account."""
    cli.ok("customer register prospect Becker --category Aussichtsreich")
    shown = cli.ok(
        "booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1 --convert-to corporate"
    ).stdout
    assert "prospect -> corporate, debtor account 100001 -> 60001" in shown
    assert "Dropped category 'Aussichtsreich'" in shown


def test_record_with_a_bad_departure_is_a_usage_error(cli: Cli) -> None:
    """A departure that is no ISO date exits with 2."""
    cli.ok("customer", "register", "private", "Müller")
    result = cli("booking record VG-1 --customer 1 --departure 1.5.2027 --pos AG1")
    assert (2, True) == (result.exit_code, "--departure" in one_line(result.stderr))


def test_record_for_an_anonymized_customer_is_refused(cli: Cli) -> None:
    """An anonymized customer takes no bookings: exit 1, one error line."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("gdpr", "anonymize", "1", "--agency", "AG1", "--yes")
    result = cli("booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1")
    assert (1, "error: customer 1 is anonymized: cannot record a booking") == (
        result.exit_code,
        one_line(result.stderr),
    )


def test_list_shows_a_customers_bookings(cli: Cli) -> None:
    """list prints the bookings in a table, and as JSON a list ordered by reference."""
    cli.ok("customer", "register", "private", "Müller")
    for reference in ("VG-2", "VG-1"):
        cli.ok(f"booking record {reference} --customer 1 --departure 2027-05-01 --pos AG1")
    assert ["VG-1", "VG-2"] == [b["reference"] for b in cli.json("booking", "list", "1")]
    assert "2 bookings." in cli.ok("booking", "list", "1").stdout


def test_show_gives_one_booking(cli: Cli) -> None:
    """show prints the booking; an unknown reference exits with 1."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1 --open-amount 10.00")
    assert "10.00" == cli.json("booking", "show", "VG-1")["open_amount"]
    assert "AG1" in cli.ok("booking", "show", "VG-1").stdout
    assert 1 == cli("booking", "show", "VG-9").exit_code


def test_record_keep_status_keeps_a_converted_prospects_flags(cli: Cli) -> None:
    """--keep-status keeps the flags of a prospect that a firm booking converts."""
    cli.ok("customer register prospect Becker --flag 1")
    cli.ok("booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1 --keep-status")
    with cli.book() as book:
        assert frozenset({1}) == book.get(1).status.numbers
