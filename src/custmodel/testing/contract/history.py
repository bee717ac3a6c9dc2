"""The change history: the entries every operation writes, reading them, and their erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest

from custmodel.book import CustomerBook
from custmodel.errors import (
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidCategoryError,
    InvalidInputError,
)
from custmodel.model import (
    CustomerType,
    FieldChange,
    HistoryAction,
    HistoryEntry,
    HistoryQuery,
    HistoryStamp,
    MarketingChoiceKind,
    Selection,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    NOW,
    PRIVATE,
    PROSPECT,
    SETTINGS,
    TODAY,
    _Abort,
    _booking,
    _customer,
    _draft,
    _full_draft,
    _personal_values,
    fixed_clock,
)
from custmodel.testing.snapshots import history_without_ids

__all__ = ["HistoryContract"]

A = HistoryAction

#: An entry as the tests compare it: action, customer, actor, changes as (field, old, new),
#: related customers, count, reference and flag.
Brief = tuple[Any, ...]


def _brief(entry: HistoryEntry) -> Brief:
    return (
        entry.action,
        entry.customer,
        entry.actor,
        [(c.field, c.old, c.new) for c in entry.changes],
        entry.related,
        entry.count,
        entry.reference,
        entry.flag,
    )


def _briefs(entries: Sequence[HistoryEntry]) -> list[Brief]:
    return [_brief(e) for e in entries]


def _entry(
    action: HistoryAction,
    customer: int | None,
    changes: Sequence[tuple[str, str | None, str | None]] = (),
    *,
    actor: str | None = "anna",
    related: tuple[int, ...] = (),
    count: int | None = None,
    reference: str | None = None,
    flag: int | None = None,
) -> Brief:
    return (action, customer, actor, list(changes), related, count, reference, flag)


#: What registering ``_draft()`` with SETTINGS records for customer 1.
_REGISTERED_1 = _entry(
    A.REGISTERED,
    1,
    [
        ("kind", None, "private"),
        ("customer_type", None, "walk_in"),
        ("debtor_account", None, "10001"),
        ("last_name", None, "Muster"),
    ],
)


class HistoryContract(_ContractBase):
    """Every change writes its entries in its transaction; anonymization erases what is
    personal in them; the history reads back in order, page by page, on every store."""

    __test__: ClassVar[bool] = False

    def history_book(self, actor: str | None = "anna", **fields: Any) -> CustomerBook:
        """A book acting for ``actor`` with SETTINGS and customer 1 (``_draft(**fields)``)."""
        book = CustomerBook(self.store, SETTINGS, clock=fixed_clock, actor=actor)
        book.register_many([_draft(**fields)])
        return book

    def last(self, book: CustomerBook, number: int, count: int = 1) -> list[Brief]:
        """The last ``count`` entries of customer ``number``'s history."""
        return _briefs(book.history(number)[-count:])

    def everything(self) -> list[HistoryEntry]:
        """Every entry of the store, read through the port."""
        with self.store.transaction(write=False) as tx:
            return tx.history(HistoryQuery())

    # -- what each operation records --------------------------------------------------------------

    def test_history_register_records_the_registration_without_copying_its_values(self) -> None:
        """A registration's entry says who registered the customer and when, and copies none
        of its values: the record holds them until the first change, whose entry keeps them as
        old values."""
        book = self.history_book(first_name="Eva", email="eva@example.org", status=[2])
        [entry] = book.history(1)
        assert (NOW, None, None) == (entry.at, entry.operation, entry.erased_at)
        assert [_entry(A.REGISTERED, 1, [])] == _briefs([entry])
        book.update(attrs.evolve(book.get(1), first_name="Eve"))
        assert [_entry(A.UPDATED, 1, [("first_name", "Eva", "Eve")])] == self.last(book, 1)

    def test_history_register_many_records_one_entry_per_customer(self) -> None:
        """Registering two more drafts writes two entries, in number order."""
        book = self.history_book()
        book.register_many([_draft(last_name="Zwei"), _draft(CORPORATE, last_name="Drei")])
        assert [(A.REGISTERED, 2, "anna"), (A.REGISTERED, 3, "anna")] == [
            (e.action, e.customer, e.actor) for e in self.everything()[-2:]
        ]

    def test_history_update_records_old_and_new_value_of_each_changed_field(self) -> None:
        """An update's entry names the fields it changed, with both values; an update that
        changes nothing writes no entry."""
        book = self.history_book(city="Köln")
        stored = book.update(attrs.evolve(book.get(1), city="Berlin", phone="0711 1"))
        book.update(stored)
        assert [
            _entry(A.UPDATED, 1, [("city", "Köln", "Berlin"), ("phone", "", "0711 1")])
        ] == self.last(book, 1)
        assert 2 == len(book.history(1))

    def test_history_change_kind_records_what_was_dropped(self) -> None:
        """A kind change records the new kind, the category and flags it dropped."""
        book = self.history_book(category="B", status=[1, 3])
        book.change_kind(1, CORPORATE)
        assert [
            _entry(
                A.KIND_CHANGED,
                1,
                [
                    ("kind", "private", "corporate"),
                    ("category", "B", None),
                    ("status.1", "on", "off"),
                    ("status.3", "on", "off"),
                ],
            )
        ] == self.last(book, 1)

    def test_history_change_kind_of_a_renumbered_prospect_records_its_debtor_account(self) -> None:
        """A prospect renumbered by its kind change has its old and new account recorded."""
        book = self.history_book()
        book.update_kind_settings(PROSPECT, renumber_on_kind_change=True)
        book.register_many([_draft(PROSPECT)])
        change = book.change_kind(2, PRIVATE)
        assert [
            _entry(
                A.KIND_CHANGED,
                2,
                [
                    ("kind", "prospect", "private"),
                    ("debtor_account", str(change.old_debtor_account), "10002"),
                ],
            )
        ] == self.last(book, 2)

    def test_history_change_type_records_the_old_and_new_type(self) -> None:
        """A type change writes a TYPE_CHANGED entry."""
        book = self.history_book()
        book.change_type(1, CustomerType.REGULAR)
        assert [_entry(A.TYPE_CHANGED, 1, [("customer_type", "walk_in", "regular")])] == self.last(
            book, 1
        )

    def _status_population(self, book: CustomerBook) -> None:
        """Customers 2 (flag 2 set), 3 and 4, all named Meier, and 5 named Schulz."""
        book.register_many(
            [
                _draft(last_name="Meier", status=[2]),
                _draft(last_name="Meier"),
                _draft(CORPORATE, last_name="Meier"),
                _draft(last_name="Schulz"),
            ]
        )

    def test_history_set_status_records_the_run_and_each_customer_it_changed(self) -> None:
        """Setting a flag on a selection writes one summary (selection, flag, count) and one
        entry per customer changed, sharing the run's key; none for customer 2, whose flag
        was set already, nor for customers outside the selection."""
        book = self.history_book()
        self._status_population(book)
        selection = Selection(name="Meier")
        assert 2 == book.set_status(selection, 2)
        summary = book.settings_history()[-1]
        entries = [e for e in self.everything() if e.operation is not None]
        assert (
            _entry(A.STATUS_SET_ON_SELECTION, None, count=2, flag=2),
            selection,
            NOW,
        ) == (_brief(summary), summary.selection, summary.at)
        assert [
            _entry(A.STATUS_SET, number, [("status.2", "off", "on")], flag=2) for number in (3, 4)
        ] == sorted(_briefs(entries[:-1]), key=lambda b: b[1])
        assert _brief(summary) == _brief(entries[-1])
        assert {summary.operation} == {e.operation for e in entries}
        assert [1, 1, 2, 2, 1] == [len(book.history(n)) for n in (1, 2, 3, 4, 5)]

    def test_history_clearing_a_flag_records_the_run_and_each_customer_it_changed(self) -> None:
        """Clearing writes STATUS_CLEARED_ON_SELECTION and STATUS_CLEARED entries."""
        book = self.history_book()
        self._status_population(book)
        assert 1 == book.acting("bert").set_status(Selection(name="Meier"), 2, on=False)
        assert [
            _entry(A.STATUS_CLEARED, 2, [("status.2", "on", "off")], actor="bert", flag=2)
        ] == self.last(book, 2)
        assert [
            _entry(A.STATUS_CLEARED_ON_SELECTION, None, actor="bert", count=1, flag=2)
        ] == _briefs(book.settings_history()[-1:])

    def test_history_two_runs_have_two_keys(self) -> None:
        """Each bulk run writes its own key into its entries."""
        book = self.history_book()
        self._status_population(book)
        book.set_status(None, 1)
        book.set_status(None, 1, on=False)
        runs = {e.operation for e in self.everything() if e.operation is not None}
        assert 2 == len(runs)

    def test_history_bookings_record_their_capture_change_and_move(self) -> None:
        """Recording a booking writes BOOKING_RECORDED with its fields, a change
        BOOKING_CHANGED with the old and new value, a move an entry for each customer."""
        book = self.history_book()
        book.register_many([_draft(last_name="Zwei")])
        book.record_booking(_booking("B-1", 1))
        book.update_booking("B-1", open_amount=Decimal("5.00"))
        book.move_booking("B-1", 2)
        departure = (TODAY - timedelta(days=400)).isoformat()
        assert [
            _entry(
                A.BOOKING_RECORDED,
                1,
                [
                    ("kind", None, "booking"),
                    ("departure", None, departure),
                    ("point_of_sale", None, AGENCY),
                    ("channel", None, "name=own is_external=false"),
                    ("open_amount", None, "0.00"),
                ],
                reference="B-1",
            ),
            _entry(A.BOOKING_CHANGED, 1, [("open_amount", "0.00", "5.00")], reference="B-1"),
            _entry(A.BOOKING_MOVED_OUT, 1, related=(2,), reference="B-1"),
        ] == self.last(book, 1, 3)
        assert [_entry(A.BOOKING_MOVED_IN, 2, related=(1,), reference="B-1")] == self.last(book, 2)

    def test_history_a_prospect_converted_by_its_first_firm_booking_records_its_new_kind(
        self,
    ) -> None:
        """The conversion at the first firm booking is a KIND_CHANGED entry before the
        booking's."""
        book = self.history_book(kind=PROSPECT)
        book.record_booking(_booking("B-1", 1))
        assert [
            (A.KIND_CHANGED, [("kind", "prospect", "private")]),
            (A.BOOKING_RECORDED, None),
        ] == [(b[0], b[3] if b[0] is A.KIND_CHANGED else None) for b in self.last(book, 1, 2)]

    def test_history_merge_records_the_master_and_each_duplicate(self) -> None:
        """A merge writes MERGED for the master (its duplicates related, the bookings moved
        counted, its fields filled) and MERGED_INTO for each duplicate; the duplicates'
        histories become part of the master's, each entry naming its customer."""
        book = self.history_book(actor=None)
        book.register_many([_draft(last_name="Maier", city="Ulm"), _draft(last_name="Mayr")])
        book.record_booking(_booking("B-2", 2))
        book.merge(1, [2, 3], fill_blanks=True, actor="carla")
        master = book.history(1)
        assert [
            _entry(
                A.MERGED_INTO,
                2,
                [
                    ("last_name", "Maier", ""),
                    ("city", "Ulm", ""),
                    ("merged_into", None, "1"),
                ],
                actor="carla",
                related=(1,),
            ),
            _entry(
                A.MERGED_INTO,
                3,
                [("last_name", "Mayr", ""), ("merged_into", None, "1")],
                actor="carla",
                related=(1,),
            ),
            _entry(A.MERGED, 1, [("city", "", "Ulm")], actor="carla", related=(2, 3), count=1),
        ] == _briefs(master[-3:])
        assert [1, 2, 3, 2] == [
            e.customer for e in master if e.action in (A.REGISTERED, A.BOOKING_RECORDED)
        ]
        assert master == book.history(2) == book.history(3)

    def test_history_anonymize_records_the_anonymization_without_any_value(self) -> None:
        """The ANONYMIZED entry says who anonymized the customer and when; it lists no field:
        every personal field was replaced, and what they held is kept nowhere."""
        book = self.history_book(city="Köln", status=[2])
        book.anonymize(1, AGENCY)
        assert [_entry(A.ANONYMIZED, 1, [])] == self.last(book, 1)
        assert NOW == book.history(1)[-1].at

    def test_settings_changes_are_the_books_own_history(self) -> None:
        """configure, update_settings, update_kind_settings and rename_status_label write
        entries without a customer, named by the settings' paths; a label change alone is
        LABEL_CHANGED."""
        book = self.history_book()
        book.update_settings(anonymization_delay_days=30)
        book.update_kind_settings(PRIVATE, dunning_fee=Decimal("7.50"))
        book.rename_status_label(PRIVATE, 5, "Neu")
        book.rename_status_label(PRIVATE, 5, None)
        book.configure(SETTINGS)
        book.update_settings(anonymization_delay_days=30)
        entries = book.settings_history()
        assert (A.SETTINGS_CHANGED, "anna") == (entries[0].action, entries[0].actor)
        assert FieldChange("kinds.private.status_labels.3", None, "VIP") in entries[0].changes
        assert [
            _entry(
                A.SETTINGS_CHANGED,
                None,
                [
                    (
                        "anonymization_delay_days",
                        str(SETTINGS.anonymization_delay_days),
                        "30",
                    )
                ],
            ),
            _entry(A.SETTINGS_CHANGED, None, [("kinds.private.dunning_fee", "0.00", "7.50")]),
            _entry(A.LABEL_CHANGED, None, [("kinds.private.status_labels.5", None, "Neu")]),
            _entry(A.LABEL_CHANGED, None, [("kinds.private.status_labels.5", "Neu", None)]),
            _entry(
                A.SETTINGS_CHANGED,
                None,
                [
                    ("anonymization_delay_days", "30", str(SETTINGS.anonymization_delay_days)),
                    ("kinds.private.dunning_fee", "7.50", "0.00"),
                ],
            ),
            _entry(
                A.SETTINGS_CHANGED,
                None,
                [("anonymization_delay_days", str(SETTINGS.anonymization_delay_days), "30")],
            ),
        ] == _briefs(entries[1:])

    def test_history_objections_to_advertising_record_the_channels(self) -> None:
        """An objection or consent that changes the customer's objections writes an
        ADVERTISING_CHANGED entry."""
        book = self.history_book()
        book.object_to_advertising(1, ["letter", "email"], given_on=TODAY, source="Brief")
        book.record_marketing_choice(
            1, ["email"], MarketingChoiceKind.CONSENT, given_on=TODAY, source="Web"
        )
        assert [
            _entry(A.ADVERTISING_CHANGED, 1, [("advertising_objections", "", "email, letter")]),
            _entry(
                A.ADVERTISING_CHANGED, 1, [("advertising_objections", "email, letter", "letter")]
            ),
        ] == self.last(book, 1, 2)

    # -- refusals write nothing ------------------------------------------------------------------

    def test_history_a_refused_operation_writes_no_entry(self) -> None:
        """Bad input, an unknown customer, a stale version: no entry is written."""
        book = self.history_book()
        stale = book.get(1)
        book.update(attrs.evolve(stale, city="Ulm"))
        before = self.everything()
        with pytest.raises(InvalidCategoryError):
            book.register(PRIVATE, "Neu", category="Z")
        with pytest.raises(CustomerNotFoundError):
            book.change_type(99, CustomerType.REGULAR)
        with pytest.raises(InvalidInputError):
            book.set_status(None, 0)
        with pytest.raises(ConcurrentUpdateError):
            book.update(attrs.evolve(stale, city="Bonn"))
        assert before == self.everything()

    def test_history_a_refused_batch_leaves_no_entry(self) -> None:
        """register_many whose second draft is refused stores neither customer nor entry."""
        book = self.history_book()
        book.update_kind_settings(PRIVATE, debtor_max=10002)
        before = self.snapshot()
        with pytest.raises(DebtorAccountError):
            book.register_many([_draft(last_name="Zwei"), _draft(last_name="Drei")])
        assert before == self.snapshot()

    def test_history_a_refusal_after_the_entries_are_written_leaves_none(self) -> None:
        """An anonymization whose host eraser fails last, after the customer, its entry and
        the erasure of its history were written, leaves all of them as they were."""
        book = self.history_book(city="Köln")

        def refuse(_customers: frozenset[int]) -> int:
            raise _Abort

        self.add_host_eraser("letters", refuse)
        before = self.snapshot()
        with pytest.raises(_Abort):
            book.anonymize(1, AGENCY)
        assert before == self.snapshot()

    # -- who: the actor -----------------------------------------------------------------------

    def test_history_the_actor_is_the_books_or_the_acting_copys(self) -> None:
        """Entries name the book's actor; ``acting`` gives a book for another, which leaves
        the first as it was (a merge's own actor: see the merge test)."""
        book = self.history_book(actor="anna")
        bert = book.acting("bert")
        bert.change_type(1, CustomerType.REGULAR)
        book.change_type(1, CustomerType.WALK_IN)
        book.acting(None).update(attrs.evolve(book.get(1), city="Ulm"))
        assert ("anna", "bert") == (book.actor, bert.actor)
        assert ["anna", "bert", "anna", None] == [e.actor for e in book.history(1)]

    def test_history_an_actor_is_one_line_of_at_most_100_characters(self) -> None:
        """A blank, multi-line or too long actor is refused before anything is written."""
        for actor in ("", " ", "a\nb", "x" * 101, 7):
            with pytest.raises(InvalidInputError):
                CustomerBook(self.store, actor=actor)  # type: ignore[arg-type]
            with pytest.raises(InvalidInputError):
                self.book().acting(actor)  # type: ignore[arg-type]

    # -- reading ----------------------------------------------------------------------------------

    def test_history_reads_page_by_page(self) -> None:
        """``after`` the last id read and ``limit`` give the history in pages; iter_history
        gives every entry, of one customer or of the whole store, in order."""
        book = self.history_book()
        for city in ("A", "B", "C", "D"):
            book.update(attrs.evolve(book.get(1), city=city))
        whole = book.history(1)
        first = book.history(1, limit=2)
        second = book.history(1, after=first[-1].id, limit=2)
        rest = book.history(1, after=second[-1].id)
        ids = [e.id for e in whole]
        assert (5, ids) == (len(whole), sorted(ids))
        assert whole == first + second + rest
        assert [] == book.history(1, after=whole[-1].id)
        assert whole == list(book.iter_history(1, batch_size=2))
        assert self.everything() == list(book.iter_history(batch_size=3))
        book_entries = book.settings_history()
        assert book_entries[1:] == book.settings_history(after=book_entries[0].id, limit=9)

    def test_history_of_an_unknown_customer_is_refused(self) -> None:
        """history(n) of a number never registered raises CustomerNotFoundError."""
        book = self.history_book()
        with pytest.raises(CustomerNotFoundError):
            book.history(2)

    # -- the switch ------------------------------------------------------------------------------

    def test_a_book_without_history_writes_no_entry_but_still_erases(self) -> None:
        """CustomerBook(history=False) records nothing, and its anonymization still removes
        the personal values of the entries written before."""
        recorded = self.history_book(city="Köln")
        recorded.update(attrs.evolve(recorded.get(1), city="Fräulingen"))
        quiet = CustomerBook(self.store, clock=fixed_clock, history=False)
        before = self.everything()
        quiet.register_many([_draft(last_name="Still")])
        quiet.update(attrs.evolve(quiet.get(1), city="Ulm"))
        quiet.set_status(None, 1)
        assert before == self.everything()
        quiet.anonymize(1, AGENCY)
        [_, entry] = recorded.history(1)
        assert ("Fräulingen" not in repr(entry), NOW) == (True, entry.erased_at)

    # -- erasure ----------------------------------------------------------------------------------

    def _erasure_book(self) -> tuple[CustomerBook, list[str]]:
        """Customer 1 fully filled, updated, in a run selected by its name and code1,
        duplicate 2 (also fully filled) merged into it. Returns the personal values."""
        book = CustomerBook(self.store, SETTINGS, clock=fixed_clock, actor="anna")
        book.register_many([_full_draft(), attrs.evolve(_full_draft(), email="dup@example.org")])
        values = _personal_values(book.get(1)) + _personal_values(book.get(2))
        book.update(attrs.evolve(book.get(1), city="Zwischenort"))
        book.update(attrs.evolve(book.get(1), city="Fräulingen"))
        book.set_status(Selection(name="Qwertzbäck", code1="Q-7731"), 1)
        book.set_status(Selection(code2="Z-9942"), 3)
        book.merge(1, [2])
        return book, [*values, "Zwischenort"]

    def test_anonymize_erases_every_personal_value_from_the_history(self) -> None:
        """After anonymizing the master, no entry of its history (its duplicate's included)
        nor a summary of a run that changed it holds a personal value; the fields' names,
        times and actors stay, and every erased entry says when."""
        book, values = self._erasure_book()
        before = book.history(1)
        book.anonymize(1, AGENCY)
        after = book.history(1)
        text = repr((after, book.settings_history()))
        assert [] == [v for v in values if v in text]
        assert [(e.id, e.at, e.actor, e.action, [c.field for c in e.changes]) for e in before] == [
            (e.id, e.at, e.actor, e.action, [c.field for c in e.changes]) for e in after[:-1]
        ]
        assert {NOW} == {e.erased_at for e in after[:-1] if any(c.personal for c in e.changes)}

    def test_history_anonymize_erases_the_selection_of_the_runs_that_changed_the_customer(
        self,
    ) -> None:
        """A run's summary loses its name and code filters (the other filters stay) once a
        customer it changed is anonymized; a run that did not change it keeps them."""
        book, _values = self._erasure_book()
        book.register_many([_draft(last_name="Other", code1="O-1")])
        book.set_status(Selection(code1="O-1"), 2)
        book.anonymize(1, AGENCY)
        runs = [e for e in book.settings_history() if e.selection is not None]
        assert [
            (Selection(), 1, NOW),
            (Selection(), 3, NOW),
            (Selection(code1="O-1"), 2, None),
        ] == [(e.selection, e.flag, e.erased_at) for e in runs]

    def test_history_the_sweep_erases_the_histories_it_anonymizes(self) -> None:
        """anonymize_due writes the ANONYMIZED entry and erases the history as anonymize."""
        book, values = self._erasure_book()
        book.request_erasure(1, TODAY - timedelta(days=40))
        assert (1,) == book.anonymize_due(AGENCY).customers
        text = repr((book.history(1), book.settings_history()))
        assert ([], A.ANONYMIZED) == ([v for v in values if v in text], book.history(1)[-1].action)

    def test_history_a_sweep_writes_each_customer_its_own_anonymized_entry(self) -> None:
        """Customers anonymized by one sweep at one time get one ANONYMIZED entry each, with
        their own number, the sweep's time and actor; a customer left alone gets none."""
        book = self.history_book(city="Köln")
        book.register_many([_draft(last_name=name) for name in ("Zwei", "Drei", "Vier")])
        for number in (1, 2, 4):
            book.request_erasure(number, TODAY - timedelta(days=40))
        assert (1, 2, 4) == book.anonymize_due(AGENCY).customers
        last = {n: book.history(n)[-1] for n in (1, 2, 3, 4)}
        assert [(A.ANONYMIZED, n, "anna", NOW) for n in (1, 2, 4)] == [
            (last[n].action, last[n].customer, last[n].actor, last[n].at) for n in (1, 2, 4)
        ]
        assert A.REGISTERED == last[3].action

    def test_history_anonymizing_a_customer_leaves_the_others_histories(self) -> None:
        """Another customer's entries keep their values."""
        book = self.history_book(city="Köln")
        book.register_many([_draft(last_name="Zwei", city="Bonn")])
        before = book.history(2)
        book.anonymize(1, AGENCY)
        assert before == book.history(2)

    # -- the port directly ------------------------------------------------------------------------

    def _port_entries(self) -> list[HistoryEntry]:
        return [
            HistoryEntry(
                at=NOW,
                action=A.UPDATED,
                customer=1,
                actor="anna",
                changes=[FieldChange("city", "Köln", "Bonn"), FieldChange("kind", "a", "b")],
            ),
            HistoryEntry(
                at=NOW,
                action=A.STATUS_SET_ON_SELECTION,
                selection=Selection(name="Köln", kind=PRIVATE),
                flag=3,
                count=1,
                operation=7,
            ),
            HistoryEntry(
                at=NOW,
                action=A.STATUS_SET,
                customer=2,
                changes=[FieldChange("status.3", "off", "on")],
                flag=3,
                operation=7,
            ),
            HistoryEntry(
                at=NOW, action=A.BOOKING_MOVED_IN, customer=2, reference="B-1", related=[1]
            ),
        ]

    def test_port_add_history_gives_running_ids_and_keeps_the_rest(self) -> None:
        """add_history stores the entries in order with growing ids; history returns them
        exactly."""
        self.insert(_customer(1), _customer(2))
        entries = self._port_entries()
        with self.store.transaction() as tx:
            tx.add_history(entries[:2])
            tx.add_history(entries[2:])
        stored = self.everything()
        ids = [e.id for e in stored]
        assert (ids, True) == (sorted(set(ids)), ids[0] > 0)
        assert entries == [attrs.evolve(e, id=0) for e in stored]

    def test_port_add_history_refuses_an_unknown_customer(self) -> None:
        """An entry of a customer not stored is refused; nothing of the batch is stored."""
        self.insert(_customer(1))
        with pytest.raises(CustomerNotFoundError), self.store.transaction() as tx:
            tx.add_history(self._port_entries()[:3])
        assert [] == self.everything()

    def test_port_add_history_keeps_runs_of_like_entries_in_order(self) -> None:
        """Entries equal but for their customers (what a sweep's batch writes), among others,
        out of customer order and with personal values, are stored in order and read back
        exactly, in a transaction that read some of their customers first."""
        self.insert(*(_customer(n) for n in range(1, 6)))
        city = (FieldChange("city", "Köln", "Bonn"),)
        entries = [
            *(HistoryEntry(at=NOW, action=A.ANONYMIZED, customer=n) for n in (1, 2, 3)),
            HistoryEntry(at=NOW, action=A.UPDATED, customer=2, changes=city),
            *(HistoryEntry(at=NOW, action=A.UPDATED, customer=n, changes=city) for n in (4, 5)),
            *(HistoryEntry(at=NOW, action=A.UPDATED, customer=n, changes=city) for n in (3, 1)),
            HistoryEntry(at=NOW, action=A.SETTINGS_CHANGED, changes=city),
            *(
                HistoryEntry(at=NOW, action=A.MERGED_INTO, customer=n, related=[1], actor="x")
                for n in (2, 4, 5)
            ),
            HistoryEntry(at=NOW, action=A.ANONYMIZED, customer=5),
        ]
        with self.store.transaction() as tx:
            tx.get_customers([1, 4])
            tx.add_history(entries)
        stored = self.everything()
        ids = [e.id for e in stored]
        assert (ids, True) == (sorted(set(ids)), ids[0] > 0)
        assert entries == [attrs.evolve(e, id=0) for e in stored]
        with self.store.transaction() as tx:
            erased = tx.erase_history([4], NOW)
        changed = [e for e in self.everything() if e.erased_at is not None]
        assert (1, [(4, A.UPDATED, (FieldChange("city"),))]) == (
            erased,
            [(e.customer, e.action, e.changes) for e in changed],
        )

    def test_port_add_history_refuses_an_unknown_customer_in_a_run(self) -> None:
        """An unknown customer among like entries is refused; nothing of the batch is
        stored."""
        self.insert(_customer(1), _customer(2))
        entries = [HistoryEntry(at=NOW, action=A.ANONYMIZED, customer=n) for n in (1, 2, 3)]

        def read_then_add() -> None:
            with self.store.transaction() as tx:
                tx.get_customers([1, 2])
                tx.add_history(entries)

        with pytest.raises(CustomerNotFoundError):
            read_then_add()
        assert [] == self.everything()

    def test_port_history_selects_customers_the_book_and_pages(self) -> None:
        """A query by customers, the book's entries, ``after`` and ``limit``."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            tx.add_history(self._port_entries())
        every = self.everything()
        with self.store.transaction(write=False) as tx:
            found = [
                tx.history(HistoryQuery(customers=[2])),
                tx.history(HistoryQuery(customers=[1, 2], limit=2)),
                tx.history(HistoryQuery(book=True)),
                tx.history(HistoryQuery(after=every[1].id)),
                tx.history(HistoryQuery(customers=[3])),
            ]
        assert [every[2:], [every[0], every[2]], [every[1]], every[2:], []] == found

    def test_port_move_history_makes_a_history_part_of_another(self) -> None:
        """After move_history(from, to), the entries of ``from`` are read with ``to``'s,
        keeping their customer; ``from`` has none left."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            tx.add_history(self._port_entries())
            moved = tx.move_history([2], 1)
        every = self.everything()
        with self.store.transaction(write=False) as tx:
            found = (
                tx.history(HistoryQuery(customers=[1])),
                tx.history(HistoryQuery(customers=[2])),
            )
        assert (2, (every[0:1] + every[2:], [])) == (moved, found)

    def test_port_erase_history_removes_personal_values(self) -> None:
        """erase_history removes the personal values of the customers' histories and the
        personal filters of the runs that changed them, sets erased_at and counts."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            tx.add_history(self._port_entries())
        later = NOW + timedelta(hours=1)
        with self.store.transaction() as tx:
            erased = [tx.erase_history([1], later), tx.erase_history([2], later)]
        every = self.everything()
        assert [1, 2] == erased
        assert (FieldChange("city"), FieldChange("kind", "a", "b"), later) == (
            *every[0].changes,
            every[0].erased_at,
        )
        assert (Selection(kind=PRIVATE), later) == (every[1].selection, every[1].erased_at)
        assert (FieldChange("status.3"), later) == (every[2].changes[0], every[2].erased_at)
        assert (None, self._port_entries()[3]) == (every[3].erased_at, attrs.evolve(every[3], id=0))

    def test_history_port_set_status_with_a_stamp_writes_each_customers_entry(self) -> None:
        """set_status(..., history=stamp) writes an entry for every customer it changed."""
        self.insert(_customer(1), _customer(2, status=[4]), _customer(3))
        stamp = HistoryStamp(at=NOW, operation=11, actor="batch")
        with self.store.transaction() as tx:
            changed = tx.set_status(Selection(), 4, True, NOW, stamp)
        expected = [
            HistoryEntry(
                at=NOW,
                action=A.STATUS_SET,
                customer=n,
                actor="batch",
                changes=[FieldChange("status.4", "off", "on")],
                operation=11,
                flag=4,
            )
            for n in (1, 3)
        ]
        assert (2, expected) == (changed, [attrs.evolve(e, id=0) for e in self.everything()])

    def test_port_history_writes_are_rolled_back_with_their_transaction(self) -> None:
        """Entries added, moved and erased in a transaction that raises are not kept."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            tx.add_history(self._port_entries())
        before = self.everything()

        def write_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.add_history(self._port_entries())
                tx.move_history([2], 1)
                tx.erase_history([1], NOW)
                tx.set_status(Selection(), 5, True, NOW, HistoryStamp(at=NOW, operation=9))
                raise _Abort

        with pytest.raises(_Abort):
            write_then_fail()
        with self.store.transaction(write=False) as tx:
            owned = tx.history(HistoryQuery(customers=[2]))
        assert (before, before[2:]) == (self.everything(), owned)
        assert history_without_ids(before) == history_without_ids(self.everything())
