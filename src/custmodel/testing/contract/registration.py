"""Registration: customer numbers and debtor accounts (R4)."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import pytest

from custmodel.book import CustomerBook
from custmodel.errors import (
    DebtorAccountError,
    InvalidCategoryError,
    InvalidInputError,
    InvalidStatusFlagError,
    SettingsMissingError,
)
from custmodel.model import (
    Customer,
    CustomerType,
    KindSettings,
    Settings,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY_KIND,
    CORPORATE,
    NOW,
    PRIVATE,
    PROSPECT,
    SETTINGS,
    _draft,
    _full_draft,
    _numbers,
)

__all__ = ["RegistrationContract"]


class RegistrationContract(_ContractBase):
    """Customers are numbered from one and get the debtor account their kind's settings give."""

    __test__: ClassVar[bool] = False

    # -- numbering and debtor accounts (R4) -----------------------------------------------

    def test_customer_numbers_run_from_one(self) -> None:
        """Customers are numbered 1, 2, 3 … in the order they are registered."""
        book = self.book(SETTINGS)
        numbers = [book.register(PRIVATE, f"Kunde {i}").number for i in range(3)]
        assert [1, 2, 3] == numbers

    def test_default_settings_give_the_first_customer_account_10001(self) -> None:
        """Without stored settings, Jack's defaults apply: customer 1 gets account 10001."""
        assert 10001 == self.book().register(PRIVATE, "Erster").debtor_account

    def test_debtor_account_is_base_plus_offset_plus_number(self) -> None:
        """The debtor account is the settings base plus the kind's offset plus the number."""
        settings = Settings(debtor_base=5000, kinds={CORPORATE: KindSettings(debtor_offset=300)})
        book = self.book(settings)
        book.register(PRIVATE, "Eins")
        assert 5000 + 300 + 2 == book.register(CORPORATE, "Zwei GmbH").debtor_account

    def test_the_300th_customer_gets_debtor_account_10300(self) -> None:
        """Jack's example: base 10000, offset 0, the 300th customer gets account 10300."""
        book = self.book(Settings(debtor_base=10000))
        book.register_many(_draft(last_name=f"Kunde {i}") for i in range(1, 300))
        customer = book.register(PRIVATE, "Dreihundert")
        assert (300, 10300) == (customer.number, customer.debtor_account)

    def test_each_kind_adds_its_own_debtor_offset(self) -> None:
        """Each kind adds its own offset (0, 20000, 50000, 90000) to base and number."""
        book = self.book(SETTINGS)
        kinds = (PRIVATE, CORPORATE, AGENCY_KIND, PROSPECT)
        accounts = [book.register(kind, "Muster").debtor_account for kind in kinds]
        assert [10001, 30002, 60003, 100004] == accounts

    def test_registration_above_the_kinds_range_is_refused(self) -> None:
        """An account above the kind's ``debtor_max`` is refused and nothing is written."""
        book = self.book(Settings(kinds={PRIVATE: KindSettings(debtor_max=10002)}))
        book.register_many([_draft(), _draft()])
        self.assert_refused(DebtorAccountError, lambda: book.register(PRIVATE, "Drei"))

    def test_registration_below_the_kinds_range_is_refused(self) -> None:
        """An account below the kind's ``debtor_min`` is refused and nothing is written."""
        book = self.book(Settings(kinds={PRIVATE: KindSettings(debtor_min=20000)}))
        self.assert_refused(DebtorAccountError, lambda: book.register(PRIVATE, "Eins"))

    def test_registration_inside_the_kinds_range_is_accepted(self) -> None:
        """An account on the bounds of the kind's range is accepted."""
        settings = Settings(kinds={PRIVATE: KindSettings(debtor_min=10001, debtor_max=10001)})
        assert 10001 == self.book(settings).register(PRIVATE, "Eins").debtor_account

    def test_a_range_restricts_only_its_own_kind(self) -> None:
        """Another kind's range does not restrict a kind without one."""
        book = self.book(Settings(kinds={CORPORATE: KindSettings(debtor_max=10000)}))
        assert 10001 == book.register(PRIVATE, "Eins").debtor_account

    def test_a_taken_debtor_account_is_refused_and_nothing_is_written(self) -> None:
        """A computed account another customer holds is refused and nothing is written."""
        book = self.book(Settings(kinds={PRIVATE: KindSettings(debtor_offset=1)}))
        book.register(PRIVATE, "Eins")  # number 1 -> 10002
        self.assert_refused(DebtorAccountError, lambda: book.register(CORPORATE, "Zwei"))

    def test_a_refused_registration_does_not_use_up_its_number(self) -> None:
        """After a refused registration the next one gets the number the refused one had."""
        book = self.book(Settings(kinds={PRIVATE: KindSettings(debtor_offset=1)}))
        book.register(PRIVATE, "Eins")  # number 1 -> 10002
        with pytest.raises(DebtorAccountError):
            book.register(CORPORATE, "Zwei")  # number 2 -> 10002, taken
        customer = book.register(PRIVATE, "Drei")
        assert (2, 10003) == (customer.number, customer.debtor_account)

    def test_register_many_numbers_consecutively(self) -> None:
        """A batch gets consecutive numbers following the customers before it."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Vorher")
        batch = book.register_many([_draft(last_name=name) for name in ("A", "B", "C")])
        assert [2, 3, 4] == _numbers(batch)

    def test_register_many_stores_every_customer_of_the_batch(self) -> None:
        """Every customer of a batch is stored as returned."""
        book = self.book(SETTINGS)
        batch = book.register_many([_full_draft(), _draft(CORPORATE, "Firma", category="A")])
        assert batch == [book.get(1), book.get(2)]

    def test_register_many_of_nothing_registers_nothing(self) -> None:
        """An empty batch returns an empty list and uses up no number."""
        book = self.book(SETTINGS)
        assert [] == book.register_many([])
        assert 1 == book.register(PRIVATE, "Eins").number

    def test_register_many_is_all_or_nothing_on_an_invalid_draft(self) -> None:
        """A batch whose third draft has a foreign category registers nobody."""
        book = self.book(SETTINGS)
        drafts = [_draft(), _draft(category="A"), _draft(category="Key account")]
        self.assert_refused(InvalidCategoryError, lambda: book.register_many(drafts))

    def test_register_many_is_all_or_nothing_on_a_taken_account(self) -> None:
        """A batch whose second account is held by a stored customer registers nobody."""
        book = self.book(Settings(kinds={PRIVATE: KindSettings(debtor_offset=2)}))
        book.register(PRIVATE, "Eins")  # number 1 -> 10003
        drafts = [_draft(CORPORATE), _draft(CORPORATE)]  # 2 -> 10002, 3 -> 10003 (taken)
        self.assert_refused(DebtorAccountError, lambda: book.register_many(drafts))

    def test_register_many_refuses_one_account_twice_in_a_batch(self) -> None:
        """A batch that would give two of its customers the same account registers nobody."""
        book = self.book(Settings(kinds={PRIVATE: KindSettings(debtor_offset=1)}))
        drafts = [_draft(PRIVATE), _draft(CORPORATE)]  # 1 -> 10002, 2 -> 10002
        self.assert_refused(DebtorAccountError, lambda: book.register_many(drafts))

    def test_new_customers_are_walk_in_unless_a_type_is_given(self) -> None:
        """A customer registered without a type is WALK_IN; a given type is kept."""
        book = self.book(SETTINGS)
        walk_in = book.register(PRIVATE, "Laufkunde")
        regular = book.register(PRIVATE, "Stammkunde", customer_type=CustomerType.REGULAR)
        expected = (CustomerType.WALK_IN, CustomerType.REGULAR)
        assert expected == (book.get(walk_in.number).customer_type, regular.customer_type)

    def test_registration_refuses_a_category_outside_the_kinds_list(self) -> None:
        """A category that is not in the kind's list is refused and nothing is written."""
        book = self.book(SETTINGS)
        self.assert_refused(
            InvalidCategoryError, lambda: book.register(CORPORATE, "Firma", category="B")
        )

    def test_registration_refuses_an_unlabelled_status_flag(self) -> None:
        """A flag without a label on the kind is refused and nothing is written."""
        book = self.book(SETTINGS)
        self.assert_refused(
            InvalidStatusFlagError, lambda: book.register(PRIVATE, "Eins", status=[1, 4])
        )

    def test_registration_stores_every_field_as_given(self) -> None:
        """A registered customer reads back equal, with every field the draft carried."""
        book = self.book(SETTINGS)
        draft = _full_draft()
        customer = book.register(**attrs.asdict(draft, recurse=False))
        stored = book.get(customer.number)
        assert customer == stored
        assert attrs.asdict(draft, recurse=False) == {
            name: getattr(stored, name) for name in attrs.asdict(draft, recurse=False)
        }

    def test_registration_records_the_clock_time_and_version_one(self) -> None:
        """A new customer was created and updated at the clock's time and has version 1."""
        customer = self.book(SETTINGS).register(PRIVATE, "Eins")
        assert (NOW, NOW, 1) == (customer.created_at, customer.updated_at, customer.version)

    # -- a draft built beforehand ------------------------------------------------------------

    def test_register_draft_stores_the_draft_as_register_would(self) -> None:
        """A draft registered whole reads back with every field, numbered as register numbers."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Vorher")
        draft = _full_draft()

        customer = book.register_draft(draft)

        assert isinstance(customer, Customer)
        assert (2, 10002, customer) == (customer.number, customer.debtor_account, book.get(2))
        assert attrs.asdict(draft, recurse=False) == {
            name: getattr(customer, name) for name in attrs.asdict(draft, recurse=False)
        }

    def test_register_draft_refuses_what_is_no_draft(self) -> None:
        """A Customer handed in instead of a NewCustomer is refused; nothing is written."""
        book = self.book(SETTINGS)
        stored = book.register(PRIVATE, "Eins")
        wrong: Any = stored
        self.assert_refused(InvalidInputError, lambda: book.register_draft(wrong))

    def test_register_draft_checks_the_draft_against_the_settings(self) -> None:
        """A draft with a category outside its kind's list is refused; nothing is written."""
        book = self.book(SETTINGS)
        draft = _draft(CORPORATE, "Firma", category="B")
        self.assert_refused(InvalidCategoryError, lambda: book.register_draft(draft))

    # -- books that need stored settings ---------------------------------------------------

    def test_require_settings_refuses_a_store_without_settings(self) -> None:
        """A book that requires stored settings is not made on a store that holds none."""
        with pytest.raises(SettingsMissingError, match="configure"):
            CustomerBook(self.store, require_settings=True)

    def test_require_settings_opens_a_store_with_settings(self) -> None:
        """Once settings are stored, a book that requires them works on them."""
        self.book(SETTINGS)

        book = CustomerBook(self.store, require_settings=True)

        assert SETTINGS == book.settings
        assert 30001 == book.register(CORPORATE, "Firma", category="A").debtor_account

    def test_require_settings_with_settings_given_stores_them(self) -> None:
        """Settings given to a book that requires them are stored, and so are there."""
        book = CustomerBook(self.store, SETTINGS, require_settings=True)
        assert SETTINGS == CustomerBook(self.store, require_settings=True).settings == book.settings

    def test_a_category_refused_on_the_default_settings_says_so(self) -> None:
        """On a store without settings, a refused category's message says the defaults apply."""
        book = self.book()
        error = self.assert_refused(
            InvalidCategoryError, lambda: book.register(PRIVATE, "Eins", category="A")
        )
        assert "holds no settings" in str(error)

    def test_a_category_refused_on_stored_settings_does_not_blame_the_defaults(self) -> None:
        """With settings stored, a refused category's message says nothing about defaults."""
        book = self.book(SETTINGS)
        with pytest.raises(InvalidCategoryError) as refused:
            book.register(CORPORATE, "Firma", category="B")
        assert "settings" not in str(refused.value)
