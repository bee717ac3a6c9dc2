"""The contract's base class: the hooks, the store fixture and the helper methods."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs
import pytest

from custmodel.book import CustomerBook
from custmodel.model import (
    Customer,
    CustomerType,
    ErasureRequest,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
)
from custmodel.storage.memory import MemoryStore
from custmodel.storage.ports import CustomerStore
from custmodel.testing.contract._shared import (
    _POPULATION,
    AGENCY,
    CORPORATE,
    FIRM,
    OFFER,
    PRIVATE,
    SETTINGS,
    TODAY,
    E,
    _booking,
    _draft,
    _numbers,
    fixed_clock,
)
from custmodel.testing.snapshots import StoreSnapshot, peek_next_number, take_snapshot


def _no_rows(customers: frozenset[int], master: int | None) -> int:
    """A host reference's mover with no row pointing at any customer."""
    del customers, master
    return 0


def _is_sql_store(store: CustomerStore) -> bool:
    """Whether ``store`` is custmodel's SQL store (without importing SQLAlchemy)."""
    kind = type(store)
    return kind.__name__ == "SqlStore" and kind.__module__.startswith("custmodel.storage.sql")


class _ContractBase(abc.ABC):
    """What every part of the contract suite builds on: its hooks, fixture and helpers.

    Subclass :class:`custmodel.testing.contract.StoreContract`, not this class.

    Attributes:
        store: The store under test, made fresh for every test.
        request: The pytest request of the fixture that made the store.
    """

    __test__: ClassVar[bool] = False

    store: CustomerStore
    request: pytest.FixtureRequest

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make every subclass collectable by pytest unless it sets ``__test__`` itself."""
        super().__init_subclass__(**kwargs)
        if "__test__" not in cls.__dict__:
            cls.__test__ = True

    # -- hooks ------------------------------------------------------------------------------

    @abc.abstractmethod
    def make_store(self) -> CustomerStore:
        """Return a new, empty store; called once per test."""

    def close_store(self, store: CustomerStore) -> None:
        """Release ``store`` after a test; the default calls ``store.close()``."""
        store.close()

    def host_references(self) -> list[str]:
        """Return the names of the host references the store under test has registered.

        A store made with references registered (an application's production setup) reports
        every one of them, with zero rows, in each merge's plan, report and record; the tests
        expect exactly these names there. The default is none.
        """
        return []

    def host_erasers(self) -> list[str]:
        """Return the names of the registrations the store under test erases host data with.

        Personal columns of host references and erasers the application registered: each
        shows, with 0 rows where the host keeps nothing of the customer, in what
        ``erase_host_data`` and every anonymization report. The default is none.
        """
        return []

    def add_host_eraser(self, name: str, eraser: Callable[[frozenset[int]], int]) -> None:
        """Register ``eraser`` under ``name`` with the store under test, for a test.

        The default knows the memory and SQL stores (the SQL store's eraser gets the
        connection, which ``eraser`` does without); another store overrides it, or the
        tests that need it are skipped.
        """
        self._add_host_function("eraser", name, eraser)

    def add_host_veto(self, name: str, veto: Callable[[frozenset[int]], Mapping[int, str]]) -> None:
        """Register ``veto`` under ``name`` with the store under test, for a test.

        Like :meth:`add_host_eraser`: the memory and SQL stores are known, another store
        overrides it or the tests that need it are skipped.
        """
        self._add_host_function("veto", name, veto)

    def _add_host_function(self, what: str, name: str, function: Callable[[Any], Any]) -> None:
        """Register a host's eraser or veto with the memory or the SQL store."""
        register = getattr(self.store, f"register_{what}", None)
        if isinstance(self.store, MemoryStore) and register is not None:
            register(name, function)
        elif _is_sql_store(self.store) and register is not None:
            register(name, lambda _connection, customers: function(customers))
        else:
            pytest.skip(f"override add_host_{what} to register a {what} with this store")

    @pytest.fixture(autouse=True)
    def _store_under_test(self, request: pytest.FixtureRequest) -> Iterator[None]:
        self.request = request
        self.store = self.make_store()
        try:
            yield
        finally:
            self.close_store(self.store)
            # pytest keeps each test's instance until the run ends: without this, every store
            # of the run, with all it holds, would stay in memory as long.
            del self.store, self.request

    # -- helpers ----------------------------------------------------------------------------

    def no_references_moved(self) -> dict[str, int]:
        """What a merge of customers no host row points at counts per registered reference."""
        return dict.fromkeys(self.host_references(), 0)

    def no_host_rows(self) -> dict[str, int]:
        """What erasing the host data of customers the host keeps nothing of counts."""
        return dict.fromkeys(self.host_erasers(), 0)

    def reference_store(self) -> MemoryStore:
        """A memory store to compare with: with the same host references, none of them in use."""
        store = MemoryStore()
        for name in self.host_references():
            store.register_reference(name, _no_rows)
        return store

    def book(
        self, settings: Settings | None = None, clock: Callable[[], datetime] = fixed_clock
    ) -> CustomerBook:
        """Return a book over the store under test, configured with ``settings`` if given."""
        return CustomerBook(self.store, settings, clock=clock)

    def snapshot(self) -> StoreSnapshot:
        """Return everything the store under test holds."""
        return take_snapshot(self.store)

    def assert_refused(self, error: type[E], action: Callable[[], object]) -> E:
        """Assert that ``action`` raises ``error`` and leaves the store as it was."""
        before = self.snapshot()
        with pytest.raises(error) as info:
            action()
        assert before == self.snapshot()
        return info.value

    def insert(self, *customers: Customer) -> None:
        """Insert ``customers`` through the port, allocating their numbers first."""
        with self.store.transaction() as tx:
            first = tx.allocate_numbers(len(customers))
            assert first == customers[0].number
            tx.insert_customers(customers)

    def everyone(self) -> list[Customer]:
        """Every customer, read by number (not through a selection)."""
        numbers = range(1, peek_next_number(self.store))
        with self.store.transaction(write=False) as tx:
            found = tx.get_customers(numbers)
        return [found[n] for n in sorted(found)]

    def register_population(self) -> CustomerBook:
        """Register the selection population; 8 is merged into 1, 9 is anonymized.

        Objections to advertising: 2 by letter and e-mail, 5 by phone, 8 by SMS (which its
        master 1 takes over), 9 by letter (kept through anonymization).
        """
        book = self.book(SETTINGS)
        book.register_many(
            NewCustomer(
                kind=kind,
                customer_type=CustomerType(ctype),
                last_name=last,
                first_name=first,
                company=company,
                category=category,
                status=StatusFlags.of(flags),
                code1=code1,
                code2=code2,
            )
            for kind, ctype, last, first, company, category, flags, code1, code2 in _POPULATION
        )
        for number, channels in (
            (2, ["letter", "email"]),
            (5, ["phone"]),
            (8, ["sms"]),
            (9, ["letter"]),
        ):
            book.object_to_advertising(number, channels, given_on=TODAY, source="Brief")
        book.merge(1, [8])
        book.anonymize(9, AGENCY)
        return book

    def assert_selects(self, book: CustomerBook, selection: Selection, expected: list[int]) -> None:
        """Assert ``selection`` selects ``expected``, as ``Selection.matches`` does, and counts."""
        reference = [c.number for c in self.everyone() if selection.matches(c)]
        assert expected == reference
        assert expected == _numbers(book.select(selection))
        assert len(expected) == book.count(selection)

    def deposit_book(self) -> CustomerBook:
        """Private customer 1 (deposit prompt on) and corporate customer 2 (off)."""
        private = attrs.evolve(SETTINGS.kind(PRIVATE), deposit_prompt=True)
        book = self.book(SETTINGS.with_kind(PRIVATE, private))
        book.register_many([_draft(PRIVATE), _draft(CORPORATE)])
        return book

    def merge_book(self) -> CustomerBook:
        """Master 1 (private), duplicates 2 (private) and 3 (corporate), with bookings.

        Bookings: B-1 of 1; B-2 and the offer B-3 of 2; B-4 of 3.
        """
        book = self.book(SETTINGS)
        book.register_many(
            [
                _draft(last_name="Meier", phone="0711 1", code1="M-1", status=[1]),
                _draft(
                    last_name="Maier",
                    first_name="Hans",
                    email="hans@example.org",
                    phone="0711 2",
                    status=[2, 3],
                    category="B",
                    commission_scheme="PROV-2",
                ),
                _draft(CORPORATE, last_name="Meyer", email="meyer@example.org", status=[2]),
            ]
        )
        for reference, customer, kind in (
            ("B-1", 1, FIRM),
            ("B-2", 2, FIRM),
            ("B-3", 2, OFFER),
            ("B-4", 3, FIRM),
        ):
            book.record_booking(_booking(reference, customer, kind))
        return book

    def audited_book(self) -> CustomerBook:
        """Customers 1, 2, 4 (private) and 3 (corporate); 4 merged into 1 by "u-1".

        Open erasure requests: customer 2 (received yesterday) and customer 1 (today).
        """
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft(CORPORATE), _draft()])
        book.merge(1, [4], actor="u-1")
        book.request_erasure(2, TODAY - timedelta(days=1))
        book.request_erasure(1, TODAY)
        return book

    def requests(self) -> list[ErasureRequest]:
        """Every erasure request, open and completed, read through the port."""
        with self.store.transaction(write=False) as tx:
            return tx.requests(open_only=False)

    def erasure_book(self) -> CustomerBook:
        """Six private customers; all but 5 asked for erasure, in number order.

        1: no bookings (due). 2: own booking B-2 departed 10 days ago (waiting until
        TODAY + 32). 3: booking B-3 of point of sale AG2 (blocked). 4: anonymized (done).
        5: no bookings, no request. 6: own booking B-6 departed exactly 42 days ago and an
        external, recent offer A-6 of AG2 (due).
        """
        book = self.book(SETTINGS)
        book.register_many(_draft(last_name=f"Kunde {n}") for n in range(1, 7))
        book.record_booking(_booking("B-2", 2, departure=TODAY - timedelta(days=10)))
        book.record_booking(_booking("B-3", 3, point_of_sale="AG2"))
        book.record_booking(_booking("B-6", 6, departure=TODAY - timedelta(days=42)))
        book.record_booking(
            _booking(
                "A-6",
                6,
                OFFER,
                departure=TODAY,
                point_of_sale="AG2",
                channel=SalesChannel.external("Holidu"),
            )
        )
        for number in (1, 2, 3, 4, 6):
            book.request_erasure(number, TODAY - timedelta(days=number))
        book.anonymize(4, AGENCY)
        return book
