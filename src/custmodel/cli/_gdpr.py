"""``custmodel gdpr``: eligibility, anonymization, requests of every kind, the access report,
the due sweep, and objections and consents to advertising."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from custmodel import (
    AccessReport,
    ContactChannel,
    Eligibility,
    ErasureRequestRecorded,
    MarketingChoice,
    MarketingChoiceKind,
    NotEligibleError,
    RequestRecorded,
    RequestStatus,
    rules,
    utc_now,
)
from custmodel.cli._common import (
    EXIT_REFUSED,
    AsJson,
    BadValue,
    Number,
    Output,
    book,
    confirm,
    parse_date,
    plural,
    subcommands,
)
from custmodel.serialization import access_report_json

__all__ = ["AGENCY_VARIABLE", "app"]

#: The environment variable ``--agency`` falls back to, for schedulers.
AGENCY_VARIABLE = "CUSTMODEL_AGENCY"

app = subcommands(
    help=(
        "GDPR: may a customer be anonymized, anonymize, record erasure and access requests, "
        "list every request, produce the access report, sweep the due erasures; objections "
        "and consents to advertising."
    ),
    epilog="Example: custmodel gdpr eligibility 3 --agency AG1",
)

Agency = Annotated[
    str,
    typer.Option(
        "--agency",
        envvar=AGENCY_VARIABLE,
        show_envvar=True,
        help="The acting agency (point of sale id).",
    ),
]
Received = Annotated[
    str | None,
    typer.Option("--received", metavar="DATE", help="When it arrived (default: today)."),
]
Today = Annotated[
    str | None,
    typer.Option("--today", metavar="DATE", help="The day to judge on (default: today)."),
]


def _day(text: str | None) -> date | None:
    return None if text is None else parse_date(text, "--today")


def _on(text: str | None, option: str) -> date:
    """The day ``option`` names; without it today, by the book's clock (UTC), which refuses
    requests and choices dated after its today."""
    return utc_now().date() if text is None else parse_date(text, option)


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
    if out.json_if_asked(report):
        return
    if report.already_anonymized:
        out.line(f"Customer {number} was anonymized before; nothing changed.")
        return
    out.line(
        f"Anonymized customer {number}: {plural(len(report.fields_cleared), 'field')} replaced; "
        "number, "
        f"kind, type, debtor account {report.customer.debtor_account} and bookings kept."
    )


@app.command(epilog="Example: custmodel gdpr request 3 --received 2026-11-20")
def request(
    ctx: typer.Context,
    number: Number,
    received: Received = None,
    as_json: AsJson = False,
) -> None:
    """Record a person's request to erase their data (GDPR Art. 17).

    While a request of the customer is open, no second one is recorded: the open one is shown,
    and an earlier --received moves its receipt day back (the answer is due one month after
    the first receipt).
    """
    recorded = book(ctx).request_erasure(number, _on(received, "--received"))
    out = Output(as_json)
    if out.json_if_asked(recorded):
        return
    request = recorded.request
    state = "open" if request.is_open else "completed (anonymized already)"
    _print_recorded(out, "Erasure", recorded, state)


def _print_recorded(
    out: Output, what: str, recorded: RequestRecorded | ErasureRequestRecorded, state: str
) -> None:
    """Say what recording a request did: recorded, a repeat, or a repeat that moved it."""
    request = recorded.request
    since = request.received_on.isoformat()
    if recorded.moved_from is not None:
        out.line(
            f"{what} request {request.id} of customer {request.customer} is already open; "
            f"its receipt day moved from {recorded.moved_from.isoformat()} to {since}."
        )
    elif recorded.repeated:
        out.line(
            f"{what} request {request.id} of customer {request.customer} is already open "
            f"since {since}; nothing recorded."
        )
    else:
        out.line(
            f"{what} request {request.id} of customer {request.customer}, received "
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
    """List the requests of every kind (access, erasure, objection) with their answer day.

    Overdue requests are open after their answer day (one month after receipt). An erasure
    request also shows its state for the agency: due, waiting (until when), blocked, done.
    """
    statuses = book(ctx).requests(agency, day=_day(today), include_done=include_done)
    Output(as_json).listing(
        statuses,
        ("Id", "Kind", "Customer", "Received", "Answer by", "State", "Due on", "Why"),
        (_request_row(s) for s in statuses),
        noun="request",
        tail=f", {sum(s.overdue for s in statuses)} overdue.",
    )


def _request_row(status: RequestStatus) -> tuple[object, ...]:
    request, erasure = status.request, status.erasure
    if erasure is not None and request.is_open:
        state: object = erasure.state.value
    else:
        state = "open" if request.is_open else "done"
    if status.overdue:
        state = f"{state}, overdue"
    return (
        request.id,
        request.kind.value,
        request.customer,
        request.received_on,
        status.answer_by,
        state,
        "" if erasure is None else erasure.due_on or "",
        _why(erasure.eligibility) if erasure is not None and request.is_open else "",
    )


@app.command(
    "request-access", epilog="Example: custmodel gdpr request-access 3 --received 2026-11-20"
)
def request_access(
    ctx: typer.Context,
    number: Number,
    received: Received = None,
    as_json: AsJson = False,
) -> None:
    """Record a person's request for access to their data (GDPR Art. 15).

    While an access request of the customer is open, no second one is recorded; an earlier
    --received moves its receipt day back. `gdpr access NUMBER --answer` answers it.
    """
    recorded = book(ctx).request_access(number, _on(received, "--received"))
    out = Output(as_json)
    if out.json_if_asked(recorded):
        return
    deadline = rules.answer_by(recorded.request.received_on).isoformat()
    _print_recorded(out, "Access", recorded, f"open, answer by {deadline}")


@app.command(epilog="Example: custmodel gdpr access 3 --json --out auskunft-3.json --answer")
def access(
    ctx: typer.Context,
    number: Number,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="The machine-readable document (custmodel.access-report, version 1)."
        ),
    ] = False,
    letter: Annotated[
        bool, typer.Option("--letter", help="The German letter (Auskunft nach Art. 15 DSGVO).")
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", dir_okay=False, help="Write to FILE instead of stdout."
        ),
    ] = None,
    answer: Annotated[
        bool,
        typer.Option(
            "--answer", help="The report is sent: complete the customer's open access requests."
        ),
    ] = False,
    today: Today = None,
) -> None:
    """Show everything stored about a person: record, bookings, merges, requests, host data.

    --json writes the portable document (GDPR Art. 20), --letter the German letter; without
    either a summary is printed. --answer completes the open access requests.
    """
    if as_json and letter:
        raise BadValue("choose --json or --letter, not both")
    if out_file is not None and not (as_json or letter):
        raise BadValue("--out writes the document: give --json or --letter")
    customer_book = book(ctx)
    day = _day(today)
    if letter:
        text = customer_book.access_letter(number, answer=answer, today=day)
    else:
        report = customer_book.access_report(number, answer=answer, today=day)
        if not as_json:
            _print_access(Output(), report)
            return
        text = json.dumps(access_report_json(report), ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out_file.write_text(text, encoding="utf-8")
    Output(stderr=True).line(f"Wrote the access report of customer {number} to {out_file}.")


def _print_access(out: Output, report: AccessReport) -> None:
    customer = report.customer
    out.line(
        f"Customer {customer.number} (debtor account {customer.debtor_account}): "
        f"{plural(len(report.bookings), 'booking')}, {plural(len(report.merges), 'merge')}, "
        f"{plural(len(report.requests), 'request')}."
    )
    for merge in report.merges:
        numbers = ", ".join(map(str, merge.duplicates))
        out.line(f"Merged into it on {merge.merged_at.date().isoformat()}: {numbers}.")
    for request in report.requests:
        state = "open" if request.is_open else "done"
        out.line(f"Request {request.id}: {request.kind.value}, {state}.")
    for name, rows in sorted(report.host_data.items()):
        out.line(f"Host data {name}: {plural(rows, 'row')}.")
    out.line("Use --json for the full document, --letter for the letter.")


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
    retention: Annotated[
        bool,
        typer.Option(
            "--retention/--requests-only",
            help="Also anonymize the customers the kinds' retention rules make due.",
        ),
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Anonymize every customer whose erasure request is due, then those the retention
    rules make due, batch by batch.

    Meant for a scheduler: it asks nothing. Each batch is one transaction. The dry run lists
    each due customer with the reason it is due.
    """
    if batch_size < 1:
        raise BadValue("--batch-size must be at least 1")
    result = book(ctx).anonymize_due(
        agency, _day(today), dry_run=dry_run, batch_size=batch_size, retention=retention
    )
    out = Output(as_json)
    if out.json_if_asked(result):
        return
    numbers = ", ".join(map(str, result.customers)) or "none"
    if result.dry_run:
        out.line(f"Due: {plural(result.due, 'customer')} (dry run, nothing changed): {numbers}.")
        for number, reason in result.reasons().items():
            out.line(f"  {number}: {reason}")
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
    recorded = book(ctx).record_marketing_choice(
        number,
        tuple(channels or ContactChannel),
        MarketingChoiceKind.CONSENT if consent else MarketingChoiceKind.OBJECTION,
        given_on=_on(given, "--given"),
        source=source,
        note=note,
    )
    out = Output(as_json)
    if out.json_if_asked(recorded):
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
