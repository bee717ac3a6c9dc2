"""A hypothesis state machine that holds any store to the behaviour of the memory store.

It applies the same random operations to two :class:`~custmodel.CustomerBook` objects, one over
a :class:`~custmodel.storage.memory.MemoryStore` and one over the store under test, on one
shared clock that advances with every step. After each operation both books must have returned
equal results or raised the same error class, and after each step both stores must hold exactly
the same data (settings, every customer with tombstones, every booking, the next number, the merge
audit and every erasure request). This is the pattern of hypothesis' own
``test_database_agreement.py``.

Run it against your own adapter from any test module::

    from custmodel.testing.stateful import make_agreement_test

    TestMyStoreAgreement = make_agreement_test(lambda: MyStore.connect("..."))

``make_store`` is called once per hypothesis example and must return a new, empty store; the
store is closed (``store.close()``) when the example ends, so a store whose ``close`` also drops
its database leaves nothing behind.

A store set up as the application runs it, with host references registered, is compared with a
memory store that has the same references: pass ``register_references``, which registers them
on each new reference store (the state machine writes no host rows, so a mover that finds none
will do)::

    TestMyStoreAgreement = make_agreement_test(
        make_production_store,
        register_references=lambda memory: memory.register_reference(
            "invoices.customer_number", lambda customers, master: 0
        ),
    )
"""

from __future__ import annotations

import unittest
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import hypothesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from custmodel.book import CustomerBook
from custmodel.model import (
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    CustomerType,
    DeparturePeriod,
    HistoryEntry,
    KindSettings,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatisticsDimension,
    StatusFlags,
)
from custmodel.storage.memory import MemoryStore
from custmodel.storage.ports import CustomerStore
from custmodel.testing import strategies as cst
from custmodel.testing.snapshots import history_without_ids, take_snapshot

__all__ = [
    "START",
    "Outcome",
    "StoreAgreement",
    "agreement_drafts",
    "agreement_selections",
    "agreement_settings",
    "default_agreement_settings",
    "make_agreement_test",
]

T = TypeVar("T")

#: When the machine's clock starts; every step advances it.
START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

# Small vocabularies, so that operations often meet: the same Code1 twice, a category in use,
# a flag that is labelled on one kind and not on another, names that fold alike.
_CATEGORIES = ("A", "B", "Key account", "Ä")
_FLAGS = (1, 2, 3, 17, 32)
_CODES = ("", "K-1", "k-1", "K-1 ", "K_1", "K%1", "Ä-1")
_REFERENCES = (*(f"V-{i}" for i in range(10)), "v-1", "V-1 ")
_SCHEMES = st.none() | st.sampled_from(["PROV-A", "PROV-B"])
_FEES = st.none() | st.sampled_from(["FEE-1", "FEE-2"])
_AGENCIES = st.sampled_from(["AG1", "AG2"])
#: Who merges: mostly a user id or nobody, rarely an empty name (refused).
_ACTORS = st.integers(0, 15).flatmap(
    lambda pick: st.just("") if pick == 0 else st.none() | st.sampled_from(["u-1", "Zoë"])
)
_LAST_NAMES = (
    st.sampled_from(
        ["Straße", "STRASSE", "Müller", "Mu\u0308ller", "100% Reisen", "Under_Score", "Back\\Slash"]
    )
    | cst.names()
)
_FIRST_NAMES = st.sampled_from(["", "Anna", "Jörg", "ẞigrid"]) | cst.texts(max_size=8)
_SEARCHES = st.sampled_from(
    ["", "a", "ß", "SS", "müller", "%", "_", "\\", "anonymisiert", "reisen"]
) | cst.texts(max_size=3)
_TRAVEL_TYPES = st.none() | st.sampled_from(["Pauschalreise", "Kreuzfahrt", "kreuzfahrt"])
_DESTINATIONS = st.none() | st.sampled_from(["Mallorca", "Kreta", "Kreta "])
_DIMENSIONS = st.lists(st.sampled_from(StatisticsDimension), min_size=1, max_size=3, unique=True)
_CONVERT_TO = st.sampled_from(
    [CustomerKind.PRIVATE] * 3 + [CustomerKind.CORPORATE] * 2 + [CustomerKind.PROSPECT]
)


def _mostly(usual: st.SearchStrategy[T], rare: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Draw from ``usual`` seven times as often as from ``rare``.

    ``st.one_of`` would merge repeated branches, so the weighting is drawn explicitly.
    """
    return st.integers(0, 7).flatmap(lambda pick: usual if pick else rare)


@st.composite
def _kind_settings(draw: st.DrawFn) -> KindSettings:
    offset = draw(st.sampled_from([0, 0, 1, 2, 5, 90000]))
    return KindSettings(
        categories=draw(st.lists(st.sampled_from(_CATEGORIES), unique=True, max_size=3)),
        status_labels=draw(st.dictionaries(st.sampled_from(_FLAGS), cst.names(), max_size=4)),
        debtor_offset=offset,
        debtor_max=draw(st.none() | st.none() | st.integers(10005, 10030).map(offset.__add__)),
        dunning_fee=draw(cst.money(Decimal("50.00"))),
        deposit_prompt=draw(st.booleans()),
        renumber_on_kind_change=draw(st.booleans()),
    )


@st.composite
def agreement_settings(draw: st.DrawFn) -> Settings:
    """Settings over the machine's small vocabularies; offsets small enough to collide."""
    return Settings(
        debtor_base=draw(st.sampled_from([10000, 10000, 0])),
        anonymization_delay_days=draw(st.sampled_from([42, 42, 0, 7])),
        kinds={kind: draw(_kind_settings()) for kind in CustomerKind},
    )


@st.composite
def agreement_drafts(draw: st.DrawFn, settings: Settings, *, mistakes: bool = True) -> NewCustomer:
    """Registration data valid for ``settings``; with ``mistakes``, now and then a foreign
    category or an unlabelled flag."""
    kind = draw(cst.customer_kinds)
    ks = settings.kind(kind)
    own_categories = st.none() | (st.sampled_from(ks.categories) if ks.categories else st.none())
    labelled = sorted(ks.status_labels)
    own_flags = st.sets(st.sampled_from(labelled), max_size=2) if labelled else st.just(set())
    if mistakes:
        own_categories = _mostly(own_categories, st.sampled_from(_CATEGORIES))
        own_flags = _mostly(own_flags, st.sets(st.sampled_from(_FLAGS), min_size=1, max_size=2))
    return NewCustomer(
        kind=kind,
        last_name=draw(_LAST_NAMES),
        customer_type=draw(cst.customer_types),
        first_name=draw(_FIRST_NAMES),
        company=draw(st.sampled_from(["", "Reisen GmbH", "Straßenbau AG"])),
        email=draw(st.sampled_from(["", "a@example.org"])),
        birth_date=draw(st.none() | st.dates(date(1930, 1, 1), date(2010, 12, 31))),
        code1=draw(st.sampled_from(_CODES)),
        code2=draw(st.sampled_from(_CODES)),
        category=draw(own_categories),
        status=StatusFlags.of(draw(own_flags)),
        commission_scheme=draw(_SCHEMES),
        fee_schedule=draw(_FEES),
    )


@st.composite
def agreement_selections(draw: st.DrawFn) -> Selection:
    """Selections over the machine's vocabularies; each filter is mostly absent, so that a
    selection usually selects someone."""
    flags = st.frozensets(st.sampled_from(_FLAGS), min_size=1, max_size=2)

    def sometimes(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(_mostly(st.none(), strategy))

    return Selection(
        kind=sometimes(cst.customer_kinds),
        customer_type=sometimes(cst.customer_types),
        category=sometimes(st.sampled_from(_CATEGORIES)),
        status_all=sometimes(flags) or frozenset(),
        status_any=sometimes(flags) or frozenset(),
        code1=sometimes(st.sampled_from(_CODES)),
        code2=sometimes(st.sampled_from(_CODES)),
        name=sometimes(_SEARCHES),
        anonymized=sometimes(st.booleans()),
        include_merged=draw(st.booleans()),
    )


def _changes(settings: Settings, kind: CustomerKind) -> st.SearchStrategy[dict[str, Any]]:
    """Field changes for an update; kind or debtor account changes are rare (and refused)."""
    ks = settings.kind(kind)
    categories = st.sampled_from(ks.categories) if ks.categories else st.none()
    return st.fixed_dictionaries(
        {},
        optional={
            "last_name": _LAST_NAMES,
            "first_name": _FIRST_NAMES,
            "email": st.sampled_from(["", "neu@example.org"]),
            "code1": st.sampled_from(_CODES),
            "code2": st.sampled_from(_CODES),
            "category": st.none() | categories | st.sampled_from(_CATEGORIES),
            "status": st.sets(st.sampled_from(_FLAGS), max_size=3).map(StatusFlags.of),
            "customer_type": cst.customer_types,
            "commission_scheme": _SCHEMES,
            "fee_schedule": _FEES,
            "kind": cst.customer_kinds,
        },
    )


@attrs.frozen
class Outcome:
    """What one operation did on one book: its result, or the class of the error it raised.

    Attributes:
        value: The returned value (None when it raised).
        error: The class of the raised exception, None when it returned.
    """

    value: object = None
    error: type[BaseException] | None = None


def _attempt(operation: Callable[[CustomerBook], object], book: CustomerBook) -> Outcome:
    try:
        return Outcome(value=operation(book))
    except Exception as error:  # any error is an outcome to compare
        return Outcome(error=type(error))


class StoreAgreement(RuleBasedStateMachine):
    """The memory store and the store under test, side by side; see the module docstring.

    Subclasses (or :func:`make_agreement_test`) implement :meth:`make_store`.
    """

    customers: Bundle[int] = Bundle("customers")

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.reference = CustomerBook(self.make_reference_store(), clock=self._clock)
        self.subject = CustomerBook(self.make_store(), clock=self._clock)

    def make_store(self) -> CustomerStore:
        """Return a new, empty store under test; called once per example."""
        raise NotImplementedError("a StoreAgreement needs make_store")

    def make_reference_store(self) -> MemoryStore:
        """Return the memory store the store under test is compared with; called once per example.

        The default has no host references. Where the store under test registers some, override
        it to register the same names, so that merge plans, reports and records agree.
        """
        return MemoryStore()

    def teardown(self) -> None:
        """Close both stores."""
        self.reference.store.close()
        self.subject.store.close()

    def _clock(self) -> datetime:
        return self.now

    def both(self, operation: Callable[[CustomerBook], object]) -> Outcome:
        """Apply ``operation`` to both books at the same, next moment; assert they agree."""
        self.now += timedelta(seconds=1)
        expected = _attempt(operation, self.reference)
        actual = _attempt(operation, self.subject)
        assert expected == actual
        return expected

    def _settings(self) -> Settings:
        return self.reference.settings

    def _numbers(self) -> st.SearchStrategy[int]:
        """Mostly registered numbers, sometimes any number (perhaps unknown).

        Drawing from an empty bundle would discard the whole example, so until a customer is
        registered only plain numbers are drawn.
        """
        if not self.bundle("customers"):
            return st.integers(1, 40)
        return _mostly(self.customers, st.integers(1, 40))

    def _duplicates(self) -> st.SearchStrategy[list[int]]:
        """Mostly distinct numbers; sometimes one twice or none at all (both refused)."""
        distinct = st.lists(self._numbers(), min_size=1, max_size=3, unique=True)
        return _mostly(distinct, st.lists(self._numbers(), max_size=3))

    # -- settings -----------------------------------------------------------------------------

    @initialize(target=customers, settings=agreement_settings(), data=st.data())
    def start(self, settings: Settings, data: st.DataObject) -> MultipleResults[int]:
        """Start with settings over the vocabularies, a few customers and erasure requests of
        some of them (so that sweeps and merges meet requests from the first step on)."""
        self.both(lambda book: book.configure(settings))
        valid = agreement_drafts(settings, mistakes=False)
        drafts = data.draw(st.lists(valid, min_size=2, max_size=6), label="drafts")
        outcome = self.both(lambda book: [c.number for c in book.register_many(drafts)])
        numbers: list[int] = list(outcome.value) if isinstance(outcome.value, list) else []
        if numbers:
            requested = data.draw(
                st.lists(st.sampled_from(numbers), unique=True), label="requested"
            )
            for number in requested:
                self._request_erasure(number, self.now.date())
        return multiple(*numbers)

    @rule(settings=agreement_settings())
    def configure(self, settings: Settings) -> None:
        """Replace the settings (refused while a removed category is in use)."""
        self.both(lambda book: book.configure(settings))

    @rule(kind=cst.customer_kinds, data=st.data())
    def name_template(self, kind: CustomerKind, data: st.DataObject) -> None:
        """Name (or clear) a kind's template customer."""
        template = data.draw(st.none() | self._numbers(), label="template")
        self.both(lambda book: book.update_kind_settings(kind, template_customer=template))

    @rule(
        kind=cst.customer_kinds,
        flag=st.sampled_from(_FLAGS),
        label=st.none() | st.just("") | cst.names(),
    )
    def rename_status_label(self, kind: CustomerKind, flag: int, label: str | None) -> None:
        """Set, rename or delete a status label."""
        self.both(lambda book: book.rename_status_label(kind, flag, label))

    @rule(days=st.integers(0, 60))
    def advance_clock(self, days: int) -> None:
        """Let days pass, so that departures age."""
        self.now += timedelta(days=days)

    # -- registration and changes ---------------------------------------------------------------

    @rule(target=customers, data=st.data())
    def register(self, data: st.DataObject) -> MultipleResults[int]:
        """Register one customer."""
        draft = data.draw(agreement_drafts(self._settings()), label="draft")
        outcome = self.both(lambda book: book.register(**attrs.asdict(draft, recurse=False)))
        if isinstance(outcome.value, Customer):
            return multiple(outcome.value.number)
        return multiple()

    @rule(target=customers, data=st.data())
    def register_many(self, data: st.DataObject) -> MultipleResults[int]:
        """Register a batch (all or nothing)."""
        drafts = data.draw(st.lists(agreement_drafts(self._settings()), max_size=4), label="drafts")
        outcome = self.both(lambda book: [c.number for c in book.register_many(drafts)])
        numbers: list[int] = list(outcome.value) if isinstance(outcome.value, list) else []
        return multiple(*numbers)

    @rule(target=customers, data=st.data(), refuse=st.booleans())
    def register_checked(self, data: st.DataObject, refuse: bool) -> MultipleResults[int]:
        """Register a batch with the duplicate check ("warn" or "refuse"), its first draft
        often a stored customer keyed in again."""
        drafts = data.draw(
            st.lists(agreement_drafts(self._settings()), min_size=1, max_size=3), label="drafts"
        )
        number = data.draw(self._numbers(), label="repeated")
        stored = self.both(lambda book: book.get(number)).value
        if isinstance(stored, Customer) and stored.last_name and data.draw(st.booleans()):
            drafts[0] = attrs.evolve(
                drafts[0],
                last_name=stored.last_name,
                first_name=stored.first_name,
                email=stored.email,
                birth_date=stored.birth_date,
            )
        outcome = self.both(
            lambda book: (
                [c.number for c in book.register_many(drafts, duplicates="refuse")]
                if refuse
                else [
                    (r.customer.number, r.numbers)
                    for r in book.register_many(drafts, duplicates="warn")
                ]
            )
        )
        registered = outcome.value if isinstance(outcome.value, list) else []
        return multiple(*(n if isinstance(n, int) else n[0] for n in registered))

    @rule(data=st.data(), stale=st.booleans())
    def update(self, data: st.DataObject, stale: bool) -> None:
        """Update fields of a customer as read, or from an older version."""
        number = data.draw(self._numbers(), label="number")
        current = self.both(lambda book: book.get(number)).value
        if not isinstance(current, Customer):
            return
        changes = data.draw(_changes(self._settings(), current.kind), label="changes")
        version = current.version
        if stale:
            version = version - 1 if version > 1 else version + 1
        changed = attrs.evolve(current, version=version, **changes)
        self.both(lambda book: book.update(changed))

    @rule(data=st.data(), kind=cst.customer_kinds, keep_status=st.booleans())
    def change_kind(self, data: st.DataObject, kind: CustomerKind, keep_status: bool) -> None:
        """Change a customer's kind."""
        number = data.draw(self._numbers(), label="number")
        self.both(lambda book: book.change_kind(number, kind, keep_status=keep_status))

    @rule(data=st.data(), customer_type=cst.customer_types)
    def change_type(self, data: st.DataObject, customer_type: CustomerType) -> None:
        """Change a customer's type."""
        number = data.draw(self._numbers(), label="number")
        self.both(lambda book: book.change_type(number, customer_type))

    @rule(selection=agreement_selections(), flag=st.sampled_from((*_FLAGS, 33)), on=st.booleans())
    def set_status(self, selection: Selection, flag: int, on: bool) -> None:
        """Set or clear a flag on a selection."""
        self.both(lambda book: book.set_status(selection, flag, on))

    # -- bookings -------------------------------------------------------------------------------

    @rule(
        data=st.data(),
        reference=st.sampled_from(_REFERENCES),
        kind=cst.booking_kinds,
        days=st.integers(-80, 30),
        point_of_sale=_AGENCIES,
        external=st.booleans(),
        amount=cst.money(Decimal("5000.00")),
        revenue=st.none() | cst.money(Decimal("9000.00")),
        travel_type=_TRAVEL_TYPES,
        destination=_DESTINATIONS,
        convert_to=_CONVERT_TO,
        keep_status=st.booleans(),
    )
    def record_booking(
        self,
        data: st.DataObject,
        reference: str,
        kind: BookingKind,
        days: int,
        point_of_sale: str,
        external: bool,
        amount: Decimal,
        revenue: Decimal | None,
        travel_type: str | None,
        destination: str | None,
        convert_to: CustomerKind,
        keep_status: bool,
    ) -> None:
        """Record an offer or a firm booking, new or changing one with the same reference."""
        number = data.draw(self._numbers(), label="number")
        booking = Booking(
            reference=reference,
            customer=number,
            kind=kind,
            departure=self.now.date() + timedelta(days=days),
            point_of_sale=point_of_sale,
            channel=SalesChannel("Holidu" if external else "Website", is_external=external),
            open_amount=amount,
            revenue=revenue,
            travel_type=travel_type,
            destination=destination,
        )
        self.both(
            lambda book: book.record_booking(
                booking, convert_to=convert_to, keep_status=keep_status
            )
        )

    @rule(
        reference=st.sampled_from(_REFERENCES),
        kind=st.none() | cst.booking_kinds,
        point_of_sale=st.none() | _AGENCIES,
        amount=st.none() | cst.money(Decimal("5000.00")),
        clear_revenue=st.booleans(),
        convert_to=_CONVERT_TO,
    )
    def update_booking(
        self,
        reference: str,
        kind: BookingKind | None,
        point_of_sale: str | None,
        amount: Decimal | None,
        clear_revenue: bool,
        convert_to: CustomerKind,
    ) -> None:
        """Change some fields of a booking (refused: unknown reference, anonymized customer)."""
        given = {"kind": kind, "point_of_sale": point_of_sale, "open_amount": amount}
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if clear_revenue:
            changes["revenue"] = None
        self.both(lambda book: book.update_booking(reference, convert_to=convert_to, **changes))

    @rule(
        data=st.data(),
        reference=st.sampled_from(_REFERENCES),
        convert_to=_CONVERT_TO,
        keep_status=st.booleans(),
    )
    def move_booking(
        self, data: st.DataObject, reference: str, convert_to: CustomerKind, keep_status: bool
    ) -> None:
        """Move a booking (refused: unknown, merged, anonymized, or its own customer)."""
        number = data.draw(self._numbers(), label="to")
        self.both(
            lambda book: book.move_booking(
                reference, number, convert_to=convert_to, keep_status=keep_status
            )
        )

    # -- merge and anonymization --------------------------------------------------------------

    @rule(data=st.data(), fill_blanks=st.booleans(), unite_status=st.booleans(), actor=_ACTORS)
    def merge(
        self, data: st.DataObject, fill_blanks: bool, unite_status: bool, actor: str | None
    ) -> None:
        """Merge duplicates into a master (often refused: twice, itself, merged, anonymized)."""
        master = data.draw(self._numbers(), label="master")
        duplicates = data.draw(self._duplicates(), label="duplicates")
        self.both(
            lambda book: book.merge(
                master, duplicates, fill_blanks=fill_blanks, unite_status=unite_status, actor=actor
            )
        )

    @rule(data=st.data(), actor=_ACTORS, undo=st.booleans())
    def mark_distinct(self, data: st.DataObject, actor: str | None, undo: bool) -> None:
        """Mark two customers distinct, or remove their mark (refused: the same, merged)."""
        first = data.draw(self._numbers(), label="first")
        second = data.draw(self._numbers(), label="second")
        if undo:
            self.both(lambda book: book.unmark_distinct(first, second))
        else:
            self.both(lambda book: book.mark_distinct(first, second, actor=actor))

    @rule(data=st.data())
    def merge_history(self, data: st.DataObject) -> None:
        """Read the merge audit, whole or of one customer."""
        number = data.draw(st.none() | self._numbers(), label="number")
        self.both(lambda book: book.merge_history(number))

    @rule(data=st.data(), after_first=st.booleans())
    def change_history(self, data: st.DataObject, after_first: bool) -> None:
        """Read a customer's change history (following merges) and the book's, without ids;
        ``after_first`` reads from the second entry on, as a next page does."""
        number = data.draw(self._numbers(), label="number")

        def read(book: CustomerBook) -> tuple[list[HistoryEntry], list[HistoryEntry]]:
            entries = book.history(number)
            after = entries[0].id if after_first and entries else 0
            mine = book.history(number, after=after, limit=5)
            return history_without_ids(mine), history_without_ids(book.settings_history())

        self.both(read)

    @rule(actor=_ACTORS)
    def act_as(self, actor: str | None) -> None:
        """Record the changes that follow for ``actor`` (refused for a blank name)."""
        outcome = self.both(lambda book: book.acting(actor).actor)
        if outcome.error is None:
            self.reference = self.reference.acting(actor)
            self.subject = self.subject.acting(actor)

    @rule(data=st.data(), fill_blanks=st.booleans(), unite_status=st.booleans())
    def plan_merge(self, data: st.DataObject, fill_blanks: bool, unite_status: bool) -> None:
        """Plan a merge without applying it."""
        master = data.draw(self._numbers(), label="master")
        duplicates = data.draw(self._duplicates(), label="duplicates")
        self.both(
            lambda book: book.plan_merge(
                master, duplicates, fill_blanks=fill_blanks, unite_status=unite_status
            )
        )

    @rule(data=st.data(), agency=_AGENCIES, days=st.none() | st.integers(-5, 60))
    def anonymize(self, data: st.DataObject, agency: str, days: int | None) -> None:
        """Anonymize a customer (refused when not eligible; a no-op the second time)."""
        number = data.draw(self._numbers(), label="number")
        today = None if days is None else self.now.date() + timedelta(days=days)
        self.both(lambda book: book.anonymize(number, agency, today))

    @rule(data=st.data(), agency=_AGENCIES, days=st.none() | st.integers(-5, 60))
    def eligibility(self, data: st.DataObject, agency: str, days: int | None) -> None:
        """Ask whether a customer may be anonymized."""
        number = data.draw(self._numbers(), label="number")
        today = None if days is None else self.now.date() + timedelta(days=days)
        self.both(lambda book: book.eligibility(number, agency, today))

    # -- erasure requests -----------------------------------------------------------------------

    @rule(data=st.data(), days_ago=st.integers(-1, 400))
    def request_erasure(self, data: st.DataObject, days_ago: int) -> None:
        """Record an erasure request (refused for a future day or an unknown customer)."""
        number = data.draw(self._numbers(), label="number")
        self._request_erasure(number, self.now.date() - timedelta(days=days_ago))

    def _request_erasure(self, number: int, received_on: date) -> None:
        self.both(lambda book: book.request_erasure(number, received_on))

    @rule(agency=_AGENCIES, days=st.none() | st.integers(-5, 60), include_done=st.booleans())
    def erasure_requests(self, agency: str, days: int | None, include_done: bool) -> None:
        """List the erasure requests with their states."""
        today = None if days is None else self.now.date() + timedelta(days=days)
        self.both(lambda book: book.erasure_requests(agency, today, include_done=include_done))

    @rule(
        agency=_AGENCIES,
        days=st.none() | st.integers(-5, 60),
        dry_run=st.booleans(),
        batch_size=st.sampled_from([1, 2, 500]),
    )
    def anonymize_due(self, agency: str, days: int | None, dry_run: bool, batch_size: int) -> None:
        """Sweep the due erasure requests, dry or for real, in batches."""
        today = None if days is None else self.now.date() + timedelta(days=days)
        self.both(
            lambda book: book.anonymize_due(agency, today, dry_run=dry_run, batch_size=batch_size)
        )

    # -- reads ----------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.bundle("customers")))
    @rule(data=st.data())
    def read_customer(self, data: st.DataObject) -> None:
        """Read a customer every way the book offers."""
        number = data.draw(self._numbers(), label="number")
        self.both(lambda book: book.get(number))
        self.both(lambda book: book.resolve(number))
        self.both(lambda book: book.bookings(number))
        self.both(lambda book: book.effective_rules(number))
        self.both(lambda book: book.dunning_fields(number, Decimal("100.05")))

    @rule(data=st.data())
    def resolve_debtor_account(self, data: st.DataObject) -> None:
        """Resolve a debtor account: held, retired by a merge or renumbering, or unknown."""
        held = [c.debtor_account for c in self.reference.select(Selection(include_merged=True))]
        known = st.sampled_from(held) if held else st.nothing()
        account = data.draw(known | known | st.integers(1, 100050), label="account")
        self.both(lambda book: book.resolve_debtor_account(account))

    @rule(code=st.sampled_from(_CODES))
    def find_by_code1(self, code: str) -> None:
        """Look a Code1 up."""
        self.both(lambda book: book.find_by_code1(code))

    @rule(selection=agreement_selections())
    def select(self, selection: Selection) -> None:
        """Select and count."""
        self.both(lambda book: book.select(selection))
        self.both(lambda book: book.count(selection))

    @rule(selection=agreement_selections(), group_by=_DIMENSIONS, data=st.data())
    def statistics(
        self, selection: Selection, group_by: list[StatisticsDimension], data: st.DataObject
    ) -> None:
        """Count statistics of a selection over all departures or a period; the period's ends
        are mostly departures of stored bookings, so that "both days included" is tested."""
        departures = sorted({b.departure for b in take_snapshot(self.reference.store).bookings})
        today = self.now.date()
        days = st.dates(today - timedelta(days=90), today + timedelta(days=40))
        ends = st.none() | (st.sampled_from(departures) if departures else days) | days
        first, last = data.draw(ends, label="start"), data.draw(ends, label="end")
        if first is not None and last is not None and first > last:
            first, last = last, first
        period = DeparturePeriod(first, last)
        self.both(lambda book: book.statistics(selection, group_by, period))

    @rule(reference=st.sampled_from(_REFERENCES))
    def get_booking(self, reference: str) -> None:
        """Read a booking by reference."""
        self.both(lambda book: book.get_booking(reference))

    # -- the invariant --------------------------------------------------------------------------

    @invariant()
    def stores_agree(self) -> None:
        """Both stores hold the same settings, customers, bookings, next number, merge audit,
        erasure requests, distinct marks and change history (without the ids, which an
        engine may skip)."""
        expected = take_snapshot(self.reference.store)
        actual = take_snapshot(self.subject.store)
        assert expected.settings == actual.settings
        assert expected.customers == actual.customers
        assert expected.bookings == actual.bookings
        assert expected.next_number == actual.next_number
        assert expected.merge_records == actual.merge_records
        assert expected.erasure_requests == actual.erasure_requests
        assert expected.distinct_marks == actual.distinct_marks
        assert expected.history == actual.history


def default_agreement_settings() -> hypothesis.settings:
    """Settings for the agreement test, scaled from the active hypothesis profile.

    A fifth of the profile's examples (at least two), its step count, no deadline (database
    round trips vary) and no health checks (stateful tests trip them by design).
    """
    active = hypothesis.settings()  # the active profile's settings
    return hypothesis.settings(
        active,
        max_examples=max(2, active.max_examples // 5),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def make_agreement_test(
    make_store: Callable[[], CustomerStore],
    *,
    settings: hypothesis.settings | None = None,
    register_references: Callable[[MemoryStore], object] | None = None,
) -> type[unittest.TestCase]:
    """Return a test case that runs :class:`StoreAgreement` against stores from ``make_store``.

    Args:
        make_store: Returns a new, empty store; called once per example, closed after it.
        settings: Hypothesis settings; default :func:`default_agreement_settings`.
        register_references: Registers, on each new reference memory store, the host
            references the stores from ``make_store`` have registered (under the same names),
            so that merges count and move the same references on both; default none.
    """

    class Agreement(StoreAgreement):
        def make_store(self) -> CustomerStore:
            return make_store()

        def make_reference_store(self) -> MemoryStore:
            store = super().make_reference_store()
            if register_references is not None:
                register_references(store)
            return store

    test_case = Agreement.TestCase
    test_case.settings = settings or default_agreement_settings()
    return test_case
