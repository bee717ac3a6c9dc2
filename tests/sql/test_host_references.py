"""Host references: columns of the host's tables that hold customer numbers move with a merge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, Settings
from custmodel.errors import InvalidInputError, MergeRefusedError
from custmodel.storage.sql import SqlStore, SqlTransaction
from custmodel.testing.snapshots import take_snapshot
from tests.sql.helpers import (
    INVOICE_REFERENCE,
    INVOICES,
    add_invoices,
    customer,
    host_invoices,
    invoice_customers,
)

#: Customer numbers of the merges below: master 1, duplicates 2 and 3, bystander 4.
MASTER, DUPLICATES, BYSTANDER = 1, (2, 3), 4
#: The customer of each invoice, by invoice id 1..5.
INVOICED = [MASTER, 2, 3, 3, BYSTANDER]


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A store with customers 1 to 4 and no host table yet."""
    store = SqlStore.from_url(sql_url)
    with store.transaction() as tx:
        first = tx.allocate_numbers(4)
        tx.insert_customers([customer(n) for n in range(first, first + 4)])
    yield store
    store.close()


@pytest.fixture
def invoices(store: SqlStore) -> Iterator[sa.Table]:
    """The host table invoices with a foreign key to the customers, five invoices in it."""
    with host_invoices(store) as table:
        add_invoices(store, table, INVOICED)
        yield table


def _book(store: SqlStore) -> CustomerBook:
    return CustomerBook(store, Settings())


def test_merge_with_an_unregistered_foreign_key_names_it(
    store: SqlStore, invoices: sa.Table
) -> None:
    """A merge while invoices.customer_number is unregistered is refused, naming the column."""
    with pytest.raises(MergeRefusedError) as refused:
        _book(store).merge(MASTER, DUPLICATES)

    assert INVOICE_REFERENCE in str(refused.value)


def test_refused_merge_changes_nothing(store: SqlStore, invoices: sa.Table) -> None:
    """Refused for an unregistered foreign key, a merge leaves store and host rows unchanged."""
    book = _book(store)
    before = take_snapshot(store)

    with pytest.raises(MergeRefusedError):
        book.merge(MASTER, DUPLICATES)

    assert before == take_snapshot(store)
    assert INVOICED == invoice_customers(store, invoices)


def test_unregistered_references_lists_the_host_foreign_key(
    store: SqlStore, invoices: sa.Table
) -> None:
    """The port lists the host's foreign key to the customers while it is unregistered."""
    with store.transaction(write=False) as tx:
        assert [INVOICE_REFERENCE] == tx.unregistered_references()


def test_unregistered_references_ignores_custmodels_own_tables(store: SqlStore) -> None:
    """custmodel's own foreign keys to customers (bookings, tombstones, audit) are not listed."""
    with store.transaction(write=False) as tx:
        assert [] == tx.unregistered_references()


def test_a_registered_reference_is_not_unregistered(store: SqlStore, invoices: sa.Table) -> None:
    """Registering invoices.customer_number takes it off the port's unregistered list."""
    store.register_reference(INVOICES, "customer_number")

    with store.transaction(write=False) as tx:
        assert [] == tx.unregistered_references()


def test_merge_moves_the_registered_reference(store: SqlStore, invoices: sa.Table) -> None:
    """After registering, the merge points the duplicates' invoices at the master."""
    store.register_reference(INVOICES, "customer_number")

    _book(store).merge(MASTER, DUPLICATES)

    assert [MASTER, MASTER, MASTER, MASTER, BYSTANDER] == invoice_customers(store, invoices)


def test_merge_reports_and_records_the_moved_reference(store: SqlStore, invoices: sa.Table) -> None:
    """The merge's report and its audit record count the invoices that moved."""
    store.register_reference(INVOICES, "customer_number")

    report = _book(store).merge(MASTER, DUPLICATES)

    with store.transaction(write=False) as tx:
        records = tx.merge_records(MASTER)
    assert {INVOICE_REFERENCE: 3} == report.references_moved
    assert [{INVOICE_REFERENCE: 3}] == [r.references_moved for r in records]


def test_plan_merge_counts_the_registered_reference(store: SqlStore, invoices: sa.Table) -> None:
    """plan_merge lists how many invoices the merge would move, and moves none."""
    store.register_reference(INVOICES, "customer_number")

    plan = _book(store).plan_merge(MASTER, DUPLICATES)

    assert {INVOICE_REFERENCE: 3} == plan.references
    assert INVOICED == invoice_customers(store, invoices)


def test_reference_moves_roll_back_with_a_failed_merge(
    store: SqlStore, invoices: sa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge that fails after moving the invoices takes the move back: one transaction."""
    store.register_reference(INVOICES, "customer_number")
    book = _book(store)
    before = take_snapshot(store)

    def fail(_tx: SqlTransaction, _record: object) -> None:
        raise RuntimeError("the audit record could not be written")

    monkeypatch.setattr(SqlTransaction, "add_merge_record", fail)
    with pytest.raises(RuntimeError):
        book.merge(MASTER, DUPLICATES)

    assert before == take_snapshot(store)
    assert INVOICED == invoice_customers(store, invoices)


def test_a_column_without_foreign_key_can_be_registered_and_moves(store: SqlStore) -> None:
    """A host column that holds customer numbers without a foreign key moves once registered."""
    with host_invoices(store, foreign_key=False) as table:
        add_invoices(store, table, INVOICED)
        store.register_reference(INVOICES, "customer_number")

        _book(store).merge(MASTER, DUPLICATES)

        assert [MASTER, MASTER, MASTER, MASTER, BYSTANDER] == invoice_customers(store, table)


def test_registering_an_unknown_table_is_refused(store: SqlStore) -> None:
    """Registering a table the database does not have raises InvalidInputError naming it."""
    with pytest.raises(InvalidInputError, match=r"no_such_table"):
        store.register_reference("no_such_table", "customer_number")


def test_registering_an_unknown_column_is_refused(store: SqlStore, invoices: sa.Table) -> None:
    """Registering a column the table does not have raises InvalidInputError naming both."""
    with pytest.raises(InvalidInputError, match=r"invoices\.no_such_column"):
        store.register_reference(INVOICES, "no_such_column")


def test_registering_custmodels_own_table_is_refused(store: SqlStore) -> None:
    """custmodel's own tables are no host references: bookings already move with a merge."""
    with pytest.raises(InvalidInputError, match=r"custmodel_bookings"):
        store.register_reference("custmodel_bookings", "customer")


def test_registering_the_same_reference_again_changes_nothing(
    store: SqlStore, invoices: sa.Table
) -> None:
    """The same column registered again, as a second start-up hook would, is still one
    reference, and a merge moves its rows once."""
    store.register_reference(INVOICES, "customer_number")
    store.register_reference(INVOICES, "customer_number", personal={})

    report = _book(store).merge(MASTER, DUPLICATES)

    assert [INVOICE_REFERENCE] == [reference.name for reference in store.references]
    assert {INVOICE_REFERENCE: 3} == report.references_moved


def test_registering_a_reference_again_with_other_personal_columns_is_refused(
    store: SqlStore,
) -> None:
    """The same column registered again with other personal columns, or other dummy values,
    raises InvalidInputError naming it, and the first registration stands."""
    host = sa.MetaData()
    notes = sa.Table(
        "host_notes",
        host,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_number", sa.BigInteger, nullable=False),
        sa.Column("text", sa.String(50), nullable=False),
    )
    notes.create(store.engine)
    try:
        store.register_reference("host_notes", "customer_number", personal={"text": ""})
        for personal in (None, {"text": "-"}):
            with pytest.raises(InvalidInputError, match=r"host_notes\.customer_number"):
                store.register_reference("host_notes", "customer_number", personal=personal)
        assert [{"text": ""}] == [dict(reference.personal) for reference in store.references]
    finally:
        notes.drop(store.engine)


def test_references_are_moved_in_chunks_beyond_the_parameter_limit(store: SqlStore) -> None:
    """Moving the invoices of 2,500 duplicates works on every engine (SQLite caps parameters)."""
    with store.transaction() as tx:
        first = tx.allocate_numbers(2500)
        duplicates = list(range(first, first + 2500))
        tx.insert_customers([customer(n) for n in duplicates])
    with host_invoices(store) as table:
        add_invoices(store, table, duplicates)
        store.register_reference(INVOICES, "customer_number")

        with store.transaction() as tx:
            counted = tx.reference_counts(duplicates)
            moved = tx.move_references(duplicates, MASTER)

        assert {INVOICE_REFERENCE: len(duplicates)} == counted
        assert {INVOICE_REFERENCE: len(duplicates)} == moved
        assert [MASTER] * len(duplicates) == invoice_customers(store, table)


def test_registrations_belong_to_the_store_object(store: SqlStore, invoices: sa.Table) -> None:
    """A second store on the same database knows nothing of the first one's registrations."""
    store.register_reference(INVOICES, "customer_number")
    other = SqlStore.from_url(store.engine.url, upgrade=False)
    try:
        with other.transaction(write=False) as tx:
            assert [INVOICE_REFERENCE] == tx.unregistered_references()
    finally:
        other.close()
