"""``custmodel booking``: record, change and move offers and firm bookings; list and show them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import typer

from custmodel import (
    Booking,
    BookingExistsError,
    BookingKind,
    BookingRecorded,
    CustomerKind,
    KindChange,
    SalesChannel,
)
from custmodel.cli._common import (
    AsJson,
    BadValue,
    CommandRefusedError,
    Number,
    Output,
    book,
    money,
    parse_date,
    parse_money,
    subcommands,
)

__all__ = ["BOOKING_COLUMNS", "app", "booking_rows"]

app = subcommands(
    help=(
        "Record offers and firm bookings (Vorgänge), change or move them; list a customer's "
        "bookings."
    ),
    epilog="Example: custmodel booking list 3",
)

BOOKING_COLUMNS = ("Reference", "Customer", "Kind", "Departure", "POS", "Channel", "Open amount")


def booking_rows(bookings: Iterable[Booking]) -> Iterable[tuple[Any, ...]]:
    """One table row per booking, for :data:`BOOKING_COLUMNS`."""
    for b in bookings:
        channel = f"{b.channel.name} (external)" if b.channel.is_external else b.channel.name
        yield (
            b.reference,
            b.customer,
            b.kind.value,
            b.departure,
            b.point_of_sale,
            channel,
            money(b.open_amount),
        )


ConvertTo = Annotated[
    CustomerKind,
    typer.Option(
        "--convert-to",
        case_sensitive=False,
        help="The kind a prospect becomes at its first firm booking.",
    ),
]
KeepStatus = Annotated[
    bool, typer.Option("--keep-status", help="A converted prospect keeps its flags.")
]


@app.command(
    epilog=(
        "Example: custmodel booking record VG-1001 --customer 5 --departure 2027-05-01 "
        "--pos AG1 --channel Filiale --open-amount 2400.00 --revenue 2400.00 "
        "--travel-type Pauschalreise --destination Mallorca"
    )
)
def record(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The booking reference (Vorgangsnummer).")],
    customer: Annotated[int, typer.Option("--customer", help="The customer's number.")],
    departure: Annotated[str, typer.Option("--departure", help="First day of travel.")],
    point_of_sale: Annotated[
        str, typer.Option("--pos", help="The agency that sold it (point of sale).")
    ],
    offer: Annotated[
        bool, typer.Option("--offer/--firm", help="An offer (Angebot) or a firm booking.")
    ] = False,
    channel: Annotated[
        str, typer.Option("--channel", help="The sales channel's name.")
    ] = SalesChannel.own().name,
    external: Annotated[
        bool,
        typer.Option(
            "--external/--own", help="The channel is an external partner (Booking.com, Holidu)."
        ),
    ] = False,
    open_amount: Annotated[
        str, typer.Option("--open-amount", help="What the customer still owes, EUR.")
    ] = "0.00",
    revenue: Annotated[
        str | None,
        typer.Option(
            "--revenue",
            help="The booking's revenue (Umsatz), EUR, for statistics.",
            show_default=False,
        ),
    ] = None,
    travel_type: Annotated[
        str | None,
        typer.Option("--travel-type", help="Reiseart: Pauschalreise, Kreuzfahrt... (statistics)."),
    ] = None,
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="Zielgebiet: Mallorca, Kreta... (statistics)."),
    ] = None,
    convert_to: ConvertTo = CustomerKind.PRIVATE,
    keep_status: KeepStatus = False,
    as_json: AsJson = False,
) -> None:
    """Record a new booking; a reference that is recorded already is refused.

    A prospect becomes a customer at its first firm booking; the output says so, and whether
    to ask for a deposit now. Change a recorded booking with custmodel booking update, give it
    to another customer with custmodel booking move.
    """
    booking = Booking(
        reference=reference,
        customer=customer,
        kind=BookingKind.OFFER if offer else BookingKind.BOOKING,
        departure=parse_date(departure, "--departure"),
        point_of_sale=point_of_sale,
        channel=SalesChannel(channel, is_external=external),
        open_amount=parse_money(open_amount, "--open-amount"),
        revenue=None if revenue is None else parse_money(revenue, "--revenue"),
        travel_type=travel_type,
        destination=destination,
    )
    try:
        recorded = book(ctx).record_booking(
            booking, convert_to=convert_to, keep_status=keep_status, replace=False
        )
    except BookingExistsError as error:
        raise CommandRefusedError(
            f"booking {error.reference!r} is recorded already (customer {error.owner}); "
            "change it with custmodel booking update, or give it to another customer with "
            "custmodel booking move"
        ) from error
    _show_recorded(Output(as_json), "Recorded", recorded)


def _show_recorded(out: Output, done: str, recorded: BookingRecorded) -> None:
    if out.as_json:
        out.json(recorded)
        return
    booking = recorded.booking
    what = "firm booking" if booking.is_firm else "offer"
    out.line(f"{done} {what} {booking.reference} of customer {booking.customer}.")
    _show_conversion(out, booking.customer, recorded.conversion)
    if recorded.deposit_prompt:
        out.line("Ask the customer for a deposit now (first capture of a firm booking).")


def _show_conversion(out: Output, customer: int, change: KindChange | None) -> None:
    if change is None:
        return
    out.line(
        f"Customer {customer} converted: {change.old_kind.value} -> "
        f"{change.new_kind.value}, debtor account {change.old_debtor_account} -> "
        f"{change.new_debtor_account}."
    )
    if change.dropped_category is not None:
        out.line(f"Dropped category {change.dropped_category!r}.")
    if change.dropped_status:
        out.line(f"Dropped status flags: {' '.join(map(str, change.dropped_status))}.")


@app.command(
    epilog="Example: custmodel booking update VG-1001 --open-amount 0.00 --clear-destination"
)
def update(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The booking reference (Vorgangsnummer).")],
    departure: Annotated[
        str | None, typer.Option("--departure", help="First day of travel.", show_default=False)
    ] = None,
    point_of_sale: Annotated[
        str | None,
        typer.Option("--pos", help="The agency that sold it (point of sale).", show_default=False),
    ] = None,
    offer: Annotated[
        bool | None,
        typer.Option(
            "--offer/--firm",
            help="Make it an offer, or a firm booking (a first capture).",
            show_default=False,
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            help="The sales channel's name (keeps whether it is external).",
            show_default=False,
        ),
    ] = None,
    external: Annotated[
        bool | None,
        typer.Option(
            "--external/--own",
            help="The channel is an external partner, or an own one (keeps its name).",
            show_default=False,
        ),
    ] = None,
    open_amount: Annotated[
        str | None,
        typer.Option(
            "--open-amount", help="What the customer still owes, EUR.", show_default=False
        ),
    ] = None,
    revenue: Annotated[
        str | None,
        typer.Option("--revenue", help="The booking's revenue, EUR.", show_default=False),
    ] = None,
    clear_revenue: Annotated[
        bool, typer.Option("--clear-revenue", help="Forget the revenue (unknown).")
    ] = False,
    travel_type: Annotated[
        str | None,
        typer.Option("--travel-type", help="Reiseart (statistics).", show_default=False),
    ] = None,
    clear_travel_type: Annotated[
        bool, typer.Option("--clear-travel-type", help="Forget the travel type.")
    ] = False,
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="Zielgebiet (statistics).", show_default=False),
    ] = None,
    clear_destination: Annotated[
        bool, typer.Option("--clear-destination", help="Forget the destination.")
    ] = False,
    convert_to: ConvertTo = CustomerKind.PRIVATE,
    keep_status: KeepStatus = False,
    as_json: AsJson = False,
) -> None:
    """Change the fields of a recorded booking that the options name; the others stay.

    The customer stays too: custmodel booking move gives a booking to another customer.
    Making an offer firm is its first capture: a prospect converts, and the output says
    whether to ask for a deposit now.
    """
    changes: dict[str, Any] = {}
    if departure is not None:
        changes["departure"] = parse_date(departure, "--departure")
    if point_of_sale is not None:
        changes["point_of_sale"] = point_of_sale
    if offer is not None:
        changes["kind"] = BookingKind.OFFER if offer else BookingKind.BOOKING
    if open_amount is not None:
        changes["open_amount"] = parse_money(open_amount, "--open-amount")
    for name, option, value, clear in (
        ("revenue", "--revenue", revenue, clear_revenue),
        ("travel_type", "--travel-type", travel_type, clear_travel_type),
        ("destination", "--destination", destination, clear_destination),
    ):
        if value is not None and clear:
            raise BadValue(f"{option} and --clear-{option[2:]} contradict each other")
        if clear:
            changes[name] = None
        elif value is not None:
            changes[name] = parse_money(value, option) if name == "revenue" else value
    customer_book = book(ctx)
    if channel is not None or external is not None:
        stored = customer_book.get_booking(reference).channel
        changes["channel"] = SalesChannel(
            stored.name if channel is None else channel,
            is_external=stored.is_external if external is None else external,
        )
    if not changes:
        raise BadValue("name at least one field to change, e.g. --open-amount 0.00")
    recorded = customer_book.update_booking(
        reference, convert_to=convert_to, keep_status=keep_status, **changes
    )
    _show_recorded(Output(as_json), "Changed", recorded)


@app.command(epilog="Example: custmodel booking move VG-1001 --to 7")
def move(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The booking reference (Vorgangsnummer).")],
    to: Annotated[int, typer.Option("--to", help="The number of the customer it goes to.")],
    convert_to: ConvertTo = CustomerKind.PRIVATE,
    keep_status: KeepStatus = False,
    as_json: AsJson = False,
) -> None:
    """Give a booking to another customer; every other field stays.

    Refused, and nothing changed, when either customer is merged or anonymized (an anonymized
    customer's bookings stay where they are). A firm booking moved to a prospect converts it.
    """
    moved = book(ctx).move_booking(reference, to, convert_to=convert_to, keep_status=keep_status)
    out = Output(as_json)
    if out.json_if_asked(moved):
        return
    out.line(f"Moved booking {reference} from customer {moved.from_customer} to customer {to}.")
    _show_conversion(out, to, moved.conversion)


@app.command(name="list", epilog="Example: custmodel booking list 3 --json")
def list_(
    ctx: typer.Context,
    number: Number,
    as_json: AsJson = False,
) -> None:
    """List a customer's bookings, by reference (a merged number lists none: see its master)."""
    bookings = book(ctx).bookings(number)
    Output(as_json).listing(bookings, BOOKING_COLUMNS, booking_rows(bookings), noun="booking")


@app.command(epilog="Example: custmodel booking show VG-1001")
def show(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The booking reference.")],
    as_json: AsJson = False,
) -> None:
    """Show one booking."""
    booking = book(ctx).get_booking(reference)
    out = Output(as_json)
    if out.json_if_asked(booking):
        return
    pairs = list(zip(BOOKING_COLUMNS, next(iter(booking_rows([booking]))), strict=True))
    pairs += [
        ("Revenue", money(booking.revenue)),
        ("Travel type", booking.travel_type or ""),
        ("Destination", booking.destination or ""),
    ]
    out.fields(pairs)
