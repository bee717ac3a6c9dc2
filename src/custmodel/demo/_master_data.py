"""The walkthrough's chapters 1 to 7: the data set and the customer master data.

Each chapter is a function that takes the :class:`~custmodel.demo._story.Story` and prints
its part of the report.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from custmodel.demo._bookings import PlannedBooking
from custmodel.demo._constants import FIRST_DEPARTURE, MEMBER_NUMBER, OWN_AGENCY, TODAY
from custmodel.demo._report import _KIND_NAMES, _TYPE_NAMES, _count
from custmodel.demo._settings import _CUSTOMER_BATCH
from custmodel.model import BookingKind, CustomerKind, CustomerType, Selection
from custmodel.rules import format_eur

if TYPE_CHECKING:
    from collections.abc import Sequence

    from custmodel.demo._story import Story

#: The flag whose label the walkthrough deletes, and the customers' profile shows by number.
_RETIRED_FLAG = 5

# -- 1. the data set ------------------------------------------------------------------------------


def summary(story: Story) -> None:
    """Chapter 1: what the data set holds, by kind and type, by year and channel, a few cards."""
    p, data = story.p, story.data
    p.heading("1. Der Datenbestand (the demo data set)")
    p.line(
        f"Registered {len(data.customers)} customers with register_many in "
        f"{_count(-(-len(data.customers) // _CUSTOMER_BATCH), 'transaction')} and "
        f"imported {len(data.bookings)} bookings "
        f"(Vorgänge) with departures from {FIRST_DEPARTURE.year} to "
        f"{max(b.departure for b in data.bookings).year}."
    )
    p.line()
    _kinds_and_types(story)
    p.line()
    _bookings_by_year(story)
    _sales(story, [b for b in data.bookings if b.kind is BookingKind.BOOKING])
    p.line()
    _sample_cards(story)


def _kinds_and_types(story: Story) -> None:
    """The customers counted by kind and type, with the sums."""
    p, book = story.p, story.book
    p.line("Kunden nach Kundenart und Kundentyp (customers by kind and type):")
    header = "".join(f"{_TYPE_NAMES[t]:>16}" for t in CustomerType)
    p.line(f"  {'':<14}{header}{'Summe':>8}")
    for kind in CustomerKind:
        counts = [book.count(Selection(kind=kind, customer_type=t)) for t in CustomerType]
        cells = "".join(f"{n:>16}" for n in counts)
        p.line(f"  {_KIND_NAMES[kind]:<14}{cells}{sum(counts):>8}")
    p.line(f"  {'Alle Kunden':<14}{'':>64}{book.count():>8}")


def _bookings_by_year(story: Story) -> None:
    """Offers, firm bookings and open amounts per departure year."""
    p, data = story.p, story.data
    p.line("Vorgänge nach Abreisejahr (bookings by departure year):")
    p.line(f"  {'Jahr':<6}{'Angebote':>10}{'Festbuchungen':>15}{'OP-Betrag (open)':>20}")
    years = sorted({b.departure.year for b in data.bookings})
    for year in years:
        of_year = [b for b in data.bookings if b.departure.year == year]
        offers = sum(1 for b in of_year if b.kind is BookingKind.OFFER)
        open_total = sum((b.open_amount for b in of_year), Decimal("0.00"))
        p.line(f"  {year:<6}{offers:>10}{len(of_year) - offers:>15}{format_eur(open_total):>20}")


def _sales(story: Story, firm: Sequence[PlannedBooking]) -> None:
    """Who sold the firm bookings, through which channels, and what is still open."""
    p = story.p
    channels = Counter((b.channel.name, b.channel.is_external) for b in firm)
    p.line(
        "Vertriebskanäle of the firm bookings (sales channels): "
        + ", ".join(
            f"{name} {n} ({'external' if external else 'own'})"
            for (name, external), n in sorted(channels.items(), key=lambda x: (x[0][1], -x[1]))
        )
    )
    sellers = Counter(b.point_of_sale for b in firm)
    p.line(
        "Points of sale: "
        + ", ".join(
            f"{pos} {n}{' (own)' if pos == OWN_AGENCY else ''}"
            for pos, n in sorted(sellers.items())
        )
    )
    overdue = [b for b in firm if b.open_amount and b.departure <= TODAY]
    p.line(
        f"Offene Posten: {sum(1 for b in firm if b.open_amount)} firm bookings with an open "
        f"amount; {len(overdue)} of them departed already and are overdue "
        f"({format_eur(sum((b.open_amount for b in overdue), Decimal('0.00')))})."
    )


#: The kinds and types of the sample cards, one card each.
_SAMPLE = (
    (CustomerKind.PRIVATE, CustomerType.WALK_IN),
    (CustomerKind.PRIVATE, CustomerType.REGULAR),
    (CustomerKind.CORPORATE, CustomerType.VIP_INCENTIVE),
    (CustomerKind.TRAVEL_AGENCY, CustomerType.TOUR_OPERATOR),
    (CustomerKind.TRAVEL_AGENCY, CustomerType.REGULAR),
    (CustomerKind.PROSPECT, CustomerType.WALK_IN),
)


def _sample_cards(story: Story) -> None:
    """A few cards as stored: the first customer of each sample kind and type not in the story."""
    p, data = story.p, story.data
    p.line(
        "Stichprobe (a few cards as stored; e-mails use reserved example domains, phones the "
        "Bundesnetzagentur's never-connected film numbers):"
    )
    cast = story.story_indexes()
    shown: list[int] = []
    for kind, kind_type in _SAMPLE:
        index = next(
            (
                i
                for i, c in enumerate(data.customers)
                if c.kind is kind and c.customer_type is kind_type and i not in cast
            ),
            None,
        )
        if index is not None:
            shown.append(story.number(index))
    for number in shown:
        p.card(story.book.get(number))


# -- 2. debtor accounts ---------------------------------------------------------------------------


def debtor_accounts(story: Story) -> None:
    """Chapter 2: every kind's first debtor account, and Jack's 300th customer."""
    p, book = story.p, story.book
    settings = book.settings
    p.heading("2. Debitorkonto = Basis + Offset der Kundenart + Kundennummer")
    p.line(
        f"Every customer gets a debtor account: base {settings.debtor_base} + the kind's "
        "offset + the running customer number."
    )
    for kind in CustomerKind:
        first = next(
            i
            for i, c in enumerate(story.data.customers)
            if c.kind is kind and i not in story.data.cast.templates.values()
        )
        customer = book.get(story.number(first))
        offset = settings.kind(kind).debtor_offset
        p.line(
            f"  {_KIND_NAMES[kind]:<14} offset {offset:>5}: customer {customer.number:>4} "
            f"-> {settings.debtor_base} + {offset} + {customer.number} = "
            f"{customer.debtor_account}"
        )
    customer = book.get(story.number(299))
    p.line(
        f"Jack's example, the 300th customer ({_KIND_NAMES[customer.kind]}): customer "
        f"{customer.number} has debtor account {customer.debtor_account} "
        f"({settings.debtor_base} + {settings.kind(customer.kind).debtor_offset} + "
        f"{customer.number})."
    )


# -- 3. status flags -----------------------------------------------------------------------------


def status(story: Story) -> None:
    """Chapter 3: "Status setzen" on a selection, and what renaming a flag does."""
    p, book = story.p, story.book
    p.heading("3. Status setzen auf einer Selektion (set a flag on a selection)")
    selection = Selection(kind=CustomerKind.PRIVATE, category="A")
    size = book.count(selection)
    had = book.count(attrs.evolve(selection, status_all=frozenset({6})))
    changed = book.set_status(selection, 6)
    p.line(
        f"Selection: private customers of category A, {size} customers; {had} of them carry "
        f"flag 6 'Weihnachtskarte' already."
    )
    p.line(f"Status setzen, flag 6 on: {changed} customers changed.")
    p.line(f"The same again: {book.set_status(selection, 6)} changed (only real changes count).")
    carriers = book.rename_status_label(CustomerKind.PRIVATE, 6, "Neujahrskarte")
    p.line(
        f"Flag 6 renamed to 'Neujahrskarte': the {carriers} customers carrying it keep it - "
        "selections use the number, so review them (Jack's warning)."
    )
    p.line(
        f"Customers with flags 1 AND 6: "
        f"{book.count(Selection(status_all=frozenset({1, 6})))}; with flag 1 OR 6: "
        f"{book.count(Selection(status_any=frozenset({1, 6})))}."
    )


# -- 4. Code1 ------------------------------------------------------------------------------------


def code1(story: Story) -> None:
    """Chapter 4: finding customers by Code1, an index field that is not unique."""
    p, book, settings = story.p, story.book, story.book.settings
    p.heading("4. Kundensuche über Code1 (Code1 is an index field)")
    found = book.find_by_code1(MEMBER_NUMBER)
    label = settings.kind(CustomerKind.PRIVATE).code1_label
    p.line(
        f"{label} {MEMBER_NUMBER!r} finds: "
        + ", ".join(f"{c.number} {c.display_name} ({c.city})" for c in found)
    )
    acquired = book.find_by_code1("MK")
    label = settings.kind(CustomerKind.CORPORATE).code1_label
    p.line(
        f"{label} 'MK' (Code1 of companies) finds {len(acquired)} customers - Code1 is not unique."
    )
    p.line(
        f"Code1 'M-%' finds {len(book.find_by_code1('M-%'))}: user text is literal, "
        "'%' is no wildcard."
    )
    cooperations = book.count(Selection(kind=CustomerKind.TRAVEL_AGENCY, code1="LCC"))
    p.line(f"Selection code1='LCC' (Kooperation of travel agencies): {cooperations} agencies.")


# -- 5. profile ----------------------------------------------------------------------------------


def profile(story: Story) -> None:
    """Chapter 5: a customer's profile under its kind's labels, one label deleted."""
    p, book = story.p, story.book
    p.heading('5. Kundenprofil: Jacks "Attribute" unter den Bezeichnungen der Kundenart')
    labels = book.settings.kind(CustomerKind.PRIVATE).status_labels
    carriers = book.rename_status_label(CustomerKind.PRIVATE, _RETIRED_FLAG, None)
    p.line(
        f"The label of flag {_RETIRED_FLAG} {labels[_RETIRED_FLAG]!r} deleted: the "
        f"{carriers} private customers carrying it keep the flag, and their profile shows "
        "it by its number."
    )
    [customer] = book.find_by_code1(MEMBER_NUMBER)
    profile = book.profile(customer.number)
    p.line(f"profile({profile.number}), {customer.display_name}, as the card shows it:")
    width = max(len(profile.code1.label), len(profile.code2.label), len("Kundenart")) + 2
    p.line(
        f"  {'Kundenart':<{width}}{_KIND_NAMES[profile.kind]}, "
        f"{_TYPE_NAMES[profile.customer_type]}; Debitorkonto {profile.debtor_account}"
    )
    p.line(f"  {'Kategorie':<{width}}{profile.category or '-'}")
    for i, flag in enumerate(profile.flags):
        box = "[x]" if flag.is_set else "[ ]"
        label = flag.label if flag.label is not None else "(ohne Bezeichnung)"
        p.line(f"  {'Status' if i == 0 else '':<{width}}{box} {flag.number:>2} {label}")
    for code in (profile.code1, profile.code2):
        p.line(f"  {code.label:<{width}}{code.value or '-'}")


# -- 6. template customer ------------------------------------------------------------------------


def templates(story: Story) -> None:
    """Chapter 6: the template customers and the rules others inherit from them."""
    p, book, data = story.p, story.book, story.data
    p.heading("6. Stammkunde je Kundenart: Provision und Fees erben (template customer)")
    for kind in CustomerKind:
        template = book.get(story.number(data.cast.templates[kind]))
        p.line(
            f"  {_KIND_NAMES[kind]:<14} template {template.number} {template.display_name}: "
            f"commission {template.commission_scheme or '-'}, "
            f"fees {template.fee_schedule or '-'}"
        )
    for label, index in data.cast.rules.items():
        number = story.number(index)
        rules = book.effective_rules(number)
        p.line(
            f"Customer {number} ({label}): commission {rules.commission_scheme}, "
            f"fees {rules.fee_schedule}"
        )
    inheriting = sum(
        1
        for i, c in enumerate(data.customers)
        if c.fee_schedule is None and i not in data.cast.templates.values()
    )
    p.line(
        f"{inheriting} of {len(data.customers)} customers have no fee schedule of their own "
        "and use their kind's template."
    )


# -- 7. dunning fields ---------------------------------------------------------------------------


def dunning(story: Story) -> None:
    """Chapter 7: the dunning fee per kind, and the fields of a reminder."""
    p, book, data = story.p, story.book, story.data
    p.heading("7. Mahngebühr je Kundenart als Serienbrieffeld (dunning fields)")
    settings = book.settings
    p.line(
        "Dunning fee per kind: "
        + ", ".join(
            f"{_KIND_NAMES[k]} {format_eur(settings.kind(k).dunning_fee)}" for k in CustomerKind
        )
    )
    overdue = sum(
        1
        for b in data.bookings
        if b.kind is BookingKind.BOOKING and b.open_amount and b.departure <= TODAY
    )
    customer = book.get(story.number(data.cast.dunning))
    [booking] = book.bookings(customer.number)
    p.line(
        f"{overdue} firm bookings are overdue. A reminder to customer {customer.number} "
        f"{customer.display_name} for {booking.reference}, departed "
        f"{booking.departure.isoformat()}, fills these fields:"
    )
    for name, value in book.dunning_fields(customer.number, booking.open_amount).items():
        p.line(f"  {{{name}}} = {value}")
