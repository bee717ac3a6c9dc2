"""``custmodel gdpr``: eligibility, anonymization, erasure requests, the due sweep, and
objections and consents to advertising."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from custmodel import (
    ContactChannel,
    Eligibility,
    MarketingChoice,
    MarketingChoiceKind,
    NotEligibleError,
    utc_now,
)
from custmodel.cli._common import (
    EXIT_REFUSED,
    AsJson,
    BadValue,
    Output,
    book,
    confirm,
    parse_date,
    plural,
)

__all__ = ["AGENCY_VARIABLE", "app"]

#: The environment variable ``--agency`` falls back to, for schedulers.
AGENCY_VARIABLE = "CUSTMODEL_AGENCY"

app = typer.Typer(
    no_args_is_help=True,
    help=(
        "GDPR erasure: may a customer be anonymized, anonymize, record erasure requests, "
        "and sweep the due ones; objections and consents to advertising."
    ),
    epilog="Example: custmodel gdpr eligibility 3 --agency AG1",
)

Number = Annotated[int, typer.Argument(metavar="NUMBER", help="The customer number.")]
Agency = Annotated[
    str,
    typer.Option(
        "--agency",
        envvar=AGENCY_VARIABLE,
        show_envvar=True,
        help="The acting agency (point of sale id).",
    ),
]
Today = Annotated[
    str | None,
    typer.Option("--today", metavar="DATE", help="The day to judge on (default: today)."),
]


def _day(text: str | None) -> date | None:
    return None if text is None else parse_date(text, "--today")


def _print_eligibility(out: Output, number: int, agency: str, verdict: Eligibility) -> None:
    if verdict.eligible:
        out.line(f"Customer {number} may be anonymized by {agency}.")
        return
    out.line(f"Customer {number} may not be anonymized by {agency}:")
    out.table(
        ("Booking", "Blocks because", "Stops blocking on"),
        (
            (
                blocker.reference,
                ", ".join(reason.value.replace("_", " ") for reason in blocker.reasons),
                blocker.allowed_from or "never (not the agency's data)",
            )
            for blocker in verdict.blockers
        ),
    )
    if verdict.eligible_from is not None:
        out.line(f"Only time blocks: eligible from {verdict.eligible_from.isoformat()}.")


@app.command(epilog="Example: custmodel gdpr eligibility 3 --agency AG1 --today 2026-11-24")
def eligibility(
    ctx: typer.Context,
    number: Number,
    agency: Agency,
    today: Today = None,
    as_json: AsJson = False,
) -> None:
    """May the agency anonymize the customer? Exits with 1 when not, with every reason.

    An offer never blocks; a firm booking blocks when another agency sold it, when it came
    through an external channel, or until the anonymization delay after its departure.
    """
    verdict = book(ctx).eligibility(number, agency, _day(today))
    out = Output(as_json)
    if as_json:
        out.json(verdict)
    else:
        _print_eligibility(out, number, agency, verdict)
    if not verdict.eligible:
        raise typer.Exit(EXIT_REFUSED)


@app.command(epilog="Example: custmodel gdpr anonymize 3 --agency AG1 --yes")
def anonymize(
    ctx: typer.Context,
    number: Number,
    agency: Agency,
    today: Today = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: AsJson = False,
) -> None:
    """Replace the customer's personal data with dummy data, for good (asks first).

    Number, kind, type, debtor account and bookings stay. Refused with the reasons (exit 1)
    when the customer is not eligible; anonymizing twice changes nothing.
    """
    customer_book = book(ctx)
    day = _day(today)
    if not customer_book.get(number).is_anonymized:
        verdict = customer_book.eligibility(number, agency, day)
        if not verdict.eligible:
            raise NotEligibleError(number, verdict)
        confirm(
            f"Anonymize customer {number}? Its personal data is replaced for good.",
            yes=yes,
        )
    report = customer_book.anonymize(number, agency, day)
    out = Output(as_json)
    if as_json:
        out.json(report)
        return
    if report.already_anonymized:
        out.line(f"Customer {number} was anonymized before; nothing changed.")
        return
    out.line(
        f"Anonymized customer {number}: {len(report.fields_cleared)} fields replaced; number, "
        f"kind, type, debtor account {report.customer.debtor_account} and bookings kept."
    )


@app.command(epilog="Example: custmodel gdpr request 3 --received 2026-11-20")
def request(
    ctx: typer.Context,
    number: Number,
    received: Annotated[
        str | None,
        typer.Option("--received", metavar="DATE", help="When it arrived (default: today)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Record a person's request to erase their data (GDPR Art. 17).

    While a request of the customer is open, no second one is recorded: the open one is shown,
    and an earlier --received moves its receipt day back (the answer is due one month after
    the first receipt).
    """
    customer_book = book(ctx)
    # The book's clock runs in UTC and refuses requests received after its today.
    received_on = utc_now().date() if received is None else parse_date(received, "--received")
    recorded = customer_book.request_erasure(number, received_on)
    out = Output(as_json)
    if as_json:
        out.json(recorded)
        return
    request = recorded.request
    since = request.received_on.isoformat()
    if recorded.moved_from is not None:
        out.line(
            f"Erasure request {request.id} of customer {request.customer} is already open; "
            f"its receipt day moved from {recorded.moved_from.isoformat()} to {since}."
        )
    elif recorded.repeated:
        out.line(
            f"Erasure request {request.id} of customer {request.customer} is already open "
            f"since {since}; nothing recorded."
        )
    else:
        state = "open" if request.is_open else "completed (anonymized already)"
        out.line(
            f"Erasure request {request.id} of customer {request.customer}, received "
            f"{since}: {state}."
        )


def _why(verdict: Eligibility) -> str:
    return "; ".join(
        f"{b.reference}: {', '.join(r.value.replace('_', ' ') for r in b.reasons)}"
        for b in verdict.blockers
    )


@app.command(epilog="Example: custmodel gdpr requests --agency AG1 --all")
def requests(
    ctx: typer.Context,
    agency: Agency,
    today: Today = None,
    include_done: Annotated[
        bool, typer.Option("--all", help="Also the completed requests.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """List erasure requests with their state: due, waiting (until when), blocked, done."""
    statuses = book(ctx).erasure_requests(agency, _day(today), include_done=include_done)
    out = Output(as_json)
    if as_json:
        out.json(statuses)
        return
    out.table(
        ("Id", "Customer", "Received", "Answer by", "State", "Due on", "Why"),
        (
            (
                s.request.id,
                s.request.customer,
                s.request.received_on,
                s.answer_by,
                s.state.value,
                s.due_on or "",
                _why(s.eligibility) if s.request.is_open else "",
            )
            for s in statuses
        ),
    )
    out.line(plural(len(statuses), "request") + ".")


@app.command(epilog="Example: custmodel gdpr sweep --agency AG1 --dry-run")
def sweep(
    ctx: typer.Context,
    agency: Agency,
    today: Today = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only report who is due; change nothing.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Customers per transaction.")
    ] = 500,
    as_json: AsJson = False,
) -> None:
    """Anonymize every customer whose erasure request is due, batch by batch.

    Meant for a scheduler: it asks nothing. Each batch is one transaction.
    """
    if batch_size < 1:
        raise BadValue("--batch-size must be at least 1")
    result = book(ctx).anonymize_due(agency, _day(today), dry_run=dry_run, batch_size=batch_size)
    out = Output(as_json)
    if as_json:
        out.json(result)
        return
    numbers = ", ".join(map(str, result.customers)) or "none"
    if result.dry_run:
        out.line(f"Due: {plural(result.due, 'customer')} (dry run, nothing changed): {numbers}.")
    else:
        out.line(
            f"Anonymized {result.anonymized} of {plural(result.due, 'due customer')} in "
            f"{plural(result.batches, 'batch')}: {numbers}."
        )


def _channels_text(channels: frozenset[ContactChannel]) -> str:
    return ", ".join(c.value for c in ContactChannel if c in channels) or "none"


def _choice_rows(choices: list[MarketingChoice]) -> list[tuple[object, ...]]:
    return [
        (
            c.id,
            c.channel.value,
            c.choice.value,
            c.given_on,
            c.recorded_at.isoformat(timespec="seconds"),
            c.source,
            c.note,
        )
        for c in choices
    ]


_CHOICE_COLUMNS = ("Id", "Channel", "Choice", "Given on", "Recorded at", "Source", "Note")


@app.command(
    name="object",
    epilog=(
        'Example: custmodel gdpr object 3 --channel email --source "Brief vom 3.11." '
        "(--consent records a consent instead)"
    ),
)
def object_(
    ctx: typer.Context,
    number: Number,
    source: Annotated[
        str,
        typer.Option("--source", help='Where it came from, e.g. "Brief vom 3.11.", one line.'),
    ],
    channels: Annotated[
        list[ContactChannel] | None,
        typer.Option(
            "--channel",
            case_sensitive=False,
            help="A channel (letter, email, phone, sms); repeat it. Default: all four.",
        ),
    ] = None,
    consent: Annotated[
        bool,
        typer.Option("--consent", help="Record a consent (GDPR Art. 7) instead of an objection."),
    ] = False,
    given: Annotated[
        str | None,
        typer.Option(
            "--given", metavar="DATE", help="When the person declared it (default: today)."
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note as proof.")] = "",
    as_json: AsJson = False,
) -> None:
    """Record a person's objection to advertising (GDPR Art. 21), or with --consent a consent.

    One ledger entry per channel; a merged number is recorded on its master. Advertising
    letters, data files and exports with --advertising leave out who objected on their
    channel; the latest choice per channel decides.
    """
    # The book's clock runs in UTC and refuses choices given after its today.
    given_on = utc_now().date() if given is None else parse_date(given, "--given")
    recorded = book(ctx).record_marketing_choice(
        number,
        tuple(channels or ContactChannel),
        MarketingChoiceKind.CONSENT if consent else MarketingChoiceKind.OBJECTION,
        given_on=given_on,
        source=source,
        note=note,
    )
    out = Output(as_json)
    if as_json:
        out.json(recorded)
        return
    customer = recorded.customer
    what = "consent to" if consent else "objection to"
    on = _channels_text(frozenset(c.channel for c in recorded.choices))
    out.line(f"Recorded the {what} advertising by {on} for customer {customer.number}.")
    out.line(
        f"Customer {customer.number} objects to advertising by: "
        f"{_channels_text(customer.advertising_objections)}."
    )


@app.command(epilog="Example: custmodel gdpr choices 3")
def choices(ctx: typer.Context, number: Number, as_json: AsJson = False) -> None:
    """Show the ledger of a customer's objections and consents to advertising, oldest first.

    A merged number shows its master's ledger, which holds the duplicates' entries too.
    """
    customer_book = book(ctx)
    customer = customer_book.resolve(number)
    ledger = customer_book.marketing_choices(customer.number)
    out = Output(as_json)
    if as_json:
        out.json(
            {
                "customer": customer.number,
                "advertising_objections": [
                    c for c in ContactChannel if c in customer.advertising_objections
                ],
                "choices": ledger,
            }
        )
        return
    out.table(_CHOICE_COLUMNS, _choice_rows(ledger), title=f"Customer {customer.number}")
    out.line(
        f"Customer {customer.number} objects to advertising by: "
        f"{_channels_text(customer.advertising_objections)}."
    )
