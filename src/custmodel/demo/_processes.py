"""The walkthrough's chapters 8 to 12: bookings, duplicates, erasure, statistics, dunning run.

Each chapter is a function that takes the :class:`~custmodel.demo._story.Story` and prints
its part of the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from custmodel.demo._constants import OWN_AGENCY, TODAY
from custmodel.demo._report import _KIND_NAMES, _count, _Printer, _text_of
from custmodel.demo._settings import _MERGE_DATA_FIELDS, DUNNING_LETTER, MERGE_DATA_FILE
from custmodel.errors import MissingExtraError, NotEligibleError
from custmodel.model._booking import Booking, SalesChannel
from custmodel.model._erasure import ErasureState
from custmodel.model._kinds import BookingKind, CustomerKind
from custmodel.model._marketing import Purpose
from custmodel.model._selection import Selection
from custmodel.model._statistics import (
    DeparturePeriod,
    Statistics,
    StatisticsDimension,
    StatisticsRow,
)
from custmodel.rules import format_eur

if TYPE_CHECKING:
    from custmodel.dedupe import DuplicateGroup
    from custmodel.demo._story import Story

#: The departure year the statistics evaluate: the last complete year before the story's today.
_STATISTICS_YEAR = TODAY.year - 1

# -- 8. deposit prompt and prospect conversion ----------------------------------------------------


def conversion(story: Story) -> None:
    """Chapter 8: a prospect's offer and first firm booking, the deposit prompt, an agency's."""
    p, book, data = story.p, story.book, story.data
    p.heading("8. Interessent wird bei der ersten Festbuchung zum Kunden; Anzahlung")
    prospect = book.get(story.number(data.cast.prospect))
    offers = book.bookings(prospect.number)
    p.line(
        f"Prospect {prospect.number} {prospect.display_name} (category "
        f"{prospect.category}, debtor account {prospect.debtor_account}) has "
        f"{len(offers)} offers: {', '.join(b.reference for b in offers)}."
    )
    departure = TODAY + timedelta(days=180)
    _new_offer(story, prospect.number, departure)
    _first_firm_booking(story, prospect.number, departure)
    _agency_booking(story, departure)


#: The trip the prospect is offered and books.
_CRUISE = {"travel_type": "Kreuzfahrt", "destination": "Mittelmeer"}


def _new_offer(story: Story, number: int, departure: date) -> None:
    """A further offer to the prospect: it neither converts nor asks for a deposit."""
    offer = story.book.record_booking(
        Booking(
            story.data.reference(BookingKind.OFFER, departure.year),
            number,
            BookingKind.OFFER,
            departure,
            OWN_AGENCY,
            SalesChannel.own("Filiale"),
            revenue=Decimal("2400.00"),  # the quoted price
            **_CRUISE,
        )
    )
    story.p.line(
        f"A new offer {offer.booking.reference} (Kreuzfahrt, Mittelmeer, quoted at "
        f"{format_eur(Decimal('2400.00'))}): converted? "
        f"{'yes' if offer.conversion else 'no'}; ask for a deposit? "
        f"{'yes' if offer.deposit_prompt else 'no'}."
    )


def _first_firm_booking(story: Story, number: int, departure: date) -> None:
    """The prospect's first firm booking converts it; recorded again, it asks no more."""
    p, book = story.p, story.book
    firm = Booking(
        story.data.reference(BookingKind.BOOKING, departure.year, 1),
        number,
        BookingKind.BOOKING,
        departure,
        OWN_AGENCY,
        SalesChannel.own("Filiale"),
        Decimal("2400.00"),
        revenue=Decimal("2400.00"),
        **_CRUISE,
    )
    booked = book.record_booking(firm)
    story.recorded += 2
    conversion = booked.conversion
    if conversion is None:  # pragma: no cover - a firm booking of a prospect converts
        raise RuntimeError("the prospect was not converted")
    p.line(
        f"Firm booking {firm.reference}: {conversion.old_kind.value} -> "
        f"{conversion.new_kind.value}, debtor account {conversion.old_debtor_account} -> "
        f"{conversion.new_debtor_account} (renumbered: the prospects' setting is on), "
        f"category {conversion.dropped_category!r} dropped (not a private category)."
    )
    p.line(
        f"Ask for a deposit now (first capture, private customers' prompt on)? "
        f"{'yes' if booked.deposit_prompt else 'no'}"
    )
    again = book.record_booking(attrs.evolve(firm, open_amount=Decimal("1920.00")))
    p.line(
        f"Recorded again after a deposit of 480,00 €: first capture? "
        f"{'yes' if again.first_capture else 'no'}; ask again? "
        f"{'yes' if again.deposit_prompt else 'no'}."
    )


def _agency_booking(story: Story, departure: date) -> None:
    """A travel agency's firm booking: its kind asks for no deposit."""
    agency = story.book.record_booking(
        Booking(
            story.data.reference(BookingKind.BOOKING, departure.year, 2),
            story.number(story.data.cast.agency),
            BookingKind.BOOKING,
            departure,
            OWN_AGENCY,
            SalesChannel.own("Telefon"),
            revenue=Decimal("5840.00"),
            travel_type="Busreise",
            destination="Österreich",
        )
    )
    story.recorded += 1
    story.p.line(
        f"A travel agency's firm booking {agency.booking.reference}: ask for a deposit? "
        f"{'yes' if agency.deposit_prompt else 'no'} (the prompt is off for travel agencies)."
    )


# -- 9. duplicates ------------------------------------------------------------------------------


def duplicates(story: Story) -> None:
    """Chapter 9: find duplicate groups, plan and merge the eight "Test, Testine"."""
    p, book, data = story.p, story.book, story.data
    p.heading("9. Dubletten finden und zusammenführen (TSmart: Auftraggeber zusammenführen)")
    testine = [story.number(i) for i in data.cast.testine]
    groups = _duplicate_groups(story)
    found = [
        c
        for c in book.select(Selection(name="Test", kind=CustomerKind.PRIVATE))
        if c.first_name == "Testine"
    ]
    p.line(f"Search 'Test' finds {len(found)} records 'Test, Testine':")
    p.customers(found)
    testine_group = next((g for g in groups if set(testine) <= set(g.customers)), None)
    if testine_group is not None:
        p.line(f"find_duplicates() put all {len(testine_group.customers)} into one group.")
        master, duplicates = testine_group.master, list(testine_group.duplicates)
    else:
        master, *duplicates = (c.number for c in found)
    plan = book.plan_merge(master, duplicates, fill_blanks=True)
    p.line(
        f"Plan (dry run): master {plan.master}, {len(plan.duplicates)} duplicates, "
        f"{len(plan.bookings)} bookings move, fills {sorted(plan.filled_fields)} from the "
        f"duplicates, retires debtor accounts {sorted(plan.retired_debtor_accounts.values())}."
    )
    report = book.merge(master, duplicates, fill_blanks=True, actor="demo")
    story.masters.update(dict.fromkeys(duplicates, master))
    p.line(
        f"Merged: {report.bookings_moved} bookings moved; customer {master} now has "
        f"{len(book.bookings(master))} bookings; active 'Test, Testine' records: "
        f"{book.count(Selection(name='Testine'))}."
    )
    old = duplicates[-1]
    p.line(
        f"Old number {old} resolves to {book.resolve(old).number}; old debtor account "
        f"{plan.retired_debtor_accounts[old]} resolves to "
        f"{book.resolve_debtor_account(plan.retired_debtor_accounts[old]).number}."
    )
    master_card = book.get(master)
    p.line("The master after the merge, its blanks filled from the duplicates:")
    p.card(master_card)
    if len(groups) > 1:
        p.line(
            f"The other {len(groups) - 1} groups wait for a person to check them: a merge is "
            "a decision, the reasons are there to make it."
        )


def _duplicate_groups(story: Story) -> list[DuplicateGroup]:
    """The groups of probable duplicates, each told with its reasons; none without rapidfuzz."""
    p, book = story.p, story.book
    try:
        groups = book.find_duplicates()
    except MissingExtraError as error:
        # Without rapidfuzz the book cannot score names; the manual's own way still works:
        # search for the name, pick the records by hand.
        p.line(f"Duplicate finding skipped: {error}")
        return []
    if groups:
        p.line(
            f"find_duplicates() over {book.count()} active customers: {len(groups)} groups "
            "of probable duplicates, each with its reasons:"
        )
    for group in groups:
        names = " / ".join(
            sorted({book.get(n).display_name for n in group.customers}, key=str.casefold)
        )
        p.line(
            f"  {len(group.customers)} x {names}: customers "
            f"{', '.join(map(str, group.customers))} (score {group.score:.2f}; "
            f"{'; '.join(group.pairs[0].reasons)})"
        )
    return groups


# -- 10. GDPR -------------------------------------------------------------------------------------


def gdpr(story: Story) -> None:
    """Chapter 10: who may be anonymized and why not, erasure requests, the sweep."""
    p, book, data = story.p, story.book, story.data
    settings = book.settings
    p.heading("10. Kundendaten anonymisieren (DSGVO; TSmart's rules)")
    p.line(
        f"A firm booking blocks anonymization unless we ({OWN_AGENCY}) are its point of "
        "sale, it came through an own channel and it departed "
        f"{settings.anonymization_delay_days} days (6 weeks) ago or more. Offers never block."
    )
    blocked = []
    for label, index in data.cast.eligibility.items():
        eligibility = book.eligibility(story.number(index), OWN_AGENCY, TODAY)
        p.line(f"  {label}: {eligibility.explain()}")
        if not eligibility.eligible:
            blocked.append(story.number(index))
    try:
        book.anonymize(blocked[0], OWN_AGENCY, TODAY)
    except NotEligibleError as refused:
        p.line(
            f"Anonymizing customer {blocked[0]} is refused and changes nothing: "
            f"{refused.eligibility.explain()}"
        )
    _erasure_requests(story)
    _sweep(story)


def _erasure_requests(story: Story) -> None:
    """Record the data set's erasure requests and tell their states."""
    p, book, data = story.p, story.book, story.data
    requests = story.track(
        data.cast.erasure_requests,
        description="Recording erasure requests",
        total=len(data.cast.erasure_requests),
    )
    for index, received in requests:
        book.request_erasure(story.number(index), received)
    statuses = book.erasure_requests(OWN_AGENCY, TODAY)
    states = Counter(s.state for s in statuses)
    waiting = [s.due_on for s in statuses if s.state is ErasureState.WAITING and s.due_on]
    p.line(
        f"Löschanträge (erasure requests, GDPR Art. 17): {len(statuses)} open - "
        f"{states[ErasureState.DUE]} due now, {states[ErasureState.WAITING]} waiting for "
        "the 6 weeks"
        + (f" (the first due on {min(waiting).isoformat()})" if waiting else "")
        + f", {states[ErasureState.BLOCKED]} blocked (bookings of another point of sale or "
        "an external channel: not our data to erase)."
    )
    p.line(
        f"  The earliest answer is owed by {min(s.answer_by for s in statuses).isoformat()} "
        "(one month after receipt)."
    )


def _sweep(story: Story) -> None:
    """The sweep of due requests, dry first; an anonymized customer keeps its bookings."""
    p, book = story.p, story.book
    dry = book.anonymize_due(OWN_AGENCY, TODAY, dry_run=True)
    p.line(
        f"Sweep, dry run: {dry.due} due ({', '.join(map(str, dry.customers))}); "
        f"anonymized {dry.anonymized}."
    )
    sweep = book.anonymize_due(OWN_AGENCY, TODAY)
    p.line(f"Sweep: {sweep.anonymized} anonymized in {_count(sweep.batches, 'batch')}.")
    # Show one who has bookings: they stay, for the accounts, under the dummy name.
    for number in sweep.customers:
        kept = book.bookings(number)
        if kept:
            example = book.get(number)
            p.line(
                f"  Customer {number} now: last name {example.last_name!r}, first name "
                f"{example.first_name!r}, e-mail {example.email!r}; kept: kind "
                f"{example.kind.value}, debtor account {example.debtor_account}, "
                f"{_count(len(kept), 'booking')}."
            )
            break
    left = Counter(s.state for s in book.erasure_requests(OWN_AGENCY, TODAY))
    p.line(
        f"Open requests left: {left[ErasureState.WAITING]} waiting, "
        f"{left[ErasureState.BLOCKED]} blocked, {left[ErasureState.DUE]} due."
    )


# -- 11. statistics -----------------------------------------------------------------------------


def statistics(story: Story) -> None:
    """Chapter 11: revenue statistics of last year by category, flag, trip."""
    p, book = story.p, story.book
    year = _STATISTICS_YEAR
    period = DeparturePeriod.year(year)
    p.heading(f"11. Auswertungen: Umsatz nach Kategorie, Status, Reiseart, Zielgebiet ({year})")
    _statistics_intro(story, year)
    private = Selection(kind=CustomerKind.PRIVATE)

    p.line()
    p.line(f"{_KIND_NAMES[CustomerKind.PRIVATE]} nach Kategorie (group_by=category):")
    _statistics_table(
        p,
        book.statistics(private, StatisticsDimension.CATEGORY, period),
        ["Kategorie"],
        lambda row: [str(row.value(StatisticsDimension.CATEGORY) or "(keine)")],
    )
    p.line(
        "(keine) holds the customers without a category, the anonymized ones too: their "
        "bookings still count, their category was erased."
    )

    p.line()
    p.line(
        f"{_KIND_NAMES[CustomerKind.PRIVATE]} nach Statusfeld (group_by=status_flag; the "
        "rows overlap, the total counts everyone once):"
    )

    def flag(row: StatisticsRow) -> list[str]:
        key = row.key[0]
        if key.value is None:
            return ["-", "(kein Status)"]
        return [str(key.value), key.label or "(ohne Bezeichnung)"]

    _statistics_table(
        p,
        book.statistics(private, StatisticsDimension.STATUS_FLAG, period),
        ["Status", "Bezeichnung"],
        flag,
    )

    for dimension, heading in (
        (StatisticsDimension.TRAVEL_TYPE, "Reiseart"),
        (StatisticsDimension.DESTINATION, "Zielgebiet"),
    ):
        p.line()
        p.line(f"Alle Kunden nach {heading} (group_by={dimension.value}):")
        _statistics_table(
            p, book.statistics(None, dimension, period), [heading], _text_of(dimension)
        )


def _statistics_intro(story: Story, year: int) -> None:
    """What the statistics count, and how many firm bookings of the year lack their revenue."""
    p, data = story.p, story.data
    unrecorded = sum(
        1
        for b in data.bookings
        if b.kind is BookingKind.BOOKING and b.departure.year == year and b.revenue is None
    )
    p.line(
        "statistics(selection, group_by, period) counts per group the customers, their "
        "firm bookings (Buchungen) and offers (Angebote) departing in the period, and the "
        f"revenue (Umsatz) of the firm bookings; here the departures of {year}. A group "
        "by the customer's own fields holds its customers with or without a trip in the "
        "period, a group by travel type or destination those with one. Offers "
        "carry their quoted price, which is no revenue; "
        f"{_count(unrecorded, 'firm booking')} of {year} have no revenue recorded and "
        "count 0,00 €."
    )


def _statistics_table(
    p: _Printer,
    statistics: Statistics,
    header: list[str],
    labels: Callable[[StatisticsRow], list[str]],
) -> None:
    """One statistics result as a table: a row per group, and the totals."""

    def figures(row: StatisticsRow) -> list[str]:
        return [
            str(row.customers),
            str(row.firm_bookings),
            str(row.offers),
            format_eur(row.revenue),
        ]

    p.table(
        [*header, "Kunden", "Buchungen", "Angebote", "Umsatz"],
        [
            *([*labels(row), *figures(row)] for row in statistics.rows),
            ["Summe", *[""] * (len(header) - 1), *figures(statistics.totals)],
        ],
        text=len(header),
    )


# -- 12. dunning run ----------------------------------------------------------------------------


def dunning_run(story: Story) -> None:
    """Chapter 12: the dunning run: letters to every debtor with due items."""
    p, book, data = story.p, story.book, story.data
    p.heading("12. Mahnlauf: Serienbriefe an alle Kunden mit fälligen offenen Posten")
    due = _due_open_items(story)
    anonymized = {c.number for c in book.select(Selection(anonymized=True))} & set(due)
    letters = book.letters(
        None, DUNNING_LETTER, open_amounts=due, owing_only=True, purpose=Purpose.CONTRACT
    )
    sample_to = story.number(data.cast.dunning)
    written = 0
    sample = None
    for letter in letters:
        written += 1
        if letter.customer == sample_to:
            sample = letter
    p.line(
        f"{len(due)} customers owe {format_eur(sum(due.values(), Decimal('0.00')))} for "
        "trips that departed unpaid. letters(None, template, open_amounts=due, "
        f"owing_only=True) wrote {_count(written, 'letter')}. Anonymized debtors receive "
        "none (R10): the ledger keeps what they owe under their debtor account, but a "
        "letter would have nobody to go to."
    )
    for number in sorted(anonymized):
        customer = book.get(number)
        p.line(
            f"  Customer {number} (anonymized, debtor account {customer.debtor_account}) "
            f"owes {format_eur(due[number])}: no letter."
        )
    if sample is not None:
        p.line(f"The letter to customer {sample.customer}:")
        for text in sample.text.splitlines():
            p.line(f"    {text}".rstrip())
    _merge_data_file(story, due)


def _due_open_items(story: Story) -> dict[int, Decimal]:
    """What each customer owes for trips that departed unpaid, by customer number.

    The ledger's due open items: the rest of every trip that departed unpaid. Open rests of
    trips still to come are not due yet, so the letters get these amounts, not the bookings'
    open amounts; a merged duplicate's items moved to its master (R8).
    """
    due: dict[int, Decimal] = {}
    for b in story.data.bookings:
        if b.kind is BookingKind.BOOKING and b.open_amount and b.departure <= TODAY:
            number = story.number(b.customer)
            number = story.masters.get(number, number)
            due[number] = due.get(number, Decimal("0.00")) + b.open_amount
    return due


def _merge_data_file(story: Story, due: dict[int, Decimal]) -> None:
    """Write the mail-merge data file into the letters directory, or tell how to get one."""
    p = story.p
    if story.letters_dir is None:
        p.line(
            "write_merge_data() writes the same recipients and fields as a data file for "
            f"the word processor's mail merge; run(letters_dir=...) writes {MERGE_DATA_FILE}."
        )
        return
    rows = story.book.write_merge_data(
        None,
        story.letters_dir / MERGE_DATA_FILE,
        fields=_MERGE_DATA_FIELDS,
        open_amounts=due,
        owing_only=True,
        purpose=Purpose.CONTRACT,
    ).rows
    p.line(
        f"Wrote {MERGE_DATA_FILE} into the letters directory: {_count(rows, 'row')} for the "
        "word processor's mail merge (CSV, UTF-8, semicolons), "
        f"{len(_MERGE_DATA_FIELDS)} fields."
    )
