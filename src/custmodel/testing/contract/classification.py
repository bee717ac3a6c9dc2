"""Classification: kinds, types, categories, status flags and codes (R1-R4), and updates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import attrs
import pytest

from custmodel.book import CustomerBook
from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidCategoryError,
    InvalidInputError,
    InvalidStatusFlagError,
    TemplateCustomerError,
)
from custmodel.model import (
    CustomerType,
    Selection,
    StatusFlags,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    AGENCY_KIND,
    CORPORATE,
    NOW,
    OFFER,
    PRIVATE,
    PROSPECT,
    SETTINGS,
    _booking,
    _clock_at,
    _converted,
    _customer,
    _draft,
    _numbers,
)

__all__ = ["ClassificationContract"]


class ClassificationContract(_ContractBase):
    """Customers are classified, reclassified and updated under the kind's rules."""

    __test__: ClassVar[bool] = False

    # -- Code1 (R3) ---------------------------------------------------------------------------

    def register_codes(self, *codes: str) -> CustomerBook:
        """Register one private customer per Code1 value, numbered in the order given."""
        book = self.book(SETTINGS)
        book.register_many(_draft(code1=code) for code in codes)
        return book

    def test_find_by_code1_returns_exact_matches_ordered_by_number(self) -> None:
        """find_by_code1 returns every customer with exactly that Code1, by number."""
        book = self.register_codes("K-100", "K-1000", "K-100", "X")
        assert [1, 3] == _numbers(book.find_by_code1("K-100"))

    def test_find_by_code1_is_not_a_prefix_search(self) -> None:
        """A Code1 that only starts with the text is not found."""
        book = self.register_codes("K-100", "K-10")
        assert [2] == _numbers(book.find_by_code1("K-10"))

    def test_find_by_code1_is_case_sensitive(self) -> None:
        """Code1 "k-100" is not found by "K-100"."""
        book = self.register_codes("k-100", "K-100")
        assert [2] == _numbers(book.find_by_code1("K-100"))

    def test_find_by_code1_does_not_ignore_trailing_spaces(self) -> None:
        """Code1 "K-100 " is found only by "K-100 ", not by "K-100"."""
        book = self.register_codes("K-100 ", "K-100")
        assert ([2], [1]) == (
            _numbers(book.find_by_code1("K-100")),
            _numbers(book.find_by_code1("K-100 ")),
        )

    def test_find_by_code1_does_not_fold_accents(self) -> None:
        """Code1 "Ä-1" is not found by "A-1" or "ä-1"."""
        book = self.register_codes("Ä-1", "A-1", "ä-1")
        assert [1] == _numbers(book.find_by_code1("Ä-1"))

    def test_find_by_code1_takes_wildcards_literally(self) -> None:
        """A ``%`` or ``_`` in the text matches only itself."""
        book = self.register_codes("K-100", "K%", "K_100")
        assert ([], [2], [3]) == (
            _numbers(book.find_by_code1("K%00")),
            _numbers(book.find_by_code1("K%")),
            _numbers(book.find_by_code1("K_100")),
        )

    def test_find_by_code1_ignores_tombstones(self) -> None:
        """A merged duplicate is not found by its Code1, even if it still carries it."""
        self.insert(_customer(1, code1="T-1"))
        self.insert(_customer(2, code1="T-1", merged_into=1))
        assert [1] == _numbers(self.book().find_by_code1("T-1"))

    # -- status flags (R2) ----------------------------------------------------------------------

    def register_flagged(self) -> CustomerBook:
        """Private customers 1 (flag 1), 2 and 3 (no flags), corporate 4 (no flags)."""
        book = self.book(SETTINGS)
        book.register_many([_draft(status=[1]), _draft(), _draft(), _draft(CORPORATE, "Firma")])
        return book

    def test_set_status_counts_only_the_customers_it_changes(self) -> None:
        """Setting a flag reports only the customers that did not carry it yet."""
        book = self.register_flagged()
        assert 2 == book.set_status(Selection(kind=PRIVATE), 1)

    def test_set_status_sets_the_flag_on_every_selected_customer(self) -> None:
        """After setting, every selected customer carries the flag."""
        book = self.register_flagged()
        book.set_status(Selection(kind=PRIVATE), 2)
        assert [1, 2, 3] == _numbers(book.select(Selection(status_all=frozenset({2}))))

    def test_set_status_bumps_version_and_time_of_changed_customers_only(self) -> None:
        """Changed customers get version 2 and the clock's time; unchanged ones keep theirs."""
        book = self.register_flagged()
        later = NOW + timedelta(hours=1)
        self.book(clock=_clock_at(later)).set_status(Selection(kind=PRIVATE), 1)
        stamps = [(c.version, c.updated_at) for c in book.select(Selection(kind=PRIVATE))]
        assert [(1, NOW), (2, later), (2, later)] == stamps

    def test_clearing_a_flag_counts_only_its_carriers(self) -> None:
        """Clearing a flag reports only the customers that carried it."""
        book = self.register_flagged()
        assert 1 == book.set_status(Selection(), 1, on=False)
        assert [] == book.select(Selection(status_any=frozenset({1})))

    def test_set_status_on_an_empty_selection_changes_nothing(self) -> None:
        """A selection that selects nobody changes nothing and reports 0."""
        book = self.register_flagged()
        before = self.snapshot()
        assert 0 == book.set_status(Selection(kind=AGENCY_KIND), 1)
        assert before == self.snapshot()

    def test_set_status_refuses_a_flag_unlabelled_on_a_selected_kind(self) -> None:
        """Setting flag 3, labelled on PRIVATE but not on CORPORATE, on both is refused."""
        book = self.register_flagged()
        self.assert_refused(InvalidStatusFlagError, lambda: book.set_status(Selection(), 3))

    def test_set_status_accepts_a_flag_labelled_on_every_selected_kind(self) -> None:
        """Setting flag 3 on private customers only is accepted."""
        book = self.register_flagged()
        assert 3 == book.set_status(Selection(kind=PRIVATE), 3)

    def test_set_status_refuses_a_flag_number_outside_1_to_32(self) -> None:
        """Flag 33 is refused and nothing is changed."""
        book = self.register_flagged()
        self.assert_refused(InvalidStatusFlagError, lambda: book.set_status(Selection(), 33))

    def test_clearing_an_unlabelled_flag_is_allowed(self) -> None:
        """A flag whose label was deleted can still be cleared from customers."""
        book = self.register_flagged()
        book.rename_status_label(PRIVATE, 1, None)
        assert 1 == book.set_status(Selection(kind=PRIVATE), 1, on=False)

    def test_set_status_never_touches_anonymized_customers(self) -> None:
        """An anonymized customer is neither counted nor given the flag."""
        book = self.register_flagged()
        anonymized = book.anonymize(2, AGENCY).customer
        assert 1 == book.set_status(Selection(kind=PRIVATE), 1)
        assert anonymized == book.get(2)

    def test_set_status_never_touches_tombstones(self) -> None:
        """A merged duplicate is not given the flag, even when a selection includes it."""
        book = self.register_flagged()
        book.merge(2, [3])
        tombstone = book.get(3)
        assert 1 == book.set_status(Selection(kind=PRIVATE, include_merged=True), 1)
        assert tombstone == book.get(3)

    def test_set_status_selects_by_flags(self) -> None:
        """A selection by flag 1 sets flag 2 only on the carriers of flag 1."""
        book = self.register_flagged()
        assert 1 == book.set_status(Selection(status_all=frozenset({1})), 2)
        assert StatusFlags.of([1, 2]) == book.get(1).status

    def test_renaming_a_label_keeps_the_flags_on_customers(self) -> None:
        """Renaming a label changes no customer and reports the carriers of the flag."""
        book = self.book(SETTINGS)
        book.register_many([_draft(status=[1]), _draft(status=[1, 2]), _draft()])
        before = self.everyone()
        assert 2 == book.rename_status_label(PRIVATE, 1, "Prospekt")
        assert (before, "Prospekt") == (
            self.everyone(),
            book.settings.kind(PRIVATE).status_labels[1],
        )

    def test_deleting_a_label_keeps_the_flags_on_customers(self) -> None:
        """Deleting a label changes no customer and reports the carriers of the flag."""
        book = self.book(SETTINGS)
        book.register_many([_draft(status=[1]), _draft(status=[1, 2]), _draft()])
        before = self.everyone()
        assert 2 == book.rename_status_label(PRIVATE, 1, None)
        assert (before, None) == (self.everyone(), book.settings.kind(PRIVATE).label(1))

    def test_rename_status_label_counts_carriers_of_its_kind_only(self) -> None:
        """Carriers of the same flag number on another kind are not counted."""
        book = self.book(SETTINGS)
        book.register_many([_draft(status=[1]), _draft(CORPORATE, status=[1])])
        assert 1 == book.rename_status_label(CORPORATE, 1, "Rahmenvertrag 2027")

    def test_a_newly_labelled_flag_can_be_set(self) -> None:
        """Labelling flag 5 lets it be set on customers of that kind."""
        book = self.register_flagged()
        assert 0 == book.rename_status_label(PRIVATE, 5, "Kreuzfahrt")
        assert 3 == book.set_status(Selection(kind=PRIVATE), 5)

    # -- update (version check) ---------------------------------------------------------------

    def test_update_stores_the_changed_fields_with_the_next_version(self) -> None:
        """update stores the changes, stamps the clock's time and returns version 2."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        later = NOW + timedelta(minutes=5)
        changed = attrs.evolve(customer, email="eins@example.org", category="C", status=[3])
        updated = self.book(clock=_clock_at(later)).update(changed)
        expected = attrs.evolve(changed, version=2, updated_at=later)
        assert (expected, expected) == (updated, book.get(customer.number))

    def test_update_with_a_stale_version_raises_and_changes_nothing(self) -> None:
        """An update based on an old version raises ConcurrentUpdateError; nothing changes."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        book.update(attrs.evolve(customer, email="erster@example.org"))
        stale = attrs.evolve(customer, email="zweiter@example.org")
        self.assert_refused(ConcurrentUpdateError, lambda: book.update(stale))

    def test_update_refuses_a_kind_change(self) -> None:
        """update cannot change the kind; nothing is changed."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        changed = attrs.evolve(customer, kind=CORPORATE)
        self.assert_refused(InvalidInputError, lambda: book.update(changed))

    def test_update_refuses_a_debtor_account_change(self) -> None:
        """update cannot change the debtor account; nothing is changed."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        changed = attrs.evolve(customer, debtor_account=99999)
        self.assert_refused(InvalidInputError, lambda: book.update(changed))

    def test_update_refuses_a_category_outside_the_kinds_list(self) -> None:
        """update refuses a category of another kind; nothing is changed."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        changed = attrs.evolve(customer, category="Key account")
        self.assert_refused(InvalidCategoryError, lambda: book.update(changed))

    def test_update_refuses_to_set_an_unlabelled_flag(self) -> None:
        """update refuses a newly set flag without a label; nothing is changed."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins")
        changed = attrs.evolve(customer, status=[4])
        self.assert_refused(InvalidStatusFlagError, lambda: book.update(changed))

    def test_update_keeps_a_flag_whose_label_was_deleted(self) -> None:
        """A flag the customer carries may stay when its label is gone."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", status=[1])
        book.rename_status_label(PRIVATE, 1, None)
        updated = book.update(attrs.evolve(book.get(1), email="eins@example.org"))
        assert StatusFlags.of([1]) == updated.status

    def test_update_of_a_merged_customer_raises_already_merged(self) -> None:
        """A tombstone cannot be updated; nothing is changed."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        revived = attrs.evolve(book.get(2), last_name="Wieder da")
        self.assert_refused(AlreadyMergedError, lambda: book.update(revived))

    def test_update_of_an_anonymized_customer_is_refused(self) -> None:
        """An anonymized customer cannot be updated; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        anonymous = book.anonymize(1, AGENCY).customer
        changed = attrs.evolve(anonymous, last_name="Wieder da")
        self.assert_refused(AnonymizedCustomerError, lambda: book.update(changed))

    def test_update_of_an_unknown_customer_raises_customer_not_found(self) -> None:
        """update of a number nobody has raises CustomerNotFoundError."""
        book = self.book(SETTINGS)
        self.assert_refused(CustomerNotFoundError, lambda: book.update(_customer(1)))

    def test_update_keeps_the_name_search_in_step(self) -> None:
        """After a rename, the new name is found and the old one is not."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Altname")
        book.update(attrs.evolve(customer, last_name="Neuname"))
        assert ([], [1]) == (
            _numbers(book.select(Selection(name="altname"))),
            _numbers(book.select(Selection(name="NEUNAME"))),
        )

    def test_update_keeps_the_code1_index_in_step(self) -> None:
        """After a Code1 change, the new Code1 is found and the old one is not."""
        book = self.book(SETTINGS)
        customer = book.register(PRIVATE, "Eins", code1="ALT")
        book.update(attrs.evolve(customer, code1="NEU"))
        assert ([], [1]) == (
            _numbers(book.find_by_code1("ALT")),
            _numbers(book.find_by_code1("NEU")),
        )

    # -- kind and type changes (R1, R4) -------------------------------------------------------

    def test_change_kind_drops_a_category_the_new_kind_lacks(self) -> None:
        """Category "B" is not a CORPORATE category: it is dropped and reported."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", category="B")
        change = book.change_kind(1, CORPORATE)
        assert ("B", None, None) == (
            change.dropped_category,
            change.customer.category,
            book.get(1).category,
        )

    def test_change_kind_keeps_a_category_both_kinds_have(self) -> None:
        """Category "A" exists on both kinds and stays."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", category="A")
        change = book.change_kind(1, CORPORATE)
        assert (None, "A") == (change.dropped_category, book.get(1).category)

    def test_change_kind_drops_the_status_flags(self) -> None:
        """Flags are dropped on a kind change and reported."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", status=[1, 2])
        change = book.change_kind(1, CORPORATE)
        assert (StatusFlags.of([1, 2]), StatusFlags()) == (
            change.dropped_status,
            book.get(1).status,
        )

    def test_change_kind_keeps_the_status_flags_when_asked(self) -> None:
        """With ``keep_status`` the flags stay and nothing is reported dropped."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", status=[1, 2])
        change = book.change_kind(1, CORPORATE, keep_status=True)
        assert (StatusFlags(), StatusFlags.of([1, 2])) == (
            change.dropped_status,
            book.get(1).status,
        )

    def test_change_kind_keeps_the_debtor_account(self) -> None:
        """A private customer who becomes corporate keeps account 10001."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        change = book.change_kind(1, CORPORATE)
        assert (10001, 10001, False) == (
            change.new_debtor_account,
            book.get(1).debtor_account,
            change.renumbered,
        )

    def test_change_kind_stores_the_changed_customer(self) -> None:
        """The stored customer equals the one the change reports, with version 2."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        change = book.change_kind(1, AGENCY_KIND)
        assert (change.customer, AGENCY_KIND, 2) == (
            book.get(1),
            change.customer.kind,
            change.customer.version,
        )

    def test_change_kind_of_a_template_customer_is_refused(self) -> None:
        """The template customer of its kind cannot change kind; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Vorlage")
        book.update_kind_settings(PRIVATE, template_customer=1)
        self.assert_refused(TemplateCustomerError, lambda: book.change_kind(1, CORPORATE))

    def test_change_kind_of_an_anonymized_customer_is_refused(self) -> None:
        """An anonymized customer cannot change kind; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.anonymize(1, AGENCY)
        self.assert_refused(AnonymizedCustomerError, lambda: book.change_kind(1, CORPORATE))

    def test_change_type_stores_the_new_type(self) -> None:
        """change_type stores the new type with the next version."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        changed = book.change_type(1, CustomerType.VIP_INCENTIVE)
        assert (changed, CustomerType.VIP_INCENTIVE, 2) == (
            book.get(1),
            changed.customer_type,
            changed.version,
        )

    # -- prospects (R4) -----------------------------------------------------------------------

    def prospect_book(self, *, renumber: bool = False, **prospect: Any) -> CustomerBook:
        """A book with one prospect (number 1, account 100001 unless renumbered)."""
        kind_settings = attrs.evolve(
            SETTINGS.kind(PROSPECT), renumber_on_kind_change=renumber, **prospect
        )
        book = self.book(SETTINGS.with_kind(PROSPECT, kind_settings))
        book.register(PROSPECT, "Interessent", status=[1], category="A")
        return book

    def test_an_offer_does_not_convert_a_prospect(self) -> None:
        """A prospect who gets an offer stays a prospect."""
        book = self.prospect_book()
        recorded = book.record_booking(_booking("A-1", 1, OFFER))
        assert (None, PROSPECT) == (recorded.conversion, book.get(1).kind)

    def test_the_first_firm_booking_converts_a_prospect_to_private(self) -> None:
        """A prospect's first firm booking makes it a private customer."""
        book = self.prospect_book()
        recorded = book.record_booking(_booking("B-1", 1))
        assert (PROSPECT, PRIVATE, PRIVATE) == _converted(book, recorded.conversion, 1)

    def test_conversion_keeps_the_debtor_account_without_renumbering(self) -> None:
        """Without "renumber on kind change" the converted prospect keeps account 100001."""
        book = self.prospect_book(renumber=False)
        book.record_booking(_booking("B-1", 1))
        assert 100001 == book.get(1).debtor_account

    def test_conversion_renumbers_when_the_prospect_kind_asks(self) -> None:
        """With "renumber on kind change" the account is recomputed: 100001 becomes 10001."""
        book = self.prospect_book(renumber=True)
        conversion = book.record_booking(_booking("B-1", 1)).conversion
        assert conversion is not None
        assert (100001, 10001, True, 10001) == (
            conversion.old_debtor_account,
            conversion.new_debtor_account,
            conversion.renumbered,
            book.get(1).debtor_account,
        )

    def test_a_renumbered_account_is_found_and_the_old_one_is_free(self) -> None:
        """After renumbering, the new account resolves and the old one no longer does."""
        book = self.prospect_book(renumber=True)
        book.record_booking(_booking("B-1", 1))
        assert book.get(1) == book.resolve_debtor_account(10001)
        with pytest.raises(CustomerNotFoundError):
            book.resolve_debtor_account(100001)

    def test_conversion_goes_to_the_kind_the_caller_names(self) -> None:
        """``convert_to=CORPORATE`` makes the prospect corporate (account 30001 renumbered)."""
        book = self.prospect_book(renumber=True)
        book.record_booking(_booking("B-1", 1), convert_to=CORPORATE)
        customer = book.get(1)
        assert (CORPORATE, 30001) == (customer.kind, customer.debtor_account)

    def test_conversion_drops_the_prospect_flags_unless_kept(self) -> None:
        """The prospect's flags go at conversion; ``keep_status`` keeps them."""
        book = self.prospect_book()
        book.register(PROSPECT, "Zweiter", status=[1])
        book.record_booking(_booking("B-1", 1))
        book.record_booking(_booking("B-2", 2), keep_status=True)
        assert (StatusFlags(), StatusFlags.of([1])) == (book.get(1).status, book.get(2).status)

    def test_conversion_to_a_taken_account_is_refused_and_records_nothing(self) -> None:
        """A renumbered account another customer holds refuses the booking; nothing changes."""
        prospect = attrs.evolve(
            SETTINGS.kind(PROSPECT), debtor_offset=5, renumber_on_kind_change=True
        )
        corporate = attrs.evolve(SETTINGS.kind(CORPORATE), debtor_offset=1)
        book = self.book(SETTINGS.with_kind(PROSPECT, prospect).with_kind(CORPORATE, corporate))
        book.register(PROSPECT, "Interessent")  # 1 -> 10006
        book.register(PRIVATE, "Privat")  # 2 -> 10002
        self.assert_refused(
            DebtorAccountError,
            lambda: book.record_booking(_booking("B-1", 1), convert_to=CORPORATE),  # 10002
        )

    def test_a_later_kind_change_keeps_the_renumbered_account(self) -> None:
        """A converted customer who later changes kind keeps its account."""
        book = self.prospect_book(renumber=True)
        book.record_booking(_booking("B-1", 1))
        book.change_kind(1, CORPORATE)
        assert 10001 == book.get(1).debtor_account

    def test_a_converted_customer_is_not_converted_again(self) -> None:
        """The second firm booking of a former prospect converts nothing."""
        book = self.prospect_book()
        book.record_booking(_booking("B-1", 1))
        assert book.record_booking(_booking("B-2", 1)).conversion is None
