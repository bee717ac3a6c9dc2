"""Host references on the memory store: a merge counts and moves the host's rows (R8).

The host here keeps invoices in a dictionary (invoice id -> customer number) and registers a
mover for them; every call of the mover is logged, so a test can tell whether a merge moved
host rows or only counted them.
"""

from __future__ import annotations

import pytest

from custmodel import CustomerBook
from custmodel.errors import InvalidInputError, MergeRefusedError
from custmodel.model import CustomerKind, NewCustomer
from custmodel.storage.memory import MemoryStore
from custmodel.testing.contract import SETTINGS, fixed_clock
from custmodel.testing.snapshots import take_snapshot

PRIVATE = CustomerKind.PRIVATE


class Invoices:
    """The host's invoices and a mover over them that logs its calls."""

    def __init__(self, owners: dict[str, int]) -> None:
        self.owners = dict(owners)
        self.calls: list[tuple[frozenset[int], int | None]] = []

    def __call__(self, customers: frozenset[int], master: int | None) -> int:
        self.calls.append((customers, master))
        pointing = [invoice for invoice, owner in self.owners.items() if owner in customers]
        if master is not None:
            for invoice in pointing:
                self.owners[invoice] = master
        return len(pointing)

    @property
    def moves(self) -> list[tuple[frozenset[int], int | None]]:
        """The calls that moved rows (with a master)."""
        return [call for call in self.calls if call[1] is not None]


@pytest.fixture
def store() -> MemoryStore:
    """A memory store."""
    return MemoryStore()


@pytest.fixture
def book(store: MemoryStore) -> CustomerBook:
    """Private customers 1..4 on the contract's settings and clock."""
    book = CustomerBook(store, SETTINGS, clock=fixed_clock)
    book.register_many(NewCustomer(kind=PRIVATE, last_name=f"Kunde {n}") for n in range(1, 5))
    return book


@pytest.fixture
def invoices(store: MemoryStore) -> Invoices:
    """Invoices R-1 of customer 1, R-2 and R-3 of 2, R-4 of 3; registered on ``store``."""
    invoices = Invoices({"R-1": 1, "R-2": 2, "R-3": 2, "R-4": 3})
    store.register_reference("invoices.customer", invoices)
    return invoices


def test_a_plan_lists_the_rows_of_every_registered_reference(
    book: CustomerBook, store: MemoryStore, invoices: Invoices
) -> None:
    """plan_merge counts the host rows pointing at the duplicates, per reference."""
    store.register_reference("letters.recipient", Invoices({"L-1": 3}))
    plan = book.plan_merge(1, [2, 3])
    assert {"invoices.customer": 3, "letters.recipient": 1} == plan.references


def test_a_plan_lists_a_reference_without_rows_with_zero(
    book: CustomerBook, invoices: Invoices
) -> None:
    """A registered reference no row of the duplicates uses is listed with 0."""
    assert {"invoices.customer": 0} == book.plan_merge(1, [4]).references


def test_a_plan_moves_no_host_row(book: CustomerBook, invoices: Invoices) -> None:
    """Planning only counts: the mover is never called with a master."""
    before = dict(invoices.owners)
    book.plan_merge(1, [2, 3])
    assert ([], before) == (invoices.moves, invoices.owners)


def test_a_merge_moves_the_host_rows_to_the_master(book: CustomerBook, invoices: Invoices) -> None:
    """After the merge every invoice of the duplicates belongs to the master."""
    book.merge(1, [2, 3])
    assert {"R-1": 1, "R-2": 1, "R-3": 1, "R-4": 1} == invoices.owners


def test_a_merge_moves_the_duplicates_once_with_the_master(
    book: CustomerBook, invoices: Invoices
) -> None:
    """The mover is called once to move, with the duplicates and the master's number."""
    book.merge(1, [3, 2])
    assert [(frozenset({2, 3}), 1)] == invoices.moves


def test_a_merge_reports_and_records_the_moved_rows(book: CustomerBook, invoices: Invoices) -> None:
    """Report, plan and audit record name the reference with the rows it moved."""
    report = book.merge(1, [2, 3], actor="u-1")
    assert report.record is not None
    expected = {"invoices.customer": 3}
    assert (expected, expected, expected, [report.record]) == (
        report.plan.references,
        report.references_moved,
        report.record.references_moved,
        book.merge_history(),
    )


def test_a_merge_chain_moves_the_host_rows_to_its_end(
    book: CustomerBook, invoices: Invoices
) -> None:
    """Invoices of A follow A into B and then B into C."""
    book.merge(2, [1])
    book.merge(3, [2])
    assert {"R-1": 3, "R-2": 3, "R-3": 3, "R-4": 3} == invoices.owners


def test_a_refused_merge_moves_no_host_row(
    book: CustomerBook, store: MemoryStore, invoices: Invoices
) -> None:
    """A merge refused (a duplicate twice) never calls the mover with a master."""
    before = (take_snapshot(store), dict(invoices.owners))
    with pytest.raises(MergeRefusedError):
        book.merge(1, [2, 3, 2])
    assert ([], before) == (invoices.moves, (take_snapshot(store), invoices.owners))


def test_a_merge_into_an_anonymized_master_moves_no_host_row(
    book: CustomerBook, invoices: Invoices
) -> None:
    """A merge refused for its anonymized master never calls the mover with a master."""
    book.anonymize(1, "AG1")
    with pytest.raises(MergeRefusedError):
        book.merge(1, [2])
    assert [] == invoices.moves


def test_a_merge_refused_for_its_actor_moves_no_host_row(
    book: CustomerBook, store: MemoryStore, invoices: Invoices
) -> None:
    """A merge whose actor is refused leaves store and host rows as they were."""
    before = (take_snapshot(store), dict(invoices.owners))
    with pytest.raises(InvalidInputError):
        book.merge(1, [2, 3], actor="")
    assert ([], before) == (invoices.moves, (take_snapshot(store), invoices.owners))


def test_the_same_reference_registered_again_changes_nothing(
    store: MemoryStore, book: CustomerBook, invoices: Invoices
) -> None:
    """The same name and mover registered again, as a second start-up hook would, stay one
    reference: a merge calls the mover once."""
    store.register_reference("invoices.customer", invoices)

    book.merge(1, [2])

    assert [(frozenset({2}), 1)] == invoices.moves


def test_the_same_reference_registered_again_with_an_eraser_is_refused(
    store: MemoryStore, invoices: Invoices
) -> None:
    """The same mover registered again with an eraser it did not have is another registration."""
    with pytest.raises(InvalidInputError):
        store.register_reference("invoices.customer", invoices, eraser=lambda customers: 0)


def test_a_reference_cannot_be_registered_twice(store: MemoryStore, invoices: Invoices) -> None:
    """Registering a second mover under a taken name is refused."""
    with pytest.raises(InvalidInputError):
        store.register_reference("invoices.customer", Invoices({}))
