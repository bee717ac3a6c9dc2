"""The manuals' scenarios, played on a realistic data set and printed for a person to read.

:func:`run` makes a German demo data set from a seed (a few thousand private customers,
companies, travel agencies and prospects with an offer and booking history since 2022, see
:mod:`custmodel._demodata`), registers it in a store and walks through what the manuals
describe: debtor accounts, "Status setzen", Code1 search, a customer's profile under its kind's
labels, the template customer, dunning fields, the deposit prompt, a prospect's conversion,
finding and merging duplicates, GDPR erasure, revenue statistics and a dunning run with
mail-merge letters.

``python -m custmodel demo`` runs it on a new SQLite file, ``--db URL`` on any other store.
Every step uses the public API (:class:`~custmodel.CustomerBook`, and the store's own
transactions for the bulk import of the booking history), so the code doubles as a tour of it.
The same seed prints the same report: the story has a fixed "today" and a fixed clock.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

import attrs

from custmodel import _demodata
from custmodel._demodata import OWN_AGENCY, TODAY, DemoData
from custmodel.book import CustomerBook
from custmodel.errors import InvalidInputError, MissingExtraError, NotEligibleError
from custmodel.model import (
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    CustomerType,
    DeparturePeriod,
    ErasureState,
    KindSettings,
    SalesChannel,
    Selection,
    Settings,
    Statistics,
    StatisticsDimension,
    StatisticsRow,
)
from custmodel.rules import format_eur
from custmodel.storage import CustomerStore
from custmodel.storage.memory import MemoryStore

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "DUNNING_LETTER",
    "MERGE_DATA_FILE",
    "OWN_AGENCY",
    "Track",
    "demo_settings",
    "run",
]

#: The seed the demo uses unless told otherwise.
DEFAULT_SEED = 4711
#: How many customers the demo registers unless told otherwise.
DEFAULT_CUSTOMERS = 3000

#: Customers registered per transaction, bookings imported per transaction.
_CUSTOMER_BATCH = 500
_BOOKING_BATCH = 2000

#: The flag whose label the walkthrough deletes, and the customers' profile shows by number.
_RETIRED_FLAG = 5
#: The departure year the statistics evaluate: the last complete year before the story's today.
_STATISTICS_YEAR = TODAY.year - 1
#: The dunning run's letter (Zahlungserinnerung): address block, greeting, the amounts (R6).
DUNNING_LETTER = """{Kunde-Anrede}
{Kunde-Vorname} {Kunde-Name}
{Kunde-Strasse}
{Kunde-PLZ} {Kunde-Ort}

Zahlungserinnerung, Kundenkonto {Kunde-Debitorkonto}

{Kunde-Briefanrede},

für Ihre Reise ist noch ein Betrag von {OP-Betrag} offen. Bitte überweisen Sie ihn
zuzüglich der Mahngebühr von {Kunde-Mahngebühr}, zusammen {OP-Betrag+Mahngebühr},
innerhalb von 14 Tagen.

Mit freundlichen Grüßen
Ihr Reisebüro"""
#: The name of the dunning run's mail-merge data file in ``run(letters_dir=...)``.
MERGE_DATA_FILE = "mahnlauf.csv"
#: Its columns: who, where, and the amounts.
_MERGE_DATA_FIELDS = (
    "Kunde-Nummer",
    "Kunde-Debitorkonto",
    "Kunde-Anrede",
    "Kunde-Briefanrede",
    "Kunde-Vorname",
    "Kunde-Name",
    "Kunde-Strasse",
    "Kunde-PLZ",
    "Kunde-Ort",
    "OP-Betrag",
    "Kunde-Mahngebühr",
    "OP-Betrag+Mahngebühr",
)

_T = TypeVar("_T")


class Track(Protocol):
    """A progress hook around the demo's long loops, shaped like ``rich.progress.track``.

    It receives the items, a description and their number, and yields the same items.
    """

    def __call__(
        self, sequence: Iterable[_T], description: str, total: int | None
    ) -> Iterable[_T]: ...


def _untracked(sequence: Iterable[_T], description: str, total: int | None) -> Iterable[_T]:
    """The default progress hook: no progress shown."""
    del description, total
    return sequence


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
                code1_label="Quelle",
                debtor_offset=90000,
                renumber_on_kind_change=True,
            ),
        },
    )


#: German names of kinds and types, as the manuals write them.
_KIND_NAMES = {
    CustomerKind.PRIVATE: "Privatkunden",
    CustomerKind.CORPORATE: "Firmenkunden",
    CustomerKind.TRAVEL_AGENCY: "Reisebüros",
    CustomerKind.PROSPECT: "Interessenten",
}
_TYPE_NAMES = {
    CustomerType.REGULAR: "Stammkunde",
    CustomerType.WALK_IN: "Laufkundschaft",
    CustomerType.TOUR_OPERATOR: "Veranstalter",
    CustomerType.VIP_INCENTIVE: "VIP/Incentive",
}


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def heading(self, text: str) -> None:
        self.out.write(f"\n== {text} {'=' * max(3, 76 - len(text))}\n")

    def line(self, text: str = "") -> None:
        self.out.write(f"{text}\n")

    def customers(self, customers: Iterable[Customer]) -> None:
        self.line(f"  {'Nr.':>5}  {'Art':<14} {'Typ':<14} {'Debitor':>7}  {'Kat.':<15} Name")
        for c in customers:
            self.line(
                f"  {c.number:>5}  {c.kind.value:<14} {c.customer_type.value:<14} "
                f"{c.debtor_account:>7}  {c.category or '-':<15} {c.display_name}"
            )

    def card(self, c: Customer) -> None:
        """A customer as its card shows it: name, address, contact, codes."""
        name = " ".join(p for p in (c.salutation, c.first_name, c.last_name) if p)
        self.line(f"  {c.number:>5}  {_KIND_NAMES[c.kind]}, {_TYPE_NAMES[c.customer_type]}: {name}")
        address = ", ".join(p for p in (c.street, f"{c.postal_code} {c.city}".strip()) if p)
        contact = ", ".join(p for p in (c.phone, c.email) if p)
        details = [address, contact]
        if c.birth_date is not None:
            details.append(f"geb. {c.birth_date.isoformat()}")
        self.line(f"         {' | '.join(d for d in details if d)}")
        codes = [f"Kategorie {c.category}"] if c.category else []
        codes += [f"Status {sorted(c.status)}"] if c.status else []
        codes += [f"Code1 {c.code1!r}"] if c.code1 else []
        codes += [f"Code2 {c.code2!r}"] if c.code2 else []
        if codes:
            self.line(f"         {', '.join(codes)}")

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]], text: int = 1) -> None:
        """Aligned columns, two spaces apart: the first ``text`` left, the figures right."""
        lines = [list(header), *(list(row) for row in rows)]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            cells = [
                cell.ljust(width) if i < text else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ]
            self.line(f"  {'  '.join(cells)}".rstrip())


def _fixed_clock(start: datetime) -> Callable[[], datetime]:
    ticks: Iterator[int] = iter(range(10**12))
    return lambda: start + timedelta(milliseconds=next(ticks))


def _count(n: int, noun: str) -> str:
    """Count a noun: "1 booking", "2 bookings", "3 batches"."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}{'es' if noun.endswith('ch') else 's'}"


def _text_of(dimension: StatisticsDimension) -> Callable[[StatisticsRow], list[str]]:
    """The label cell of a statistics row grouped by a text dimension; None is "keine Angabe"."""
    return lambda row: [str(row.value(dimension) or "(keine Angabe)")]


def _batches(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(
    out: TextIO = sys.stdout,
    store: CustomerStore | None = None,
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    track: Track = _untracked,
    letters_dir: str | os.PathLike[str] | None = None,
) -> CustomerBook:
    """Make the demo data set, register it in ``store`` and play the manuals' scenarios.

    Args:
        out: Where the report goes.
        store: An empty store (default: a new in-memory store).
        seed: The data set's seed; the same seed prints the same report.
        customers: How many customers the data set has (300 to 100,000).
        track: Progress hook around the long loops, e.g. ``rich.progress.track``.
        letters_dir: A directory (made if missing) for the dunning run's mail-merge data file
            :data:`MERGE_DATA_FILE`; None (the default) writes no file.

    Returns:
        The book, for callers that want to look further.

    Raises:
        InvalidInputError: a bad seed, size or letters directory, or a store that holds
            customers already.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidInputError("the demo's seed is a whole number")
    if isinstance(customers, bool) or not isinstance(customers, int):
        raise InvalidInputError("the demo's number of customers is a whole number")
    if not _demodata.MIN_CUSTOMERS <= customers <= _demodata.MAX_CUSTOMERS:
        raise InvalidInputError(
            f"the demo registers {_demodata.MIN_CUSTOMERS} to {_demodata.MAX_CUSTOMERS} customers"
        )
    if letters_dir is not None:
        if not isinstance(letters_dir, str | os.PathLike):
            raise InvalidInputError("the demo's letters directory is a path")
        letters_dir = Path(letters_dir)
        if letters_dir.exists() and not letters_dir.is_dir():
            raise InvalidInputError("the demo's letters directory is a file, not a directory")
    book = CustomerBook(
        store if store is not None else MemoryStore(),
        clock=_fixed_clock(datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=9)),
    )
    present = book.count(Selection(include_merged=True))
    if present:
        raise InvalidInputError(
            f"the demo needs an empty store; this one holds {present} customers"
        )
    if letters_dir is not None:
        # Made now, so that a directory that cannot be made stops the demo before it starts.
        try:
            letters_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InvalidInputError(
                f"the demo cannot make its letters directory: {error.strerror}"
            ) from error
    book.configure(demo_settings())
    data = _demodata.generate(seed, customers)
    story = _Story(book, data, _Printer(out), track, letters_dir)
    story.play()
    return book


class _Story:
    """The walkthrough: one method per chapter, in the order they are told."""

    def __init__(
        self,
        book: CustomerBook,
        data: DemoData,
        p: _Printer,
        track: Track,
        letters_dir: Path | None,
    ) -> None:
        self.book = book
        self.data = data
        self.p = p
        self.track = track
        self.letters_dir = letters_dir
        self.numbers: list[int] = []
        self.recorded = 0
        #: Merged duplicates and their master: the ledger moves their open items there.
        self.masters: dict[int, int] = {}

    def number(self, index: int) -> int:
        """The customer number of the data set's customer ``index``."""
        return self.numbers[index]

    def play(self) -> None:
        self.p.line("custmodel demo: the customer master data of a German travel agency")
        self.p.line(
            f"Seed {self.data.seed}, {len(self.data.customers)} customers; the story's today "
            f"(Stichtag) is {TODAY.isoformat()}; we are agency {OWN_AGENCY}, AG2 and AG3 are "
            "other points of sale in the same system."
        )
        self.load()
        self.summary()
        self.debtor_accounts()
        self.status()
        self.code1()
        self.profile()
        self.templates()
        self.dunning()
        self.conversion()
        self.duplicates()
        self.gdpr()
        self.statistics()
        self.dunning_run()
        self.closing()

    # -- 1. the data set ----------------------------------------------------------------------

    def load(self) -> None:
        data = self.data
        drafts = self.track(
            data.customers, description="Registering customers", total=len(data.customers)
        )
        for batch in _batches(drafts, _CUSTOMER_BATCH):
            self.numbers.extend(c.number for c in self.book.register_many(batch))
        for kind, index in data.cast.templates.items():
            self.book.update_kind_settings(kind, template_customer=self.number(index))
        # The booking history is imported like a data migration: straight through the store's
        # transaction, a few thousand bookings per commit. CustomerBook.record_booking (one
        # transaction per booking, used for the new bookings below) would commit each one,
        # which takes the embedded SQLite store milliseconds apiece. The history applies no
        # rule: prospects hold offers only (a firm booking would have converted them), and
        # every customer is new and active.
        bookings = self.track(
            data.bookings, description="Importing the booking history", total=len(data.bookings)
        )
        for chunk in _batches(bookings, _BOOKING_BATCH):
            with self.book.store.transaction() as tx:
                for planned in chunk:
                    tx.put_booking(planned.booking(self.number(planned.customer)))

    def summary(self) -> None:
        p, data = self.p, self.data
        p.heading("1. Der Datenbestand (the demo data set)")
        p.line(
            f"Registered {len(data.customers)} customers with register_many in "
            f"{_count(-(-len(data.customers) // _CUSTOMER_BATCH), 'transaction')} and "
            f"imported {len(data.bookings)} bookings "
            f"(Vorgänge) with departures from {_demodata.FIRST_DEPARTURE.year} to "
            f"{max(b.departure for b in data.bookings).year}."
        )
        p.line()
        p.line("Kunden nach Kundenart und Kundentyp (customers by kind and type):")
        header = "".join(f"{_TYPE_NAMES[t]:>16}" for t in CustomerType)
        p.line(f"  {'':<14}{header}{'Summe':>8}")
        for kind in CustomerKind:
            counts = [self.book.count(Selection(kind=kind, customer_type=t)) for t in CustomerType]
            cells = "".join(f"{n:>16}" for n in counts)
            p.line(f"  {_KIND_NAMES[kind]:<14}{cells}{sum(counts):>8}")
        p.line(f"  {'Alle Kunden':<14}{'':>64}{self.book.count():>8}")

        p.line()
        p.line("Vorgänge nach Abreisejahr (bookings by departure year):")
        p.line(f"  {'Jahr':<6}{'Angebote':>10}{'Festbuchungen':>15}{'OP-Betrag (open)':>20}")
        years = sorted({b.departure.year for b in data.bookings})
        for year in years:
            of_year = [b for b in data.bookings if b.departure.year == year]
            offers = sum(1 for b in of_year if b.kind is BookingKind.OFFER)
            open_total = sum((b.open_amount for b in of_year), Decimal("0.00"))
            p.line(
                f"  {year:<6}{offers:>10}{len(of_year) - offers:>15}{format_eur(open_total):>20}"
            )
        firm = [b for b in data.bookings if b.kind is BookingKind.BOOKING]
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

        p.line()
        p.line(
            "Stichprobe (a few cards as stored; e-mails use reserved example domains, phones the "
            "Bundesnetzagentur's never-connected film numbers):"
        )
        story = self.story_indexes()
        shown: list[int] = []
        for kind, kind_type in (
            (CustomerKind.PRIVATE, CustomerType.WALK_IN),
            (CustomerKind.PRIVATE, CustomerType.REGULAR),
            (CustomerKind.CORPORATE, CustomerType.VIP_INCENTIVE),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.TOUR_OPERATOR),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.REGULAR),
            (CustomerKind.PROSPECT, CustomerType.WALK_IN),
        ):
            index = next(
                (
                    i
                    for i, c in enumerate(data.customers)
                    if c.kind is kind and c.customer_type is kind_type and i not in story
                ),
                None,
            )
            if index is not None:
                shown.append(self.number(index))
        for number in shown:
            p.card(self.book.get(number))

    def story_indexes(self) -> set[int]:
        cast = self.data.cast
        return {
            *cast.templates.values(),
            *cast.testine,
            *(i for group in cast.variants for i in group),
            *cast.eligibility.values(),
            *cast.rules.values(),
            cast.prospect,
            cast.dunning,
            cast.agency,
        }

    # -- 2. debtor accounts -------------------------------------------------------------------

    def debtor_accounts(self) -> None:
        p, book = self.p, self.book
        settings = book.settings
        p.heading("2. Debitorkonto = Basis + Offset der Kundenart + Kundennummer")
        p.line(
            f"Every customer gets a debtor account: base {settings.debtor_base} + the kind's "
            "offset + the running customer number."
        )
        for kind in CustomerKind:
            first = next(
                i
                for i, c in enumerate(self.data.customers)
                if c.kind is kind and i not in self.data.cast.templates.values()
            )
            customer = book.get(self.number(first))
            offset = settings.kind(kind).debtor_offset
            p.line(
                f"  {_KIND_NAMES[kind]:<14} offset {offset:>5}: customer {customer.number:>4} "
                f"-> {settings.debtor_base} + {offset} + {customer.number} = "
                f"{customer.debtor_account}"
            )
        customer = book.get(self.number(299))
        p.line(
            f"Jack's example, the 300th customer ({_KIND_NAMES[customer.kind]}): customer "
            f"{customer.number} has debtor account {customer.debtor_account} "
            f"({settings.debtor_base} + {settings.kind(customer.kind).debtor_offset} + "
            f"{customer.number})."
        )

    # -- 3. status flags ----------------------------------------------------------------------

    def status(self) -> None:
        p, book = self.p, self.book
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
        p.line(
            f"The same again: {book.set_status(selection, 6)} changed (only real changes count)."
        )
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

    # -- 4. Code1 -----------------------------------------------------------------------------

    def code1(self) -> None:
        p, book, settings = self.p, self.book, self.book.settings
        p.heading("4. Kundensuche über Code1 (Code1 is an index field)")
        found = book.find_by_code1(_demodata.MEMBER_NUMBER)
        label = settings.kind(CustomerKind.PRIVATE).code1_label
        p.line(
            f"{label} {_demodata.MEMBER_NUMBER!r} finds: "
            + ", ".join(f"{c.number} {c.display_name} ({c.city})" for c in found)
        )
        acquired = book.find_by_code1("MK")
        label = settings.kind(CustomerKind.CORPORATE).code1_label
        p.line(
            f"{label} 'MK' (Code1 of companies) finds {len(acquired)} customers - Code1 is not "
            "unique."
        )
        p.line(
            f"Code1 'M-%' finds {len(book.find_by_code1('M-%'))}: user text is literal, "
            "'%' is no wildcard."
        )
        cooperations = book.count(Selection(kind=CustomerKind.TRAVEL_AGENCY, code1="LCC"))
        p.line(f"Selection code1='LCC' (Kooperation of travel agencies): {cooperations} agencies.")

    # -- 5. profile ---------------------------------------------------------------------------

    def profile(self) -> None:
        p, book = self.p, self.book
        p.heading('5. Kundenprofil: Jacks "Attribute" unter den Bezeichnungen der Kundenart')
        labels = book.settings.kind(CustomerKind.PRIVATE).status_labels
        carriers = book.rename_status_label(CustomerKind.PRIVATE, _RETIRED_FLAG, None)
        p.line(
            f"The label of flag {_RETIRED_FLAG} {labels[_RETIRED_FLAG]!r} deleted: the "
            f"{carriers} private customers carrying it keep the flag, and their profile shows "
            "it by its number."
        )
        [customer] = book.find_by_code1(_demodata.MEMBER_NUMBER)
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

    # -- 6. template customer -----------------------------------------------------------------

    def templates(self) -> None:
        p, book, data = self.p, self.book, self.data
        p.heading("6. Stammkunde je Kundenart: Provision und Fees erben (template customer)")
        for kind in CustomerKind:
            template = book.get(self.number(data.cast.templates[kind]))
            p.line(
                f"  {_KIND_NAMES[kind]:<14} template {template.number} {template.display_name}: "
                f"commission {template.commission_scheme or '-'}, "
                f"fees {template.fee_schedule or '-'}"
            )
        for label, index in data.cast.rules.items():
            number = self.number(index)
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

    # -- 7. dunning ---------------------------------------------------------------------------

    def dunning(self) -> None:
        p, book, data = self.p, self.book, self.data
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
        customer = book.get(self.number(data.cast.dunning))
        [booking] = book.bookings(customer.number)
        p.line(
            f"{overdue} firm bookings are overdue. A reminder to customer {customer.number} "
            f"{customer.display_name} for {booking.reference}, departed "
            f"{booking.departure.isoformat()}, fills these fields:"
        )
        for name, value in book.dunning_fields(customer.number, booking.open_amount).items():
            p.line(f"  {{{name}}} = {value}")

    # -- 8. deposit prompt and prospect conversion --------------------------------------------

    def conversion(self) -> None:
        p, book, data = self.p, self.book, self.data
        p.heading("8. Interessent wird bei der ersten Festbuchung zum Kunden; Anzahlung")
        prospect = book.get(self.number(data.cast.prospect))
        offers = book.bookings(prospect.number)
        p.line(
            f"Prospect {prospect.number} {prospect.display_name} (category "
            f"{prospect.category}, debtor account {prospect.debtor_account}) has "
            f"{len(offers)} offers: {', '.join(b.reference for b in offers)}."
        )
        departure = TODAY + timedelta(days=180)
        cruise = {"travel_type": "Kreuzfahrt", "destination": "Mittelmeer"}
        offer = book.record_booking(
            Booking(
                data.reference(BookingKind.OFFER, departure.year),
                prospect.number,
                BookingKind.OFFER,
                departure,
                OWN_AGENCY,
                SalesChannel.own("Filiale"),
                revenue=Decimal("2400.00"),  # the quoted price
                **cruise,
            )
        )
        p.line(
            f"A new offer {offer.booking.reference} (Kreuzfahrt, Mittelmeer, quoted at "
            f"{format_eur(Decimal('2400.00'))}): converted? "
            f"{'yes' if offer.conversion else 'no'}; ask for a deposit? "
            f"{'yes' if offer.deposit_prompt else 'no'}."
        )
        firm = Booking(
            data.reference(BookingKind.BOOKING, departure.year, 1),
            prospect.number,
            BookingKind.BOOKING,
            departure,
            OWN_AGENCY,
            SalesChannel.own("Filiale"),
            Decimal("2400.00"),
            revenue=Decimal("2400.00"),
            **cruise,
        )
        booked = book.record_booking(firm)
        self.recorded += 2
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
        agency = book.record_booking(
            Booking(
                data.reference(BookingKind.BOOKING, departure.year, 2),
                self.number(data.cast.agency),
                BookingKind.BOOKING,
                departure,
                OWN_AGENCY,
                SalesChannel.own("Telefon"),
                revenue=Decimal("5840.00"),
                travel_type="Busreise",
                destination="Österreich",
            )
        )
        self.recorded += 1
        p.line(
            f"A travel agency's firm booking {agency.booking.reference}: ask for a deposit? "
            f"{'yes' if agency.deposit_prompt else 'no'} (the prompt is off for travel agencies)."
        )

    # -- 9. duplicates ------------------------------------------------------------------------

    def duplicates(self) -> None:
        p, book, data = self.p, self.book, self.data
        p.heading("9. Dubletten finden und zusammenführen (TSmart: Auftraggeber zusammenführen)")
        testine = [self.number(i) for i in data.cast.testine]
        try:
            groups = book.find_duplicates()
        except MissingExtraError as error:
            # Without rapidfuzz the book cannot score names; the manual's own way still works:
            # search for the name, pick the records by hand.
            p.line(f"Duplicate finding skipped: {error}")
            groups = []
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
        self.masters.update(dict.fromkeys(duplicates, master))
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

    # -- 10. GDPR -----------------------------------------------------------------------------

    def gdpr(self) -> None:
        p, book, data = self.p, self.book, self.data
        settings = book.settings
        p.heading("10. Kundendaten anonymisieren (DSGVO; TSmart's rules)")
        p.line(
            f"A firm booking blocks anonymization unless we ({OWN_AGENCY}) are its point of "
            "sale, it came through an own channel and it departed "
            f"{settings.anonymization_delay_days} days (6 weeks) ago or more. Offers never block."
        )
        blocked = []
        for label, index in data.cast.eligibility.items():
            eligibility = book.eligibility(self.number(index), OWN_AGENCY, TODAY)
            p.line(f"  {label}: {eligibility.explain()}")
            if not eligibility.eligible:
                blocked.append(self.number(index))
        try:
            book.anonymize(blocked[0], OWN_AGENCY, TODAY)
        except NotEligibleError as refused:
            p.line(
                f"Anonymizing customer {blocked[0]} is refused and changes nothing: "
                f"{refused.eligibility.explain()}"
            )

        requests = self.track(
            data.cast.erasure_requests,
            description="Recording erasure requests",
            total=len(data.cast.erasure_requests),
        )
        for index, received in requests:
            book.request_erasure(self.number(index), received)
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

    # -- 11. statistics -----------------------------------------------------------------------

    def statistics(self) -> None:
        p, book, data = self.p, self.book, self.data
        year = _STATISTICS_YEAR
        period = DeparturePeriod.year(year)
        p.heading(f"11. Auswertungen: Umsatz nach Kategorie, Status, Reiseart, Zielgebiet ({year})")
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
        private = Selection(kind=CustomerKind.PRIVATE)

        p.line()
        p.line(f"{_KIND_NAMES[CustomerKind.PRIVATE]} nach Kategorie (group_by=category):")
        self.statistics_table(
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

        self.statistics_table(
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
            self.statistics_table(
                book.statistics(None, dimension, period), [heading], _text_of(dimension)
            )

    def statistics_table(
        self,
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

        self.p.table(
            [*header, "Kunden", "Buchungen", "Angebote", "Umsatz"],
            [
                *([*labels(row), *figures(row)] for row in statistics.rows),
                ["Summe", *[""] * (len(header) - 1), *figures(statistics.totals)],
            ],
            text=len(header),
        )

    # -- 12. dunning run ----------------------------------------------------------------------

    def dunning_run(self) -> None:
        p, book, data = self.p, self.book, self.data
        p.heading("12. Mahnlauf: Serienbriefe an alle Kunden mit fälligen offenen Posten")
        # The ledger's due open items: the rest of every trip that departed unpaid. Open rests
        # of trips still to come are not due yet, so the letters get these amounts, not the
        # bookings' open amounts; a merged duplicate's items moved to its master (R8).
        due: dict[int, Decimal] = {}
        for b in data.bookings:
            if b.kind is BookingKind.BOOKING and b.open_amount and b.departure <= TODAY:
                number = self.number(b.customer)
                number = self.masters.get(number, number)
                due[number] = due.get(number, Decimal("0.00")) + b.open_amount
        anonymized = {c.number for c in book.select(Selection(anonymized=True))} & set(due)
        letters = book.letters(None, DUNNING_LETTER, open_amounts=due, owing_only=True)
        sample_to = self.number(data.cast.dunning)
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
        if self.letters_dir is None:
            p.line(
                "write_merge_data() writes the same recipients and fields as a data file for "
                f"the word processor's mail merge; run(letters_dir=...) writes {MERGE_DATA_FILE}."
            )
            return
        rows = book.write_merge_data(
            None,
            self.letters_dir / MERGE_DATA_FILE,
            fields=_MERGE_DATA_FIELDS,
            open_amounts=due,
            owing_only=True,
        )
        p.line(
            f"Wrote {MERGE_DATA_FILE} into the letters directory: {_count(rows, 'row')} for the "
            "word processor's mail merge (CSV, UTF-8, semicolons), "
            f"{len(_MERGE_DATA_FIELDS)} fields."
        )

    # -- summary ------------------------------------------------------------------------------

    def closing(self) -> None:
        p, book = self.p, self.book
        p.heading("Summary")
        p.line(
            f"{book.count()} active customers ({book.count(Selection(anonymized=True))} of them "
            f"anonymized), {book.count(Selection(include_merged=True))} records in all "
            f"(tombstones included); {len(self.data.bookings) + self.recorded} bookings."
        )
