"""``custmodel booking``: record offers and firm bookings, list and show them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import typer

from custmodel import Booking, BookingKind, CustomerKind, SalesChannel
from custmodel.cli._common import AsJson, Output, book, parse_date, parse_money, plural

__all__ = ["BOOKING_COLUMNS", "app", "booking_rows"]

app = typer.Typer(
    no_args_is_help=True,
    help="Record offers and firm bookings (Vorgänge); list a customer's bookings.",
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
            b.open_amount,
        )


@app.command(
    epilog=(
        "Example: custmodel booking record VG-1001 --customer 5 --departure 2027-05-01 "
        "--pos AG1 --channel Filiale --open-amount 2400.00"
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
    convert_to: Annotated[
        CustomerKind,
        typer.Option(
            "--convert-to",
            case_sensitive=False,
            help="The kind a prospect becomes at its first firm booking.",
        ),
    ] = CustomerKind.PRIVATE,
    keep_status: Annotated[
        bool, typer.Option("--keep-status", help="A converted prospect keeps its flags.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Record a new booking, or a change to the booking with the same reference.

    A prospect becomes a customer at its first firm booking; the output says so, and whether
    to ask for a deposit now.
    """
    booking = Booking(
        reference=reference,
        customer=customer,
        kind=BookingKind.OFFER if offer else BookingKind.BOOKING,
        departure=parse_date(departure, "--departure"),
        point_of_sale=point_of_sale,
        channel=SalesChannel(channel, is_external=external),
        open_amount=parse_money(open_amount, "--open-amount"),
    )
    recorded = book(ctx).record_booking(booking, convert_to=convert_to, keep_status=keep_status)
    out = Output(as_json)
    if as_json:
        out.json(recorded)
        return
    what = "offer" if offer else "firm booking"
    out.line(f"Recorded {what} {reference} of customer {customer}.")
    change = recorded.conversion
    if change is not None:
        out.line(
            f"Customer {customer} converted: {change.old_kind.value} -> "
            f"{change.new_kind.value}, debtor account {change.old_debtor_account} -> "
            f"{change.new_debtor_account}."
        )
        if change.dropped_category is not None:
            out.line(f"Dropped category {change.dropped_category!r}.")
        if change.dropped_status:
            out.line(f"Dropped status flags: {' '.join(map(str, change.dropped_status))}.")
    if recorded.deposit_prompt:
        out.line("Ask the customer for a deposit now (first capture of a firm booking).")


@app.command(name="list", epilog="Example: custmodel booking list 3 --json")
def list_(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="NUMBER", help="The customer number.")],
    as_json: AsJson = False,
) -> None:
    """List a customer's bookings, by reference (a merged number lists none: see its master)."""
    bookings = book(ctx).bookings(number)
    out = Output(as_json)
    if as_json:
        out.json(bookings)
        return
    out.table(BOOKING_COLUMNS, booking_rows(bookings))
    out.line(plural(len(bookings), "booking") + ".")


@app.command(epilog="Example: custmodel booking show VG-1001")
def show(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The booking reference.")],
    as_json: AsJson = False,
) -> None:
    """Show one booking."""
    booking = book(ctx).get_booking(reference)
    out = Output(as_json)
    if as_json:
        out.json(booking)
        return
    out.fields(zip(BOOKING_COLUMNS, next(iter(booking_rows([booking]))), strict=True))
