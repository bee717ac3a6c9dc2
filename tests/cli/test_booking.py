"""``custmodel booking``: record offers and firm bookings, list and show them."""

from __future__ import annotations

from decimal import Decimal

import attrs

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


def test_record_stores_the_statistics_fields(cli: Cli) -> None:
    """--revenue, --travel-type and --destination are stored on the booking and shown."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(
        "booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1 --revenue 2480.00 "
        "--travel-type Pauschalreise --destination Mallorca"
    )
    with cli.book() as book:
        stored = book.get_booking("VG-1")
    shown = cli.ok("booking show VG-1").stdout
    assert (Decimal("2480.00"), "Pauschalreise", "Mallorca", True) == (
        stored.revenue,
        stored.travel_type,
        stored.destination,
        "Mallorca" in shown and "2.480,00 €" in shown,
    )


def test_record_without_revenue_leaves_it_unknown(cli: Cli) -> None:
    """Without --revenue the booking's revenue is None (unknown), not zero."""
    cli.ok("customer", "register", "private", "Müller")
    data = cli.json("booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1")
    assert (None, None, None) == (
        data["booking"]["revenue"],
        data["booking"]["travel_type"],
        data["booking"]["destination"],
    )


def test_a_malformed_revenue_is_a_usage_error(cli: Cli) -> None:
    """--revenue 12,50 (a comma) exits with 2 and records nothing."""
    cli.ok("customer", "register", "private", "Müller")
    result = cli(
        "booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1 --revenue 12,50"
    )
    assert (2, True) == (result.exit_code, "--revenue" in result.stderr)


RECORD = "booking record VG-1 --customer 1 --departure 2027-05-01 --pos AG1"


def test_record_of_a_recorded_reference_is_refused(cli: Cli) -> None:
    """record of a reference recorded already exits 1, names it and points to update and move."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(f"{RECORD} --open-amount 100.00 --revenue 900.00")
    result = cli(f"{RECORD} --open-amount 5.00")
    with cli.book() as book:
        stored = book.get_booking("VG-1")
    assert (
        1,
        "error: booking 'VG-1' is recorded already (customer 1); change it with custmodel "
        "booking update, or give it to another customer with custmodel booking move",
        (Decimal("100.00"), Decimal("900.00")),
    ) == (result.exit_code, one_line(result.stderr), (stored.open_amount, stored.revenue))


def test_record_of_another_customers_reference_moves_nothing(cli: Cli) -> None:
    """record of customer 1's reference for customer 2 is refused; the booking stays with 1."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("customer", "register", "private", "Schulz")
    cli.ok(RECORD)
    result = cli("booking record VG-1 --customer 2 --departure 2027-05-01 --pos AG1")
    with cli.book() as book:
        owner = book.get_booking("VG-1").customer
    assert (1, 1, "customer 1" in one_line(result.stderr)) == (result.exit_code, owner, True)


def test_update_changes_only_the_options_given(cli: Cli) -> None:
    """update --pos changes the point of sale; revenue, open amount and the rest stay."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(
        f"{RECORD} --channel Holidu --external --open-amount 100.00 --revenue 900.00 "
        "--travel-type Kreuzfahrt --destination Karibik"
    )
    with cli.book() as book:
        before = book.get_booking("VG-1")
    shown = cli.ok("booking update VG-1 --pos AG2").stdout
    with cli.book() as book:
        after = book.get_booking("VG-1")
    assert (
        attrs.evolve(before, point_of_sale="AG2"),
        "Changed firm booking VG-1 of customer 1.",
    ) == (
        after,
        one_line(shown),
    )


def test_update_clear_revenue_forgets_the_revenue(cli: Cli) -> None:
    """update --clear-revenue makes the revenue unknown and keeps the open amount."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(f"{RECORD} --open-amount 100.00 --revenue 900.00")
    data = cli.json("booking update VG-1 --clear-revenue")
    assert (None, "100.00") == (data["booking"]["revenue"], data["booking"]["open_amount"])


def test_update_channel_keeps_whether_it_is_external(cli: Cli) -> None:
    """update --channel renames the channel of an external booking, which stays external."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(f"{RECORD} --channel Holidu --external")
    cli.ok("booking update VG-1 --channel Booking.com")
    with cli.book() as book:
        assert SalesChannel.external("Booking.com") == book.get_booking("VG-1").channel


def test_update_of_an_offer_to_firm_asks_for_a_deposit(cli: Cli) -> None:
    """An offer updated with --firm is a first capture: the output asks for a deposit."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(f"{RECORD} --offer")
    shown = cli.ok("booking update VG-1 --firm").stdout
    assert "Ask the customer for a deposit now" in shown


def test_update_with_a_value_and_its_clear_option_is_a_usage_error(cli: Cli) -> None:
    """--revenue with --clear-revenue contradicts itself: exit 2, nothing changed."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(f"{RECORD} --revenue 900.00")
    result = cli("booking update VG-1 --revenue 1.00 --clear-revenue")
    assert (2, "--revenue and --clear-revenue" in one_line(result.stderr)) == (
        result.exit_code,
        True,
    )


def test_update_without_a_field_is_a_usage_error(cli: Cli) -> None:
    """update that names no field to change exits 2."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok(RECORD)
    assert 2 == cli("booking update VG-1").exit_code


def test_update_of_an_unknown_reference_is_refused(cli: Cli) -> None:
    """update of a reference nobody recorded exits 1 with one error line."""
    result = cli("booking update VG-9 --pos AG2")
    assert (1, "error: booking 'VG-9' not found") == (result.exit_code, one_line(result.stderr))


def test_move_gives_the_booking_to_another_customer(cli: Cli) -> None:
    """move --to 2 gives VG-1 to customer 2 and says from whom it came."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("customer", "register", "private", "Schulz")
    cli.ok(f"{RECORD} --revenue 900.00")
    shown = cli.ok("booking move VG-1 --to 2").stdout
    with cli.book() as book:
        stored = book.get_booking("VG-1")
    assert ("Moved booking VG-1 from customer 1 to customer 2.", 2, Decimal("900.00")) == (
        one_line(shown),
        stored.customer,
        stored.revenue,
    )


def test_move_to_a_prospect_converts_it_in_json(cli: Cli) -> None:
    """move --json of a firm booking to a prospect gives the booking and the conversion."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("customer", "register", "prospect", "Becker")
    cli.ok(RECORD)
    data = cli.json("booking move VG-1 --to 2 --convert-to corporate")
    assert (2, 1, "prospect", "corporate") == (
        data["booking"]["customer"],
        data["from_customer"],
        data["conversion"]["old_kind"],
        data["conversion"]["new_kind"],
    )


def test_move_out_of_an_anonymized_customer_is_refused(cli: Cli) -> None:
    """An anonymized customer's booking is not moved to a named customer: exit 1."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("customer", "register", "private", "Schulz")
    cli.ok("booking record VG-1 --customer 1 --departure 2020-05-01 --pos AG1")
    cli.ok("gdpr", "anonymize", "1", "--agency", "AG1", "--yes")
    result = cli("booking move VG-1 --to 2")
    assert (1, "error: customer 1 is anonymized: cannot move its bookings") == (
        result.exit_code,
        one_line(result.stderr),
    )


def test_move_to_a_merged_customer_is_refused(cli: Cli) -> None:
    """A booking is not moved to a tombstone: exit 1, naming the master."""
    for name in ("Müller", "Schulz", "Schultz"):
        cli.ok("customer", "register", "private", name)
    cli.ok(RECORD)
    cli.ok("merge apply 2 3 --yes")
    result = cli("booking move VG-1 --to 3")
    assert (1, "error: customer 3 was merged into customer 2") == (
        result.exit_code,
        one_line(result.stderr),
    )
