"""The customers the walkthrough talks about: templates, duplicates, cases, and their bookings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from custmodel.demo._bookings import _LATEST, PlannedBooking, _Bookings
from custmodel.demo._constants import (
    EXTERNAL_CHANNELS,
    MEMBER_NUMBER,
    OWN_AGENCY,
    OWN_CHANNELS,
    TODAY,
)
from custmodel.demo._people import _People
from custmodel.model import BookingKind, CustomerKind, CustomerType, NewCustomer, SalesChannel


@attrs.frozen
class Cast:
    """The customers the walkthrough talks about, as indexes into :attr:`DemoData.customers`.

    Attributes:
        templates: Per kind, the template customer (Stammkunde) whose rules others inherit.
        testine: TSmart's eight records "Test, Testine".
        variants: Further duplicate groups spelt differently (Müller/Mueller, Meier/Mayer/Maier,
            Schmidt/Schmitt, Weiß/Weiss, a company with and without its legal form, a travel
            agency with "ü" and "ue").
        eligibility: A customer per anonymization case, by a short English label; the first
            still owes the rest of its holiday home, long departed.
        prospect: A prospect with offers, who books firmly in the walkthrough.
        rules: Companies without own rules, with an own fee schedule, with an own commission
            scheme, by a short English label.
        dunning: A private customer with an overdue open amount of 1.229,50 € (R6's example).
        agency: A travel agency that books firmly in the walkthrough.
        erasure_requests: Customers who asked to be erased, with the day the request came in.
    """

    templates: dict[CustomerKind, int]
    testine: tuple[int, ...]
    variants: tuple[tuple[int, ...], ...]
    eligibility: dict[str, int]
    prospect: int
    rules: dict[str, int]
    dunning: int
    agency: int
    erasure_requests: tuple[tuple[int, date], ...]


def _templates() -> dict[CustomerKind, NewCustomer]:
    """One template customer (Stammkunde) per kind, carrying the kind's standard rules."""
    note = "Vorlage: Provision und Fees gelten für alle {} ohne eigene Regeln"
    # Per kind: the template's name, commission scheme, fee schedule and who the rules are for.
    standard = {
        CustomerKind.PRIVATE: (
            "Musterkunde Privat",
            "Privat Standard",
            "Service Privat",
            "Privatkunden",
        ),
        CustomerKind.CORPORATE: (
            "Musterfirma Firmenkunden",
            "Firmenstaffel Standard",
            "Firmen-Fee Standard",
            "Firmenkunden",
        ),
        CustomerKind.TRAVEL_AGENCY: (
            "Musterbüro Reisebüros",
            "Agenturprovision 10 %",
            "Agentur-Fee",
            "Reisebüros",
        ),
        CustomerKind.PROSPECT: ("Muster Interessent", None, "Beratungsentgelt", "Interessenten"),
    }
    return {
        kind: NewCustomer(
            kind=kind,
            customer_type=CustomerType.REGULAR,
            last_name=name,
            country="DE",
            commission_scheme=scheme,
            fee_schedule=fees,
            notes=note.format(group),
        )
        for kind, (name, scheme, fees, group) in standard.items()
    }


def _variants(people: _People) -> list[list[NewCustomer]]:
    """Duplicate groups spelt differently, as a front office produces them over the years."""
    private = CustomerKind.PRIVATE
    born = people.birth_date
    mueller, meier, schmidt, weiss = born(), born(), born(), born()
    phone = people.phone("Köln", 1.0)
    weiss_mail = people.email("klaus.weiss", "example.net")
    agency_mail = people.email("info", "reisebuero-sonnenschein.example")
    for name in ("Schneider Maschinenbau GmbH", "Reisebüro Sonnenschein e.K."):
        people.company_name(name)
    people.members.add(MEMBER_NUMBER)

    def person(last: str, first: str, **fields: Any) -> NewCustomer:
        return NewCustomer(kind=private, last_name=last, first_name=first, country="DE", **fields)

    return [
        [
            person("Müller", "Jürgen", salutation="Herr", street="Königsallee 1",
                   postal_code="40212", city="Düsseldorf", birth_date=mueller,
                   customer_type=CustomerType.VIP_INCENTIVE, category="A", code1=MEMBER_NUMBER,
                   status={1, 4, 5}),
            person("Mueller", "Juergen", salutation="Herr", street="Koenigsallee 1",
                   postal_code="40212", city="Duesseldorf", birth_date=mueller),
        ],
        [
            person("Meier", "Hans-Peter", salutation="Herr", street="Lindenstraße 7",
                   postal_code="80331", city="München", birth_date=meier, category="B"),
            person("Mayer", "Hans-Peter", salutation="Herr", birth_date=meier,
                   postal_code="80331", city="München"),
            person("Maier", "Hanspeter", birth_date=meier),
        ],
        [
            person("Schmidt", "Karin", salutation="Frau", street="Ringstraße 21",
                   postal_code="50667", city="Köln", phone=phone, birth_date=schmidt,
                   category="C"),
            person("Schmitt", "Karin", salutation="Frau", postal_code="50667", city="Köln",
                   phone="0221 " + phone.replace(" ", "")[-7:], birth_date=schmidt),
        ],
        [
            person("Weiß", "Klaus", salutation="Herr Dr.", street="Goethestraße 3",
                   postal_code="60313", city="Frankfurt am Main", email=weiss_mail,
                   birth_date=weiss),
            person("Dr. Weiss", "Klaus", email=weiss_mail, birth_date=weiss),
        ],
        [
            NewCustomer(kind=CustomerKind.CORPORATE, last_name="Schneider Maschinenbau GmbH",
                        company="Schneider Maschinenbau GmbH", salutation="Firma",
                        street="Industriestraße 12", postal_code="70372", city="Stuttgart",
                        customer_type=CustomerType.REGULAR, category="Großkunde", code1="MK",
                        code2="Maschinenbau", country="DE"),
            NewCustomer(kind=CustomerKind.CORPORATE, last_name="Schneider Maschinenbau",
                        postal_code="70372", city="Stuttgart", code1="SB", country="DE"),
        ],
        [
            NewCustomer(kind=CustomerKind.TRAVEL_AGENCY, last_name="Reisebüro Sonnenschein e.K.",
                        company="Reisebüro Sonnenschein e.K.", salutation="Firma",
                        street="Am Markt 4", postal_code="28195", city="Bremen",
                        customer_type=CustomerType.REGULAR, category="Kooperation",
                        code1="LCC", code2="HoLa", email=agency_mail, country="DE"),
            NewCustomer(kind=CustomerKind.TRAVEL_AGENCY, last_name="Reisebuero Sonnenschein",
                        email=agency_mail, country="DE"),
        ],
    ]  # fmt: skip


def _testine(people: _People) -> list[NewCustomer]:
    """TSmart's eight records "Test, Testine", each entered a little differently."""
    people.phones.add("23125999")
    people.emails.add("testine.test@example.org")
    extras: list[dict[str, Any]] = [
        {},
        {"salutation": "Frau"},
        {"city": "Berlin", "postal_code": "10115"},
        {"email": "testine.test@example.org"},
        {"email": "testine.test@example.org", "street": "Hauptstraße 5"},
        {"phone": "+49 30 23125 999"},
        {"city": "Berlin", "postal_code": "10115", "street": "Hauptstraße 5"},
        {"salutation": "Frau", "city": "Berlin"},
    ]
    return [
        NewCustomer(kind=CustomerKind.PRIVATE, last_name="Test", first_name="Testine", **extra)
        for extra in extras
    ]


#: The anonymization cases the walkthrough explains: (label, point of sale, channel, days
#: between departure and today, booking kind).
_ELIGIBILITY_CASES = (
    ("own point of sale, own channel, departed long ago", OWN_AGENCY, "Website", -400, "booking"),
    ("sold by another point of sale (AG2)", "AG2", "Filiale", -400, "booking"),
    ("came through an external channel (Holidu)", OWN_AGENCY, "Holidu", -400, "booking"),
    ("departed 30 days ago", OWN_AGENCY, "Telefon", -30, "booking"),
    ("offers only", "AG2", "Website", 60, "offer"),
)
#: The first case never paid the rest of its holiday home (236,00 € of 1.180,00 €): after its
#: erasure the ledger still holds the amount, and the dunning run must write it no letter.
_UNPAID_REST = (("Ferienhaus", "Ostsee", 118000), 23600)


#: The template customer cases the walkthrough shows, in the order of the cast's companies.
_RULE_CASES = ("no own rules", "own fee schedule", "own commission scheme")


def _story_bookings(
    booker: _Bookings,
    order: Sequence[NewCustomer],
    variants: Sequence[tuple[int, ...]],
    testine: tuple[int, ...],
) -> list[PlannedBooking]:
    """Bookings of the duplicates: each record booked, so a merge has bookings to move."""
    found: list[PlannedBooking] = []
    for n, index in enumerate(testine):
        found.append(
            booker.booking(
                index,
                order[index],
                BookingKind.BOOKING,
                date(2023, 6, 1) + timedelta(days=61 * n),
                OWN_AGENCY,
                SalesChannel.own(OWN_CHANNELS[n % len(OWN_CHANNELS)]),
                open_cents=0,
            )
        )
    for group in variants:
        for index in group:
            found.append(
                booker.booking(index, order[index], BookingKind.BOOKING, booker.departure(_LATEST))
            )
    return found


@attrs.frozen
class _Drafts:
    """The walkthrough's customers as drafts, before they are placed in the data set.

    Attributes:
        variants: The duplicate groups spelt differently.
        testine: The eight "Test, Testine".
        eligibility: One customer per case of :data:`_ELIGIBILITY_CASES`.
        extras: The prospect, the three companies of :data:`_RULE_CASES`, the dunning
            example and the travel agency, in this order.
    """

    variants: list[list[NewCustomer]]
    testine: list[NewCustomer]
    eligibility: list[NewCustomer]
    extras: list[NewCustomer]

    @property
    def all(self) -> list[NewCustomer]:
        """Every draft, in the order of the fields."""
        return [
            *(c for group in self.variants for c in group),
            *self.testine,
            *self.eligibility,
            *self.extras,
        ]


def _drafts(people: _People) -> _Drafts:
    """Draw the walkthrough's customers (in one fixed order, which the seed's story depends on)."""
    variants = _variants(people)
    testine = _testine(people)
    eligibility = [
        people.prospect() if kind == "offer" else people.private()
        for *_, kind in _ELIGIBILITY_CASES
    ]
    prospect = attrs.evolve(people.prospect(), category="Aussichtsreich")
    major = people.corporate()
    while major.category != "Großkunde":
        major = people.corporate()
    rules = [
        attrs.evolve(people.corporate(), commission_scheme=None, fee_schedule=None),
        attrs.evolve(major, commission_scheme=None, fee_schedule="Firmen-Fee Großkunde"),
        attrs.evolve(people.corporate(), commission_scheme="Firmenstaffel Gold", fee_schedule=None),
    ]
    dunning = attrs.evolve(people.private(), customer_type=CustomerType.REGULAR, category="B")
    agency = people.travel_agency()
    while agency.customer_type is not CustomerType.REGULAR:
        agency = people.travel_agency()
    return _Drafts(variants, testine, eligibility, [prospect, *rules, dunning, agency])


def _cast(templates: Sequence[CustomerKind], drafts: _Drafts, positions: dict[int, int]) -> Cast:
    """The cast: where the templates and the drafts ended up (``positions``: draft -> index).

    Its erasure requests are left empty; the data set adds them last.
    """
    at = iter(positions[n] for n in range(len(drafts.all)))
    variants = tuple(tuple(next(at) for _ in group) for group in drafts.variants)
    testine = tuple(next(at) for _ in drafts.testine)
    eligibility = {case[0]: next(at) for case in _ELIGIBILITY_CASES}
    prospect, *rules, dunning, agency = (next(at) for _ in drafts.extras)
    return Cast(
        templates={kind: i for i, kind in enumerate(templates)},
        testine=testine,
        variants=variants,
        eligibility=eligibility,
        prospect=prospect,
        rules=dict(zip(_RULE_CASES, rules, strict=True)),
        dunning=dunning,
        agency=agency,
        erasure_requests=(),
    )


def _cast_bookings(
    booker: _Bookings, order: Sequence[NewCustomer], cast: Cast
) -> list[PlannedBooking]:
    """The bookings of the cast: each tells the walkthrough something."""
    found = _story_bookings(booker, order, cast.variants, cast.testine)
    for case, ((_label, pos, channel, days, kind), index) in enumerate(
        zip(_ELIGIBILITY_CASES, cast.eligibility.values(), strict=True)
    ):
        sales = (
            SalesChannel.external(channel)
            if channel in EXTERNAL_CHANNELS
            else SalesChannel.own(channel)
        )
        trip, open_cents = _UNPAID_REST if case == 0 else (None, 0)
        found.append(
            booker.booking(
                index,
                order[index],
                BookingKind(kind),
                TODAY + timedelta(days=days),
                pos,
                sales,
                open_cents=open_cents,
                trip=trip,
            )
        )
    # R6's example: 1.229,50 € open, half the price of a package holiday to Turkey.
    found.append(
        booker.booking(
            cast.dunning,
            order[cast.dunning],
            BookingKind.BOOKING,
            TODAY - timedelta(days=95),
            OWN_AGENCY,
            SalesChannel.own("Filiale"),
            open_cents=122950,
            trip=("Pauschalreise", "Türkei", 245900),
        )
    )
    for index in (*cast.rules.values(), cast.agency):
        found.extend(booker.history(index, order[index]))
    found.extend(
        booker.booking(
            cast.prospect,
            order[cast.prospect],
            BookingKind.OFFER,
            TODAY + timedelta(days=days),
            OWN_AGENCY,
            SalesChannel.own("Website"),
        )
        for days in (120, 150)
    )
    return found
