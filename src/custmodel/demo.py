"""The manuals' scenarios, played on a customer book and printed for a person to read.

``python -m custmodel demo`` runs it on a new SQLite file, ``--db URL`` on any other store.
Every step uses only the public API, so the code doubles as a tour of it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from custmodel import (
    Booking,
    BookingKind,
    Customer,
    CustomerBook,
    CustomerKind,
    CustomerType,
    KindSettings,
    NewCustomer,
    NotEligibleError,
    SalesChannel,
    Selection,
    Settings,
)
from custmodel.storage import CustomerStore
from custmodel.storage.memory import MemoryStore

__all__ = ["demo_settings", "run"]

#: The agency running the demo: its own point of sale.
OWN_AGENCY = "AG1"


def demo_settings() -> Settings:
    """Per-kind parameters as Jack's manual suggests them."""
    return Settings(
        debtor_base=10000,
        anonymization_delay_days=42,
        kinds={
            CustomerKind.PRIVATE: KindSettings(
                categories=("A", "B", "C", "D"),
                status_labels={
                    1: "VIP / Stammkunden",
                    2: "Single",
                    3: "Familie",
                    4: "Luxusurlaub",
                    5: "Individuelle Reisen",
                    6: "Weihnachtskarte",
                },
                code1_label="Mitgliedsnummer",
                dunning_fee=Decimal("5.00"),
                deposit_prompt=True,
            ),
            CustomerKind.CORPORATE: KindSettings(
                categories=("Großkunde", "Mittelstand", "Kleinkunde"),
                status_labels={1: "Reiserichtlinien vorhanden", 2: "Incentivepotential"},
                code1_label="Akquisiteur",
                code2_label="Branche",
                debtor_offset=50000,
                dunning_fee=Decimal("10.00"),
                deposit_prompt=True,
            ),
            CustomerKind.TRAVEL_AGENCY: KindSettings(
                categories=("Kooperation", "Freies Büro"),
                status_labels={1: "Problemlos", 2: "Aufwendig", 3: "Zahlt sofort"},
                code1_label="Kooperation",
                code2_label="Filialsystem",
                debtor_offset=70000,
            ),
            CustomerKind.PROSPECT: KindSettings(
                categories=("Aussichtsreich", "Prospektsammler", "Last Minute Kunde"),
                status_labels={1: "Mailing zuschicken", 2: "Interesse Kreuzfahrt"},
                debtor_offset=90000,
                renumber_on_kind_change=True,
            ),
        },
    )


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def heading(self, text: str) -> None:
        self.out.write(f"\n== {text} {'=' * max(3, 76 - len(text))}\n")

    def line(self, text: str = "") -> None:
        self.out.write(f"{text}\n")

    def customers(self, customers: list[Customer]) -> None:
        self.line(f"  {'Nr.':>5}  {'Art':<14} {'Typ':<14} {'Debitor':>7}  {'Kat.':<15} Name")
        for c in customers:
            self.line(
                f"  {c.number:>5}  {c.kind.value:<14} {c.customer_type.value:<14} "
                f"{c.debtor_account:>7}  {c.category or '-':<15} {c.display_name}"
            )


def _fixed_clock(start: datetime) -> Callable[[], datetime]:
    ticks: Iterator[int] = iter(range(10**9))
    return lambda: start + timedelta(milliseconds=next(ticks))


def run(out: TextIO = sys.stdout, store: CustomerStore | None = None) -> CustomerBook:
    """Play the manuals' scenarios on ``store`` (default: a new in-memory store).

    Returns:
        The book, for callers that want to look further.
    """
    p = _Printer(out)
    today = date(2026, 11, 24)
    book = CustomerBook(
        store if store is not None else MemoryStore(),
        demo_settings(),
        clock=_fixed_clock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
    )

    p.heading("1. Kunden aller Arten und Typen erfassen (Jack: Kundenarten, TSmart: Kundentypen)")
    firm = book.register(
        CustomerKind.CORPORATE,
        "Reisewelt Schmidt GmbH",
        customer_type=CustomerType.REGULAR,
        category="Großkunde",
        code1="MK",
        code2="Maschinenbau",
        commission_scheme="Firmenstaffel 2026",
        fee_schedule="Service Firma",
    )
    agency = book.register(
        CustomerKind.TRAVEL_AGENCY,
        "Reisebüro Sonnenschein",
        customer_type=CustomerType.TOUR_OPERATOR,
        category="Kooperation",
        code1="LCC",
        code2="HoLa",
    )
    vip = book.register(
        CustomerKind.PRIVATE,
        "Müller",
        first_name="Jürgen",
        salutation="Herr",
        customer_type=CustomerType.VIP_INCENTIVE,
        category="A",
        code1="K-4711",
        street="Königsallee 1",
        postal_code="40212",
        city="Düsseldorf",
        status=[1, 4],
    )
    walk_in = book.register(CustomerKind.PRIVATE, "Weber", first_name="Anna", category="B")
    prospect = book.register(
        CustomerKind.PROSPECT, "Becker", first_name="Lena", category="Aussichtsreich"
    )
    p.line("New customers are WALK_IN (Laufkundschaft) unless a type is given:")
    p.customers([firm, agency, vip, walk_in, prospect])
    p.line(
        "Debitorkonto = Basis 10000 + Offset der Kundenart + Kundennummer "
        "(Firmen +50000, Reisebüros +70000, Interessenten +90000)."
    )

    p.heading("2. Der 300. Kunde (Jack: 10000 + 0 + 300 = 10300)")
    drafts = [
        NewCustomer(
            kind=CustomerKind.PRIVATE,
            last_name=f"Kunde {n}",
            category="ABCD"[n % 4],
            code1=f"K-{5000 + n}",
        )
        for n in range(6, 301)
    ]
    registered = book.register_many(drafts)
    number_300 = registered[-1]
    p.line(
        f"Registered {len(registered)} more customers in one transaction; customer "
        f"{number_300.number} has debtor account {number_300.debtor_account}."
    )

    p.heading("3. Status setzen auf einer Selektion, Statusfeld umbenennen")
    changed = book.set_status(Selection(kind=CustomerKind.PRIVATE, category="A"), 6)
    p.line(f"Flag 6 'Weihnachtskarte' set on every private customer of category A: {changed}.")
    carriers = book.rename_status_label(CustomerKind.PRIVATE, 6, "Neujahrskarte")
    p.line(
        f"Flag 6 renamed to 'Neujahrskarte': the {carriers} customers carrying it keep it - "
        "selections use the number, so review them."
    )
    both = book.count(Selection(status_all=frozenset({1, 6})))
    p.line(
        f"Customers with flags 1 AND 6: {both}; with flag 1 OR 6: "
        f"{book.count(Selection(status_any=frozenset({1, 6})))}."
    )

    p.heading("4. Kundensuche über Code1 (Mitgliedsnummer)")
    found = book.find_by_code1("K-4711")
    p.line(f"Code1 'K-4711' finds: {', '.join(f'{c.number} {c.display_name}' for c in found)}")

    p.heading("5. Stammkunde (Vorlage) je Kundenart: Provision und Fees erben")
    book.update_kind_settings(CustomerKind.CORPORATE, template_customer=firm.number)
    other_firm = book.register(
        CustomerKind.CORPORATE, "Kleinbetrieb Vogel", fee_schedule="Fee Spezial"
    )
    rules = book.effective_rules(other_firm.number)
    p.line(
        f"Customer {other_firm.number}: commission {rules.commission_scheme}, "
        f"fees {rules.fee_schedule}"
    )

    p.heading("6. Mahngebühr je Kundenart als Serienbrieffeld")
    fields = book.dunning_fields(vip.number, Decimal("1229.50"))
    for name, value in fields.items():
        p.line(f"  {{{name}}} = {value}")

    p.heading("7. Interessent wird bei der ersten Festbuchung zum Kunden")
    offer = book.record_booking(
        Booking("AN-1001", prospect.number, BookingKind.OFFER, date(2027, 5, 1), OWN_AGENCY)
    )
    p.line(f"Offer AN-1001: converted? {offer.conversion is not None}")
    booked = book.record_booking(
        Booking(
            "VG-1001",
            prospect.number,
            BookingKind.BOOKING,
            date(2027, 5, 1),
            OWN_AGENCY,
            SalesChannel.own("Filiale"),
            Decimal("2400.00"),
        )
    )
    conversion = booked.conversion
    if conversion is None:  # pragma: no cover - a firm booking of a prospect always converts
        raise RuntimeError("the prospect was not converted")
    p.line(
        f"Booking VG-1001: {conversion.old_kind.value} -> {conversion.new_kind.value}, "
        f"debtor account {conversion.old_debtor_account} -> {conversion.new_debtor_account} "
        f"(renumbered), category {conversion.dropped_category!r} dropped."
    )
    p.line(f"Ask for a deposit now? {'yes' if booked.deposit_prompt else 'no'}")

    p.heading("8. Acht Auftraggeber 'Test, Testine' zusammenführen (TSmart)")
    tests = [
        book.register(
            CustomerKind.PRIVATE,
            "Test",
            first_name="Testine",
            email="testine@example.org" if n == 3 else "",
            phone="+49 30 1234567" if n == 5 else "",
            city="Berlin" if n in (2, 6) else "",
        )
        for n in range(8)
    ]
    for n, customer in enumerate(tests):
        book.record_booking(
            Booking(
                f"VG-20{n:02}",
                customer.number,
                BookingKind.BOOKING,
                date(2025, 6, 1) + timedelta(days=30 * n),
                OWN_AGENCY,
            )
        )
    group = book.select(Selection(name="Test", kind=CustomerKind.PRIVATE))
    group = [c for c in group if c.first_name == "Testine"]
    p.line(f"Search 'Test' finds {len(group)} records 'Test, Testine':")
    p.customers(group)
    master, *duplicates = (c.number for c in group)
    plan = book.plan_merge(master, duplicates, fill_blanks=True)
    p.line(
        f"Plan: master {plan.master}, {len(plan.duplicates)} duplicates, "
        f"{len(plan.bookings)} bookings move, fills {sorted(plan.filled_fields)}, "
        f"retires debtor accounts {sorted(plan.retired_debtor_accounts.values())}."
    )
    report = book.merge(master, duplicates, fill_blanks=True)
    p.line(
        f"Merged: {report.bookings_moved} bookings moved; customer {master} now has "
        f"{len(book.bookings(master))} bookings; active 'Test, Testine' records: "
        f"{sum(1 for c in book.select(Selection(name='Testine')))}."
    )
    old = duplicates[-1]
    p.line(
        f"Old number {old} resolves to {book.resolve(old).number}; old debtor account "
        f"{plan.retired_debtor_accounts[old]} resolves to "
        f"{book.resolve_debtor_account(plan.retired_debtor_accounts[old]).number}."
    )

    p.heading("9. Kundendaten anonymisieren (DSGVO, TSmart-Regeln)")
    candidates = {
        "own POS, departure long ago": (OWN_AGENCY, SalesChannel.own("Website"), -400),
        "other point of sale": ("AG2", SalesChannel.own("Website"), -400),
        "external channel (Holidu)": (OWN_AGENCY, SalesChannel.external("Holidu"), -400),
        "departed 30 days ago": (OWN_AGENCY, SalesChannel.own("Website"), -30),
    }
    for label, (pos, channel, days) in candidates.items():
        customer = book.register(CustomerKind.PRIVATE, "Schulz", first_name="Petra")
        book.record_booking(
            Booking(
                f"VG-3{customer.number}",
                customer.number,
                BookingKind.BOOKING,
                today + timedelta(days=days),
                pos,
                channel,
            )
        )
        try:
            result = book.anonymize(customer.number, OWN_AGENCY, today)
            p.line(
                f"  {label}: anonymized -> last name {result.customer.last_name!r}, "
                f"{len(result.fields_cleared)} fields cleared, debtor account "
                f"{result.customer.debtor_account} kept"
            )
        except NotEligibleError as refused:
            p.line(f"  {label}: refused - {refused.eligibility.explain()}")
    offer_only = book.register(CustomerKind.PROSPECT, "Neumann")
    book.record_booking(Booking("AN-9", offer_only.number, BookingKind.OFFER, today, "AG2"))
    p.line(f"  offers only: {book.eligibility(offer_only.number, OWN_AGENCY, today).explain()}")

    p.heading("Summary")
    p.line(
        f"{book.count()} active customers, {book.count(Selection(include_merged=True))} "
        "records in all (tombstones included)."
    )
    return book
