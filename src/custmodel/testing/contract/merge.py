"""Merging duplicates into a master, its audit and merge chains (R8)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

import attrs

from custmodel.errors import (
    CustomerNotFoundError,
    InvalidInputError,
    MergeRefusedError,
)
from custmodel.model import (
    PERSONAL_FIELDS,
    MergeRecord,
    StatusFlags,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    NOW,
    PRIVATE,
    SETTINGS,
    TODAY,
    _clock_at,
    _customer,
    _draft,
    _full_draft,
    _personal_values,
)

__all__ = ["MergeContract"]


class MergeContract(_ContractBase):
    """A merge moves what the duplicates held to the master and leaves tombstones behind."""

    __test__: ClassVar[bool] = False

    # -- merge (R8) --------------------------------------------------------------------------

    def test_merge_moves_every_booking_to_the_master(self) -> None:
        """After the merge, the master has every booking and the duplicates have none."""
        book = self.merge_book()
        report = book.merge(1, [2, 3])
        assert (["B-1", "B-2", "B-3", "B-4"], [], [], 3) == (
            [b.reference for b in book.bookings(1)],
            book.bookings(2),
            book.bookings(3),
            report.bookings_moved,
        )

    def test_merge_reports_the_moved_bookings(self) -> None:
        """The plan of a merge lists the references of the moved bookings."""
        report = self.merge_book().merge(1, [2, 3])
        assert ("B-2", "B-3", "B-4") == report.plan.bookings

    def test_merge_keeps_number_and_account_of_the_duplicates(self) -> None:
        """Tombstones keep their number, kind, type and debtor account."""
        book = self.merge_book()
        before = [book.get(2), book.get(3)]
        book.merge(1, [2, 3])
        keep = ("number", "kind", "customer_type", "debtor_account", "created_at")
        assert [[getattr(c, f) for f in keep] for c in before] == [
            [getattr(book.get(n), f) for f in keep] for n in (2, 3)
        ]

    def test_tombstones_keep_no_personal_data(self) -> None:
        """A tombstone's personal fields and rule references are blank."""
        book = self.merge_book()
        book.merge(1, [2, 3])
        blank = {f: getattr(_customer(9), f) for f in PERSONAL_FIELDS}
        blank.update(last_name="", commission_scheme=None, fee_schedule=None)
        for number in (2, 3):
            tombstone = book.get(number)
            assert blank == {f: getattr(tombstone, f) for f in blank}

    def test_tombstones_point_to_the_master(self) -> None:
        """Every duplicate's tombstone names the master."""
        book = self.merge_book()
        book.merge(1, [2, 3])
        assert [1, 1] == [book.get(2).merged_into, book.get(3).merged_into]

    def test_merge_lists_the_retired_debtor_accounts(self) -> None:
        """The report lists the duplicates' accounts for the ledger."""
        report = self.merge_book().merge(1, [2, 3])
        assert (10002, 30003) == report.retired_debtor_accounts

    def test_retired_accounts_resolve_to_the_master(self) -> None:
        """A duplicate's old account resolves to the master."""
        book = self.merge_book()
        book.merge(1, [2, 3])
        assert book.get(1) == book.resolve_debtor_account(30003)

    def test_the_masters_data_wins(self) -> None:
        """Without ``fill_blanks`` the master keeps its data, empty fields included."""
        book = self.merge_book()
        master = book.get(1)
        report = book.merge(1, [2, 3])
        assert (master, master) == (report.master, book.get(1))

    def test_fill_blanks_fills_empty_master_fields_from_the_duplicates(self) -> None:
        """``fill_blanks`` fills the master's empty fields, its own values stay."""
        book = self.merge_book()
        report = book.merge(1, [2, 3], fill_blanks=True)
        master = book.get(1)
        assert (report.master, "Hans", "hans@example.org", "0711 1", "B", "PROV-2") == (
            master,
            master.first_name,
            master.email,
            master.phone,
            master.category,
            master.commission_scheme,
        )

    def test_fill_blanks_takes_the_first_duplicate_that_has_a_value(self) -> None:
        """Duplicates fill blanks in the order given."""
        book = self.merge_book()
        book.merge(1, [3, 2], fill_blanks=True)
        assert "meyer@example.org" == book.get(1).email

    def test_unite_status_adds_the_flags_of_duplicates_of_the_masters_kind(self) -> None:
        """``unite_status`` gives the master the flags of private duplicates only."""
        book = self.merge_book()
        book.merge(1, [2, 3], unite_status=True)
        assert StatusFlags.of([1, 2, 3]) == book.get(1).status

    def test_the_template_customer_setting_follows_to_the_master(self) -> None:
        """A merged template customer's setting moves to the master."""
        book = self.merge_book()
        book.update_kind_settings(PRIVATE, template_customer=2)
        report = book.merge(1, [2])
        assert ((PRIVATE,), 1) == (
            report.plan.templates,
            self.book().settings.kind(PRIVATE).template_customer,
        )

    def test_merge_records_the_clock_time(self) -> None:
        """The merge time and the tombstones' update time come from the clock."""
        book = self.merge_book()
        later = NOW + timedelta(days=1)
        report = self.book(clock=_clock_at(later)).merge(1, [2])
        assert (later, later) == (report.merged_at, book.get(2).updated_at)

    def test_a_merge_chain_collects_every_booking_at_the_end(self) -> None:
        """After 2 was merged into 3 and 3 into 1, customer 1 has every booking."""
        book = self.merge_book()
        book.merge(3, [2])
        book.merge(1, [3])
        assert ["B-1", "B-2", "B-3", "B-4"] == [b.reference for b in book.bookings(1)]

    def test_plan_merge_changes_nothing_and_matches_the_merge(self) -> None:
        """A dry run changes nothing and plans exactly what the merge then does."""
        book = self.merge_book()
        before = self.snapshot()
        plan = book.plan_merge(1, [2, 3], fill_blanks=True, unite_status=True)
        assert before == self.snapshot()
        assert plan == book.merge(1, [2, 3], fill_blanks=True, unite_status=True).plan

    def test_merge_into_itself_is_refused(self) -> None:
        """A master among its duplicates is refused; nothing is changed."""
        book = self.merge_book()
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2, 1]))

    def test_merge_of_a_duplicate_listed_twice_is_refused(self) -> None:
        """The same duplicate twice is refused; nothing is changed."""
        book = self.merge_book()
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2, 3, 2]))

    def test_merge_without_duplicates_is_refused(self) -> None:
        """A merge that names no duplicates is refused; nothing is changed."""
        book = self.merge_book()
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, []))

    def test_merge_into_an_unknown_master_is_refused(self) -> None:
        """An unknown master raises CustomerNotFoundError; nothing is changed."""
        book = self.merge_book()
        self.assert_refused(CustomerNotFoundError, lambda: book.merge(9, [2]))

    def test_merge_of_an_unknown_duplicate_is_refused(self) -> None:
        """An unknown duplicate raises CustomerNotFoundError; nothing is changed."""
        book = self.merge_book()
        self.assert_refused(CustomerNotFoundError, lambda: book.merge(1, [2, 9]))

    def test_merge_of_an_already_merged_duplicate_is_refused(self) -> None:
        """A duplicate merged before is refused; nothing is changed."""
        book = self.merge_book()
        book.merge(1, [2])
        self.assert_refused(MergeRefusedError, lambda: book.merge(3, [2]))

    def test_merge_into_an_already_merged_master_is_refused(self) -> None:
        """A master merged before is refused; nothing is changed."""
        book = self.merge_book()
        book.merge(1, [2])
        self.assert_refused(MergeRefusedError, lambda: book.merge(2, [3]))

    def test_merge_into_an_anonymized_master_is_refused(self) -> None:
        """An anonymized master is refused; nothing is changed."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.anonymize(1, AGENCY)
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2]))

    def test_merge_of_an_anonymized_duplicate_is_refused(self) -> None:
        """An anonymized duplicate is refused; nothing is changed."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.anonymize(2, AGENCY)
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2]))

    def test_merge_of_a_template_customer_into_another_kind_is_refused(self) -> None:
        """A template customer whose setting could not follow is refused; nothing changes."""
        book = self.merge_book()
        book.update_kind_settings(PRIVATE, template_customer=2)
        self.assert_refused(MergeRefusedError, lambda: book.merge(3, [2]))

    # -- merge audit and merge chains (R8) ----------------------------------------------------

    def test_merge_writes_an_audit_record(self) -> None:
        """A merge records master, duplicates as given, bookings moved, clock time and actor."""
        book = self.merge_book()
        report = book.merge(1, [3, 2], actor="u-17")
        expected = MergeRecord(
            id=report.record.id,
            merged_at=NOW,
            master=1,
            duplicates=(3, 2),
            bookings_moved=3,
            references_moved=self.no_references_moved(),
            actor="u-17",
        )
        assert (expected, [expected]) == (report.record, book.merge_history())

    def test_a_merge_without_an_actor_records_none(self) -> None:
        """A merge whose caller names nobody records no actor."""
        report = self.merge_book().merge(1, [2])
        assert (None, [report.record]) == (
            report.record.actor,
            self.book().merge_history(),
        )

    def test_merge_history_lists_every_merge_in_order(self) -> None:
        """The history holds one record per merge, ordered by id."""
        book = self.book(SETTINGS)
        book.register_many(_draft() for _ in range(5))
        first = book.merge(1, [2]).record
        second = book.merge(3, [4, 5], actor="u-2").record
        assert ([first, second], True) == (book.merge_history(), first.id < second.id)

    def test_merge_history_of_a_master_lists_its_merges(self) -> None:
        """The history of a master holds the merges into it, and only those."""
        book = self.book(SETTINGS)
        book.register_many(_draft() for _ in range(5))
        first = book.merge(1, [2]).record
        second = book.merge(3, [4, 5]).record
        third = book.merge(1, [3]).record
        assert ([first, third], [second, third]) == (
            book.merge_history(1),
            book.merge_history(3),
        )

    def test_merge_history_of_a_duplicate_lists_the_merge_that_retired_it(self) -> None:
        """The history of a duplicate holds the merge that made it a tombstone."""
        book = self.book(SETTINGS)
        book.register_many(_draft() for _ in range(5))
        first = book.merge(1, [2]).record
        second = book.merge(3, [4, 5]).record
        assert ([first], [second], [second]) == (
            book.merge_history(2),
            book.merge_history(4),
            book.merge_history(5),
        )

    def test_merge_history_of_an_unmerged_customer_is_empty(self) -> None:
        """A customer that took part in no merge has no history."""
        book = self.book(SETTINGS)
        book.register_many(_draft() for _ in range(3))
        book.merge(1, [2])
        assert [] == book.merge_history(3)

    def test_merge_history_names_each_link_of_a_chain_once(self) -> None:
        """After A into B and B into C, A names the first merge, B both, C the second."""
        book = self.book(SETTINGS)
        book.register_many([_draft(last_name=name) for name in ("A", "B", "C")])
        first = book.merge(2, [1]).record
        second = book.merge(3, [2]).record
        assert ([first], [first, second], [second]) == (
            book.merge_history(1),
            book.merge_history(2),
            book.merge_history(3),
        )

    def test_a_merge_chain_resolves_to_its_end_and_keeps_the_first_pointer(self) -> None:
        """After A into B and B into C, A resolves to C while its tombstone still names B."""
        book = self.book(SETTINGS)
        book.register_many([_draft(last_name=name) for name in ("A", "B", "C")])
        book.merge(2, [1])
        book.merge(3, [2])
        assert (3, 2) == (book.resolve(1).number, book.get(1).merged_into)

    def test_merge_records_keep_no_personal_data(self) -> None:
        """No personal value of a merged customer appears in the merge history."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Meister")
        duplicate = book.register(**attrs.asdict(_full_draft(), recurse=False))
        report = book.merge(1, [duplicate.number], actor="u-17")
        history = repr((report.record, book.merge_history(), book.merge_history(2)))
        assert [] == [value for value in _personal_values(duplicate) if value in history]

    def test_a_merge_leaves_no_personal_value_of_the_duplicate_in_the_store(self) -> None:
        """Without ``fill_blanks`` nothing personal of the duplicate survives, audit included.

        The change history is the exception by design: it keeps the duplicate's past values
        as part of the master's history until the master is anonymized (HistoryContract)."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Meister")
        duplicate = book.register(**attrs.asdict(_full_draft(), recurse=False))
        book.request_erasure(2, TODAY)
        book.merge(1, [2], actor="u-17")
        everything = repr(attrs.evolve(self.snapshot(), history=()))
        assert [] == [value for value in _personal_values(duplicate) if value in everything]

    def test_a_merge_into_itself_changes_neither_audit_nor_requests(self) -> None:
        """A refused merge writes no record and moves no erasure request."""
        book = self.audited_book()
        self.assert_refused(MergeRefusedError, lambda: book.merge(2, [2], actor="u-2"))

    def test_a_merge_of_a_tombstone_changes_neither_audit_nor_requests(self) -> None:
        """A merge naming a tombstone beside a valid duplicate writes and moves nothing."""
        book = self.audited_book()
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2, 4], actor="u-2"))

    def test_a_merge_of_an_unknown_duplicate_changes_neither_audit_nor_requests(self) -> None:
        """A merge naming an unknown customer beside a valid one writes and moves nothing."""
        book = self.audited_book()
        self.assert_refused(CustomerNotFoundError, lambda: book.merge(1, [2, 9], actor="u-2"))

    def test_a_template_merge_into_another_kind_changes_neither_audit_nor_requests(self) -> None:
        """A merge refused for the template customer writes and moves nothing."""
        book = self.audited_book()
        book.update_kind_settings(PRIVATE, template_customer=2)
        self.assert_refused(MergeRefusedError, lambda: book.merge(3, [2], actor="u-2"))

    def test_a_merge_into_an_anonymized_master_changes_neither_audit_nor_requests(self) -> None:
        """A merge into an anonymized master writes and moves nothing."""
        book = self.audited_book()
        book.anonymize(1, AGENCY)
        self.assert_refused(MergeRefusedError, lambda: book.merge(1, [2], actor="u-2"))

    def test_a_merge_by_an_empty_actor_is_refused(self) -> None:
        """An actor that is empty text is refused; nothing is changed."""
        book = self.audited_book()
        self.assert_refused(InvalidInputError, lambda: book.merge(1, [2], actor=""))

    def test_a_merge_by_an_actor_longer_than_100_characters_is_refused(self) -> None:
        """An actor of 101 characters is refused; nothing is changed."""
        book = self.audited_book()
        self.assert_refused(InvalidInputError, lambda: book.merge(1, [2], actor="u" * 101))
