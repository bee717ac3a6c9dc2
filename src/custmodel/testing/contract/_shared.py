"""Constants, builders and strategies the contract's capabilities share."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast

import hypothesis
from hypothesis import HealthCheck
from hypothesis import strategies as st

from custmodel.book import CustomerBook
from custmodel.model import (
    PERSONAL_FIELDS,
    Booking,
    BookingKind,
    ContactChannel,
    Customer,
    CustomerKind,
    CustomerType,
    KindSettings,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
)
from custmodel.model._profile import KindChange
from custmodel.storage.ports import CustomerStore, StoreTransaction
from custmodel.testing import strategies as cst

E = TypeVar("E", bound=BaseException)

#: The fixed time the contract's books run on.
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
#: The day of :data:`NOW`.
TODAY = NOW.date()
#: The acting agency (point of sale) of the anonymization tests.
AGENCY = "AG1"

PRIVATE = CustomerKind.PRIVATE
CORPORATE = CustomerKind.CORPORATE
AGENCY_KIND = CustomerKind.TRAVEL_AGENCY
PROSPECT = CustomerKind.PROSPECT
OFFER = BookingKind.OFFER
FIRM = BookingKind.BOOKING

#: Settings most tests run with: every kind with categories and labels, distinct offsets.
SETTINGS = Settings(
    debtor_base=10000,
    kinds={
        PRIVATE: KindSettings(
            categories=("A", "B", "C", "D"),
            status_labels={1: "Newsletter", 2: "Golf", 3: "VIP", 32: "Letztes Feld"},
        ),
        CORPORATE: KindSettings(
            categories=("A", "Key account"),
            status_labels={1: "Rahmenvertrag", 2: "Golf"},
            debtor_offset=20000,
        ),
        AGENCY_KIND: KindSettings(status_labels={1: "IATA"}, debtor_offset=50000),
        PROSPECT: KindSettings(
            categories=("A",), status_labels={1: "Katalog"}, debtor_offset=90000
        ),
    },
)


class _PausingTransaction:
    """A transaction that calls ``pause`` right after it read requests."""

    def __init__(self, tx: StoreTransaction, pause: Callable[[], object]) -> None:
        self._tx = tx
        self._pause = pause

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._tx, name)
        if name != "requests":
            return method

        def read_then_pause(*args: Any, **kwargs: Any) -> Any:
            found = method(*args, **kwargs)
            self._pause()
            return found

        return read_then_pause


class _PausingStore:
    """A store whose transactions call ``pause`` after reading erasure requests.

    This is how the contract makes a thread lose the processor between a check and the write
    that depends on it, without timing luck: ``pause`` waits for the other side of the race.
    A store that runs one transaction at a time makes the wait time out instead, which is
    why every wait has a timeout.
    """

    def __init__(self, store: CustomerStore, pause: Callable[[], object]) -> None:
        self._store = store
        self._pause = pause

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self._store.transaction(write=write) as tx:
            yield cast("StoreTransaction", _PausingTransaction(tx, self._pause))

    def purge(self) -> None:
        self._store.purge()

    def close(self) -> None:
        """The wrapped store stays open: the test closes it."""


#: How long a paused transaction waits for the other side of a race (see _PausingStore).
_RACE_TIMEOUT = 0.5


class _Abort(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a transaction to make it fail after its writes."""


def fixed_clock() -> datetime:
    """The contract's clock: always :data:`NOW`."""
    return NOW


def _clock_at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _examples(limit: int) -> hypothesis.settings:
    """About ``limit`` examples under hypothesis' default profile, scaled with the active one."""
    active = hypothesis.settings()  # the active profile's settings
    return hypothesis.settings(
        active,
        max_examples=max(1, limit * active.max_examples // 100),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def _draft(kind: CustomerKind = PRIVATE, last_name: str = "Muster", **fields: Any) -> NewCustomer:
    return NewCustomer(kind=kind, last_name=last_name, **fields)


def _full_draft(kind: CustomerKind = PRIVATE) -> NewCustomer:
    """A draft with every personal field filled with a value found nowhere else."""
    return NewCustomer(
        kind=kind,
        last_name="Qwertzbäck",
        customer_type=CustomerType.REGULAR,
        first_name="Zülfiyé",
        salutation="Frau Dr.",
        company="Quxmühle KG",
        street="Ölbergstraße 17a",
        postal_code="79098",
        city="Fräulingen",
        country="Xanadu",
        email="zuelfiye@quxmuehle.example",
        phone="+49 761 5550173",
        birth_date=date(1961, 7, 13),
        code1="Q-7731",
        code2="Z-9942",
        notes="Rückruf erbeten\n\tnur vormittags",
        category="B",
        status=StatusFlags.of([2, 32]),
        commission_scheme="PROV-A",
        fee_schedule="FEE-1",
    )


def _converted(
    book: CustomerBook, change: KindChange | None, number: int
) -> tuple[CustomerKind, CustomerKind, CustomerKind]:
    """The kinds a conversion changed from and to, and the kind customer ``number`` has now."""
    assert change is not None
    return change.old_kind, change.new_kind, book.get(number).kind


def _booking(
    reference: str,
    customer: int,
    kind: BookingKind = FIRM,
    *,
    departure: date = TODAY - timedelta(days=400),
    point_of_sale: str = AGENCY,
    channel: SalesChannel | None = None,
    open_amount: Decimal = Decimal("0.00"),
) -> Booking:
    return Booking(
        reference=reference,
        customer=customer,
        kind=kind,
        departure=departure,
        point_of_sale=point_of_sale,
        channel=channel or SalesChannel.own(),
        open_amount=open_amount,
    )


def _customer(
    number: int, *, kind: CustomerKind = PRIVATE, account: int | None = None, **fields: Any
) -> Customer:
    """A customer as a store holds it, for tests that talk to the port directly."""
    fields.setdefault("last_name", f"Kunde {number}")
    fields.setdefault("created_at", NOW)
    fields.setdefault("updated_at", NOW)
    return Customer(
        number=number,
        kind=kind,
        debtor_account=10000 + number if account is None else account,
        **fields,
    )


def _numbers(customers: Sequence[Customer]) -> list[int]:
    return [c.number for c in customers]


def _personal_values(customer: Customer) -> list[str]:
    """The customer's personal values as they would show in any ``repr``, to search output for.

    Text is searched without its quotes, so a value inside longer text is found too. The
    category is left out: its value is a label of the settings, not the person's.
    """
    values = [getattr(customer, f) for f in PERSONAL_FIELDS if f != "category"]
    found = [v for v in values if v not in ("", None, StatusFlags())]
    return [repr(v)[1:-1] if isinstance(v, str) else repr(v) for v in found]


# The population of the selection tests, registered with SETTINGS; customer 8 is merged into
# customer 1 and customer 9 is anonymized afterwards. Columns: kind, type, last name, first
# name, company, category, flags, code1, code2.
_POPULATION: tuple[tuple[Any, ...], ...] = (
    (PRIVATE, "regular", "Straße", "Anna", "", "A", [1, 2], "K-100", "rot"),
    (PRIVATE, "walk_in", "MÜLLER", "Jörg", "", "B", [2, 32], "K-200", "Rot"),
    (CORPORATE, "tour_operator", "Reisen", "", "100% Reisen GmbH", "A", [1], "K-100", "blau"),
    (
        CORPORATE,
        "vip_incentive",
        "Under_Score",
        "",
        "Back\\Slash AG",
        "Key account",
        [2],
        "K_100",
        "rot",
    ),
    (AGENCY_KIND, "regular", "Mu\u0308ller", "", "", None, [1], "K%100", ""),
    (PROSPECT, "walk_in", "Strasse", "Sepp", "", "A", [], "", "rot "),
    (PRIVATE, "regular", "Xa", "bY", "", None, [3], "K-100", ""),
    (PRIVATE, "walk_in", "Doppelt", "Anna", "", "A", [1], "K-100", "rot"),
    (PRIVATE, "walk_in", "Geheim", "Anna", "", "C", [3], "K-100", "rot"),
)


@st.composite
def _population_selections(draw: st.DrawFn) -> Selection:
    """Selections built from the population's values, so that most of them select someone."""
    flags = st.sampled_from([1, 2, 3, 5, 32])
    return Selection(
        kind=draw(st.none() | cst.customer_kinds),
        customer_type=draw(st.none() | cst.customer_types),
        category=draw(st.none() | st.sampled_from(["A", "B", "C", "Key account", "Z"])),
        status_all=draw(st.frozensets(flags, max_size=2)),
        status_any=draw(st.frozensets(flags, max_size=3)),
        code1=draw(st.none() | st.sampled_from(["K-100", "K_100", "K%100", "K-1", "", "k-100"])),
        code2=draw(st.none() | st.sampled_from(["rot", "Rot", "rot ", "", "blau"])),
        name=draw(
            st.none()
            | st.sampled_from(["STRASSE", "ß", "müller", "%", "_", "\\", "anna", "ab", "", "e"])
            | cst.texts(max_size=3)
        ),
        anonymized=draw(st.none() | st.booleans()),
        include_merged=draw(st.booleans()),
        advertising=draw(st.none() | st.sampled_from(list(ContactChannel))),
    )
