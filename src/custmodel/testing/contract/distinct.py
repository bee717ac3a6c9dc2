""" "Not a duplicate" marks: stored, listed, removed, carried over by merges, respected by
duplicate searches."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import pytest

from custmodel._marks import DistinctMark
from custmodel.book import CustomerBook
from custmodel.errors import (
    AlreadyMergedError,
    CustomerNotFoundError,
    InvalidInputError,
    MergeRefusedError,
    MissingExtraError,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    NOW,
    SETTINGS,
    _clock_at,
    _customer,
    _draft,
)

__all__ = ["DistinctContract"]

EARLIER = NOW - timedelta(days=3)


class _Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a transaction only to roll it back."""


class DistinctContract(_ContractBase):
    """A user's "these two are different parties" is kept, follows merges, and is respected."""

    __test__: ClassVar[bool] = False

    def distinct_book(self, count: int = 4) -> CustomerBook:
        """``count`` private customers, numbered from 1."""
        book = self.book(SETTINGS)
        book.register_many(_draft(last_name=f"Kunde {n}") for n in range(1, count + 1))
        return book

    def twins_book(self) -> CustomerBook:
        """Customers 1 and 2, the same person keyed in twice; 3 is someone else."""
        book = self.book(SETTINGS)
        book.register_many(
            [
                _draft(last_name="Müller", first_name="Jürgen", email="jm@example.org"),
                _draft(last_name="Mueller", first_name="Juergen", email="jm@example.org"),
                _draft(last_name="Zwetschgenbaum", first_name="Ida"),
            ]
        )
        return book

    # -- marking -------------------------------------------------------------------------------

    def test_a_mark_holds_the_pair_lower_first_when_and_who(self) -> None:
        """Marking 3 and 1 stores the mark (1, 3) with the book's time and the actor."""
        book = self.distinct_book()

        mark = book.mark_distinct(3, 1, actor="u-7")

        assert DistinctMark(1, 3, marked_at=NOW, actor="u-7") == mark
        assert [mark] == book.distinct_marks()

    def test_a_mark_without_an_actor_holds_the_books_actor(self) -> None:
        """A book acting for a user records that user on a mark given no actor of its own."""
        book = self.distinct_book().acting("u-9")

        assert "u-9" == book.mark_distinct(1, 2).actor

    def test_marks_are_listed_by_pair_and_by_customer(self) -> None:
        """distinct_marks() lists every mark by pair; with a number, those naming it."""
        book = self.distinct_book()
        for first, second in ((4, 2), (1, 3), (2, 1)):
            book.mark_distinct(first, second)

        assert [(1, 2), (1, 3), (2, 4)] == [m.pair for m in book.distinct_marks()]
        assert [(1, 2), (2, 4)] == [m.pair for m in book.distinct_marks(2)]
        assert [(2, 4)] == [m.pair for m in book.distinct_marks(4)]

    def test_marking_a_pair_again_keeps_the_first_mark(self) -> None:
        """A second mark of the same pair, later and by someone else, returns the first one."""
        self.distinct_book()
        first = self.book(clock=_clock_at(EARLIER)).mark_distinct(1, 2, actor="u-1")

        again = self.book().mark_distinct(2, 1, actor="u-2")

        assert (first, [first]) == (again, self.book().distinct_marks())

    def test_unmark_removes_the_mark_and_says_whether_there_was_one(self) -> None:
        """unmark_distinct removes the pair's mark (True), then finds none (False)."""
        book = self.distinct_book()
        book.mark_distinct(1, 2)
        book.mark_distinct(1, 3)

        assert (True, False) == (book.unmark_distinct(2, 1), book.unmark_distinct(1, 2))
        assert [(1, 3)] == [m.pair for m in book.distinct_marks()]

    def test_a_customer_cannot_be_marked_distinct_from_itself(self) -> None:
        """Marking a customer against itself is refused and changes nothing."""
        book = self.distinct_book()

        self.assert_refused(InvalidInputError, lambda: book.mark_distinct(2, 2))

    def test_marking_an_unknown_customer_is_refused(self) -> None:
        """A number no customer has is refused with CustomerNotFoundError naming it."""
        book = self.distinct_book()

        error = self.assert_refused(CustomerNotFoundError, lambda: book.mark_distinct(1, 99))

        assert 99 == error.number

    def test_marking_a_merged_customer_is_refused_naming_its_master(self) -> None:
        """A merged duplicate cannot be marked; the error names the master to mark instead."""
        book = self.distinct_book()
        book.merge(1, [2])

        error = self.assert_refused(AlreadyMergedError, lambda: book.mark_distinct(2, 3))

        assert (2, 1) == (error.number, error.master)

    def test_a_mark_keeps_no_personal_data_and_survives_anonymization(self) -> None:
        """Anonymizing a marked customer leaves the mark as it was: it holds numbers only."""
        book = self.distinct_book()
        mark = book.mark_distinct(1, 2)

        book.anonymize(1, AGENCY)

        assert [mark] == book.distinct_marks()

    # -- merges --------------------------------------------------------------------------------

    def test_a_merge_carries_the_duplicates_marks_to_the_master(self) -> None:
        """Marks (2, 3) and (2, 4) become (1, 3) and (1, 4) when 2 is merged into 1."""
        book = self.distinct_book()
        book.mark_distinct(2, 3, actor="u-1")
        book.mark_distinct(4, 2)

        book.merge(1, [2])

        expected = [
            DistinctMark(1, 3, marked_at=NOW, actor="u-1"),
            DistinctMark(1, 4, marked_at=NOW),
        ]
        assert expected == book.distinct_marks()

    def test_a_merge_drops_the_marks_between_the_merged_customers(self) -> None:
        """Marks between master and duplicate, or two duplicates, go: they were merged after
        all."""
        book = self.distinct_book()
        book.mark_distinct(1, 2)
        book.mark_distinct(2, 3)

        book.merge(1, [2, 3])

        assert [] == book.distinct_marks()

    def test_a_merge_keeps_the_masters_own_mark_for_a_customer(self) -> None:
        """When master and duplicate were both told apart from 3, the master's mark stays."""
        self.distinct_book()
        self.book(clock=_clock_at(EARLIER)).mark_distinct(2, 3, actor="u-2")
        own = self.book().mark_distinct(1, 3, actor="u-1")

        self.book().merge(1, [2])

        assert [own] == self.book().distinct_marks()

    def test_a_merge_moves_the_oldest_of_the_duplicates_marks_for_a_customer(self) -> None:
        """Two duplicates told apart from 4 leave one mark (1, 4): the older one."""
        self.distinct_book()
        self.book().mark_distinct(3, 4, actor="later")
        self.book(clock=_clock_at(EARLIER)).mark_distinct(2, 4, actor="earlier")

        self.book().merge(1, [2, 3])

        assert [DistinctMark(1, 4, marked_at=EARLIER, actor="earlier")] == (
            self.book().distinct_marks()
        )

    def test_a_refused_merge_leaves_the_marks_alone(self) -> None:
        """A merge refused half-way (anonymized master) changes no mark."""
        book = self.distinct_book()
        book.mark_distinct(2, 3)
        book.anonymize(1, AGENCY)

        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2]))

    # -- duplicate searches --------------------------------------------------------------------

    def _groups(self, book: CustomerBook, number: int | None = None) -> list[tuple[int, ...]]:
        try:
            return [g.customers for g in book.find_duplicates(number)]
        except MissingExtraError:
            pytest.skip("finding duplicates needs the dedupe extra")

    def test_find_duplicates_leaves_out_a_marked_pair(self) -> None:
        """Twins found as duplicates are no longer found once marked distinct."""
        book = self.twins_book()
        assert [(1, 2)] == self._groups(book)

        book.mark_distinct(1, 2)

        assert ([], []) == (self._groups(book), self._groups(book, 2))

    def test_find_duplicates_finds_a_pair_again_once_unmarked(self) -> None:
        """Removing the mark lets the search pair the twins again."""
        book = self.twins_book()
        book.mark_distinct(1, 2)

        book.unmark_distinct(1, 2)

        assert [(1, 2)] == self._groups(book, 1)

    def test_a_mark_moved_by_a_merge_is_respected(self) -> None:
        """Twin 2 told apart from twin 3 and merged into twin 1: 1 and 3 are not paired."""
        book = self.book(SETTINGS)
        book.register_many(
            _draft(last_name=name, first_name="Jürgen", email="jm@example.org")
            for name in ("Müller", "Mueller", "Muller")
        )
        book.mark_distinct(2, 3)

        book.merge(1, [2])

        assert ([(1, 3)], []) == ([m.pair for m in book.distinct_marks()], self._groups(book))

    # -- the port ------------------------------------------------------------------------------

    def test_port_refuses_a_mark_of_a_customer_that_is_not_stored(self) -> None:
        """add_distinct_mark raises CustomerNotFoundError for an unknown number, as a foreign
        key would."""
        self.insert(_customer(1))

        def add() -> None:
            with self.store.transaction() as tx:
                tx.add_distinct_mark(DistinctMark(1, 5, marked_at=NOW))

        self.assert_refused(CustomerNotFoundError, add)

    def test_port_adds_lists_and_removes_marks(self) -> None:
        """The port stores a mark once, lists marks naming given numbers, removes by pair."""
        self.insert(*(_customer(n) for n in range(1, 5)))
        first = DistinctMark(1, 2, marked_at=EARLIER, actor="u-1")
        with self.store.transaction() as tx:
            stored = [
                tx.add_distinct_mark(first),
                tx.add_distinct_mark(DistinctMark(1, 2, marked_at=NOW)),
                tx.add_distinct_mark(DistinctMark(3, 4, marked_at=NOW)),
            ]
        with self.store.transaction(write=False) as tx:
            listed = (tx.distinct_marks([2]), tx.distinct_marks([2, 3, 9]), tx.distinct_marks([]))
        with self.store.transaction() as tx:
            removed = tx.remove_distinct_marks([(1, 2), (1, 2), (2, 3)])

        assert [first, first, DistinctMark(3, 4, marked_at=NOW)] == stored
        assert ([first], [first, stored[2]], []) == listed
        assert (1, (stored[2],)) == (removed, self.snapshot().distinct_marks)

    def test_port_rolls_marks_back_with_the_transaction(self) -> None:
        """Marks added and removed in a transaction that raises are as before."""
        self.insert(*(_customer(n) for n in range(1, 4)))
        with self.store.transaction() as tx:
            tx.add_distinct_mark(DistinctMark(1, 2, marked_at=NOW))
        before = self.snapshot()

        def change_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.remove_distinct_marks([(1, 2)])
                tx.add_distinct_mark(DistinctMark(2, 3, marked_at=NOW))
                raise _Rollback

        with pytest.raises(_Rollback):
            change_then_fail()

        assert before == self.snapshot()
