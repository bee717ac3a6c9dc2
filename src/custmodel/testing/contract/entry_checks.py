"""The duplicate check at entry: the store's candidate lookup and the three modes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar, TypeVar

import pytest

from custmodel._entrycheck import Registration
from custmodel.book import CustomerBook
from custmodel.dedupe._types import CandidateKeys
from custmodel.errors import InvalidInputError, LikelyDuplicateError, MissingExtraError
from custmodel.model import Customer
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import AGENCY, PRIVATE, SETTINGS, _customer, _draft

__all__ = ["EntryCheckContract"]

T = TypeVar("T")
BIRTH = date(1971, 3, 9)


def _needs_finder(action: Callable[[], T]) -> T:
    """Run ``action``; skip the test when the finder's extra is not installed."""
    try:
        return action()
    except MissingExtraError:
        pytest.skip("the duplicate check needs the dedupe extra")


class EntryCheckContract(_ContractBase):
    """Registrations can look for likely duplicates first: off, warn or refuse."""

    __test__: ClassVar[bool] = False

    def candidates(self, keys: CandidateKeys, max_per_value: int = 50) -> list[int]:
        """The numbers of the store's candidates for ``keys``, read through the port."""
        with self.store.transaction(write=False) as tx:
            return [c.number for c in tx.duplicate_candidates(keys, max_per_value)]

    def lookup_population(self) -> None:
        """Customers 1..6 through the port, each findable by one key only."""
        self.insert(
            _customer(1, email="Testine@Example.org "),
            _customer(2, phone="0711 123456"),
            _customer(3, birth_date=BIRTH),
            _customer(4, postal_code="70173"),
            _customer(5, last_name="Müller"),
            _customer(6, last_name="Andere", first_name="Zwetschgenbaum"),
        )

    # -- the port ------------------------------------------------------------------------------

    def test_candidates_share_an_email_case_and_spaces_aside(self) -> None:
        """An e-mail key finds the customer whose address differs in case and spaces only."""
        self.lookup_population()

        assert [1] == self.candidates(CandidateKeys(emails=("testine@example.org",)))

    def test_candidates_share_phone_birth_date_or_postal_code(self) -> None:
        """Phone, birth date and postal code keys find the customers holding them."""
        self.lookup_population()

        keys = CandidateKeys(phones=("0711 123456",), birth_dates=(BIRTH,), postal_codes=("70173",))
        assert [2, 3, 4] == self.candidates(keys)

    def test_candidates_share_a_folded_last_name(self) -> None:
        """A name key finds the last name in any case; a first name alone is no key."""
        self.lookup_population()

        keys = CandidateKeys(name_keys=("MÜLLER", "zwetschgenbaum"))
        assert [5] == self.candidates(keys)

    def test_candidates_leave_out_merged_and_anonymized_customers(self) -> None:
        """Tombstones and anonymized customers are no candidates."""
        book = self.book(SETTINGS)
        book.register_many(_draft(last_name="Dopp", email="d@example.org") for _ in range(3))
        book.merge(1, [2])
        book.anonymize(3, AGENCY)

        keys = CandidateKeys(emails=("d@example.org",), name_keys=("dopp",))
        assert [1] == self.candidates(keys)

    def test_a_value_shared_by_too_many_customers_is_skipped(self) -> None:
        """An e-mail three customers share is skipped at a limit of two; the name still finds."""
        self.insert(
            *(_customer(n, email="info@example.org") for n in (1, 2, 3)),
            _customer(4, last_name="Selten"),
        )
        keys = CandidateKeys(emails=("info@example.org",), name_keys=("selten",))

        assert ([4], [1, 2, 3, 4]) == (
            self.candidates(keys, max_per_value=2),
            self.candidates(keys, max_per_value=3),
        )

    def test_no_keys_no_candidates(self) -> None:
        """Empty keys find nobody, also where customers have empty fields."""
        self.insert(_customer(1))

        assert [] == self.candidates(CandidateKeys(emails=("",), name_keys=(" ",)))

    # -- the book ------------------------------------------------------------------------------

    def twin_book(self) -> CustomerBook:
        """Customer 1, "Test, Testine", with e-mail and birth date."""
        book = self.book(SETTINGS)
        book.register(
            PRIVATE, "Test", first_name="Testine", email="testine@example.org", birth_date=BIRTH
        )
        return book

    def test_off_registers_as_always(self) -> None:
        """Without the check (the default and "off") the same person is registered again."""
        book = self.twin_book()

        again = book.register(PRIVATE, "Test", first_name="Testine", duplicates="off")

        assert isinstance(again, Customer)
        assert 2 == again.number

    def test_warn_registers_and_returns_the_candidates(self) -> None:
        """With "warn" the customer is registered and comes back with the stored twin."""
        book = self.twin_book()

        found = _needs_finder(
            lambda: book.register(
                PRIVATE,
                "Test",
                first_name="Testine",
                email="testine@example.org",
                duplicates="warn",
            )
        )

        assert isinstance(found, Registration)
        assert ((1,), found.customer) == (found.numbers, book.get(2))
        assert found.candidates[0].reasons

    def test_warn_without_a_likely_duplicate_returns_no_candidates(self) -> None:
        """Someone else sharing only the birth date is registered without candidates."""
        book = self.twin_book()

        found = _needs_finder(
            lambda: book.register(PRIVATE, "Zwetschgenbaum", birth_date=BIRTH, duplicates="warn")
        )

        assert (2, ()) == (found.customer.number, found.candidates)

    def test_refuse_names_the_stored_customer_and_changes_nothing(self) -> None:
        """With "refuse" the twin is not registered; the error names customer 1 only."""
        book = self.twin_book()

        error = self.assert_refused(
            LikelyDuplicateError,
            lambda: _needs_finder(
                lambda: book.register(
                    PRIVATE,
                    "Test",
                    first_name="Testine",
                    email="testine@example.org",
                    duplicates="refuse",
                )
            ),
        )

        assert ({0: (1,)}, (1,)) == (error.matches, error.numbers)
        assert "Test" not in str(error)

    def test_refuse_registers_someone_else(self) -> None:
        """With "refuse" a customer without a likely duplicate is registered as usual."""
        book = self.twin_book()

        other = _needs_finder(
            lambda: book.register(PRIVATE, "Zwetschgenbaum", first_name="Ida", duplicates="refuse")
        )

        assert 2 == other.number

    def test_register_draft_warns_as_register_does(self) -> None:
        """A draft registered with "warn" comes back as a Registration naming the stored twin."""
        book = self.twin_book()
        draft = _draft(last_name="Test", first_name="Testine", email="testine@example.org")

        found = _needs_finder(lambda: book.register_draft(draft, duplicates="warn"))

        assert isinstance(found, Registration)
        assert ((1,), found.customer) == (found.numbers, book.get(2))

    def test_register_draft_refuses_as_register_does(self) -> None:
        """A draft registered with "refuse" is refused for its twin; nothing is written."""
        book = self.twin_book()
        draft = _draft(last_name="Test", first_name="Testine", email="testine@example.org")

        error = self.assert_refused(
            LikelyDuplicateError,
            lambda: _needs_finder(lambda: book.register_draft(draft, duplicates="refuse")),
        )

        assert (1,) == error.numbers

    def test_register_many_warns_of_twins_within_the_batch(self) -> None:
        """A batch holding one person twice: the second names the first by its new number."""
        book = self.book(SETTINGS)
        batch = [
            _draft(last_name="Meier", first_name="Karl", email="km@example.org"),
            _draft(last_name="Schulz", first_name="Petra"),
            _draft(last_name="Meier", first_name="Karl", email="km@example.org"),
        ]

        found = _needs_finder(lambda: book.register_many(batch, duplicates="warn"))

        assert [(1, ()), (2, ()), (3, (1,))] == [(r.customer.number, r.numbers) for r in found]

    def test_register_many_refuses_twins_within_the_batch(self) -> None:
        """ "refuse" refuses a batch holding one person twice, naming the positions."""
        book = self.twin_book()
        batch = [
            _draft(last_name="Meier", first_name="Karl", email="km@example.org"),
            _draft(last_name="Test", first_name="Testine", email="testine@example.org"),
            _draft(last_name="Meier", first_name="Karl", email="km@example.org"),
        ]

        error = self.assert_refused(
            LikelyDuplicateError,
            lambda: _needs_finder(lambda: book.register_many(batch, duplicates="refuse")),
        )

        assert ({1: (1,)}, ((0, 2),)) == (error.matches, error.within)

    def test_an_unknown_mode_is_refused(self) -> None:
        """A mode other than "off", "warn" and "refuse" is refused before anything happens."""
        book = self.twin_book()

        self.assert_refused(
            InvalidInputError,
            lambda: book.register(PRIVATE, "Test", duplicates="loud"),  # type: ignore[call-overload]
        )
