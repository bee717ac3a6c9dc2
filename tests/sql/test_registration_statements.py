"""A bulk registration writes its rows through the driver (COPY on PostgreSQL), reads the keys
only when the database refuses a row, and stays all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel import (
    Customer,
    CustomerBook,
    CustomerKind,
    DebtorAccountError,
    KindSettings,
    NewCustomer,
    Settings,
)
from custmodel.dedupe import CandidateKeys
from custmodel.errors import CustmodelError
from custmodel.storage.sql import SqlStore, _transaction
from custmodel.storage.sql._queries import CANDIDATES_AT_ONCE
from tests.sql.helpers import statements_sent

#: More than one chunk of ``IN (...)`` values (900): one statement must still check them all.
_MANY = 2_000


def _drafts(count: int, name: str = "Bulk") -> list[NewCustomer]:
    return [
        NewCustomer(kind=CustomerKind.PRIVATE, last_name=name, first_name=f"F{n}")
        for n in range(count)
    ]


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[SqlStore]:
    """A migrated store on the PostgreSQL test server."""
    store = SqlStore.from_url(postgres_url)
    yield store
    store.close()


def _count(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(sa.text("SELECT count(*) FROM custmodel_customers")).scalar_one()
        )


@pytest.mark.server
def test_postgresql_copies_a_batch_without_reading_its_keys(postgres_store: SqlStore) -> None:
    """2,000 free registrations on PostgreSQL read no keys (the unique keys check them) and
    send no INSERT of customers: the rows go by COPY, and all of them are stored."""
    book = CustomerBook(postgres_store, Settings(), history=False)

    with statements_sent(postgres_store) as sent:
        registered = book.register_many(_drafts(_MANY))

    texts = [statement for statement, _ in sent]
    checks = [s for s in texts if "FROM custmodel_customers" in s and "debtor_account" in s]
    assert (0, 0) == (
        len(checks),
        sum("INSERT INTO custmodel_customers" in s for s in texts),
    )
    assert _MANY == _count(postgres_store)
    assert registered[-1] == book.get(registered[-1].number)


@pytest.mark.server
def test_postgresql_copies_each_customer_as_it_is_made(
    postgres_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COPY takes each customer's row as soon as the customer and its row are made, so
    the server stores the first customers while the next are made, instead of waiting for
    the whole batch to be made first."""
    psycopg = pytest.importorskip("psycopg")
    book = CustomerBook(postgres_store, Settings(), history=False)
    events: list[str] = []
    building = Customer.from_draft.__func__  # type: ignore[attr-defined]
    making = _transaction.customer_values  # type: ignore[attr-defined]
    writing = psycopg.Copy.write_row

    def built(cls: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        events.append("built")
        customer: Customer = building(cls, *args, **kwargs)
        return customer

    def made(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        events.append("made")
        return making(*args, **kwargs)

    def written(self: Any, row: Sequence[Any]) -> None:
        events.append("written")
        writing(self, row)

    monkeypatch.setattr(Customer, "from_draft", classmethod(built))
    monkeypatch.setattr(_transaction, "customer_values", made)
    monkeypatch.setattr(psycopg.Copy, "write_row", written)

    registered = book.register_many(_drafts(3))

    assert ["built", "made", "written"] * 3 == events
    assert [1, 2, 3] == [c.number for c in registered]
    assert 3 == _count(postgres_store)


@pytest.mark.server
def test_postgresql_numbers_a_batchs_history_entries_without_reading_the_batch_back(
    postgres_store: SqlStore,
) -> None:
    """The registered entries of a batch go in by one INSERT that numbers them from the
    batch's run of numbers, reading no customer back; each customer gets its one entry, and
    the entries are in the customers' order."""
    book = CustomerBook(postgres_store, Settings(), history=True)
    book.register(CustomerKind.PRIVATE, "Vorher")

    with statements_sent(postgres_store) as sent:
        registered = book.register_many(_drafts(50))

    [entries] = [s for s, _ in sent if s.startswith("INSERT INTO custmodel_history")]
    assert "generate_series" in entries
    assert "custmodel_customers" not in entries
    with postgres_store.engine.connect() as connection:
        owners = connection.execute(
            sa.text("SELECT owner FROM custmodel_history WHERE owner > 1 ORDER BY id")
        ).scalars()
        assert [c.number for c in registered] == list(owners)
    assert ["registered"] == [e.action.value for e in book.history(registered[-1].number)]


def test_an_account_out_of_range_in_the_middle_of_a_batch_leaves_nothing_written(
    url: str,
) -> None:
    """A customer whose debtor account lies outside its kind's range halfway through a large
    batch (made while the rows before it are being written) refuses the whole batch: nothing
    is written, no number used up, and the store takes the next registration."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        # Accounts are base + number: number _MANY // 2 is the first beyond the maximum.
        limited = KindSettings(debtor_max=Settings().debtor_base + _MANY // 2 - 1)
        book = CustomerBook(store, Settings().with_kind(CustomerKind.PRIVATE, limited))

        with pytest.raises(DebtorAccountError, match="outside"):
            book.register_many(_drafts(_MANY))

        assert 0 == _count(store)
        assert 1 == book.register(CustomerKind.PRIVATE, "Danach").number
    finally:
        store.close()


@pytest.mark.server
def test_a_row_refused_in_the_middle_of_a_copy_leaves_nothing_written(
    postgres_store: SqlStore,
) -> None:
    """A row the database refuses halfway through the COPY raises a custmodel error without
    the row's values, and no customer is written, nor a number used up."""
    book = CustomerBook(postgres_store, Settings())
    with postgres_store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "ALTER TABLE custmodel_customers "
                "ADD CONSTRAINT test_refused CHECK (last_name <> 'Verweigert')"
            )
        )
    drafts = _drafts(_MANY)
    drafts[_MANY // 2] = NewCustomer(kind=CustomerKind.PRIVATE, last_name="Verweigert")

    with pytest.raises(CustmodelError) as raised:
        book.register_many(drafts)

    assert "Verweigert" not in str(raised.value)
    assert 0 == _count(postgres_store)
    assert 1 == book.register(CustomerKind.PRIVATE, "Danach").number


def test_the_key_check_refuses_a_taken_debtor_account_in_a_large_batch(url: str) -> None:
    """A batch larger than one IN list whose first new account is held by a stored customer is
    refused with DebtorAccountError naming the account, and nothing of it is written."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        book = CustomerBook(store, Settings())
        book.register_many(_drafts(_MANY))
        # Accounts are base + number: moving the base down by the batch's size makes the next
        # batch's first account the one customer 1 holds.
        book.configure(Settings(debtor_base=Settings().debtor_base - _MANY))
        taken = book.get(1).debtor_account

        with pytest.raises(DebtorAccountError, match=f"debtor account {taken} is taken"):
            book.register_many(_drafts(_MANY, "Zweite"))

        assert _MANY == _count(store)
    finally:
        store.close()


def test_a_single_registration_reads_no_keys_unless_its_row_is_refused(url: str) -> None:
    """One registration sends no read of customer keys when its number and debtor account
    are free; when the account is taken, the error names it and the
    customer stored before is untouched."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        book = CustomerBook(store, Settings())
        first = book.register(CustomerKind.PRIVATE, "Erste")
        with statements_sent(store) as sent:
            book.register(CustomerKind.PRIVATE, "Zweite")
        reads = [s for s, _ in sent if "FROM custmodel_customers" in s]
        # Account = base + number: one lower base makes customer 3's account customer 2's.
        book.configure(Settings(debtor_base=Settings().debtor_base - 1))
        taken = first.debtor_account + 1

        with pytest.raises(DebtorAccountError, match=f"debtor account {taken} is taken"):
            book.register(CustomerKind.PRIVATE, "Dritte")

        assert (0, 2) == (len(reads), _count(store))
        assert first == book.get(first.number)
    finally:
        store.close()


@pytest.mark.parametrize("history", [False, True])
def test_a_single_registration_runs_its_statements_on_the_driver_unless_watched(
    url: str, monkeypatch: pytest.MonkeyPatch, history: bool
) -> None:
    """With nothing listening to statements, one registration hands none of them to
    SQLAlchemy's execution, its history entry included; with a listener, every statement is
    seen as before: the settings (on SQLite, whether they changed since the kept connection
    read them), the counter, the customer's row and its entry."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        book = CustomerBook(store, Settings(), history=history)
        book.register(CustomerKind.PRIVATE, "Erste")
        executed: list[object] = []
        for name in ("execute", "exec_driver_sql"):
            original = getattr(sa.Connection, name)

            def counting(
                self: sa.Connection, *args: object, _original: object = original, **kwargs: object
            ) -> object:
                executed.append(args[0])
                return _original(self, *args, **kwargs)  # type: ignore[operator]

            monkeypatch.setattr(sa.Connection, name, counting)
        second = book.register(CustomerKind.PRIVATE, "Zweite")
        unwatched = len(executed)
        with statements_sent(store) as sent:
            book.register(CustomerKind.PRIVATE, "Dritte")
        watched = [s for s, _ in sent]

        assert 0 == unwatched
        settings = "PRAGMA data_version" if url.startswith("sqlite") else "custmodel_settings"
        assert all(any(part in s for s in watched) for part in (settings, "custmodel_counters"))
        assert any("INSERT INTO custmodel_customers" in s for s in watched)
        assert 3 == _count(store)
        entries = [(e.action.value, e.at) for e in book.history(second.number)] if history else []
        assert entries == ([("registered", second.created_at)] if history else [])
        assert history == any("custmodel_history" in s for s in watched)
    finally:
        store.close()


def test_a_listener_on_the_connection_itself_sees_a_single_registrations_statements(
    url: str,
) -> None:
    """A statement listener put on each connection as it is made (not on the engine) sees a
    registration's statements too: they go through SQLAlchemy's execution then."""
    store = SqlStore.from_url(url, upgrade=False)
    seen: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    def watch(connection: sa.Connection) -> None:
        sa.event.listen(connection, "before_cursor_execute", capture)

    try:
        book = CustomerBook(store, Settings())
        sa.event.listen(store.engine, "engine_connect", watch)
        book.register(CustomerKind.PRIVATE, "Gesehen")

        assert any("INSERT INTO custmodel_customers" in s for s in seen)
    finally:
        sa.event.remove(store.engine, "engine_connect", watch)
        store.close()


def test_a_duplicate_check_looks_all_its_keys_up_in_one_statement(url: str) -> None:
    """The check's lookups (e-mail, phone, birth date, postal code, both names) go to the
    database as one statement, then one read of the customers found; the candidate is found."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        book = CustomerBook(store, Settings(), history=False)
        fields: dict[str, Any] = {
            "first_name": "Erika",
            "email": "erika@example.org",
            "phone": "030 1234567",
            "birth_date": date(1980, 5, 17),
            "postal_code": "10115",
        }
        stored = book.register(CustomerKind.PRIVATE, "Mustermann", **fields)
        with statements_sent(store) as sent:
            registration = book.register(
                CustomerKind.PRIVATE, "Mustermann", duplicates="warn", **fields
            )
        reads = [
            s for s, _ in sent if s.lstrip().startswith("SELECT") and "custmodel_customers" in s
        ]

        assert [stored.number] == [c.number for c in registration.candidates]
        assert 2 == len(reads), reads
        assert all(f"lookup_{i}" in reads[0] for i in range(6))
    finally:
        store.close()


@pytest.mark.parametrize("count", [3, CANDIDATES_AT_ONCE + 7])
def test_a_duplicate_checks_candidates_are_read_whole_however_many(url: str, count: int) -> None:
    """The candidates of a check come back as the stored customers, in number order: a few
    read by one statement on the driver, more than it holds through SQLAlchemy in chunks."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        book = CustomerBook(store, Settings(), history=False)
        stored = book.register_many(
            NewCustomer(
                kind=CustomerKind.PRIVATE,
                last_name=f"Nachbar{n}",
                postal_code="10115",
                birth_date=date(1970, 1, 1 + n % 28),
                notes="Zeile eins\nZeile zwei",
            )
            for n in range(count)
        )
        with store.transaction(write=False) as tx:
            found = tx.duplicate_candidates(CandidateKeys(postal_codes=("10115",)), count)
        assert stored == found
    finally:
        store.close()
