"""Bad input and limits: one typed error, the same on every store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import hypothesis
import pytest
from hypothesis import given

from custmodel.book import CustomerBook
from custmodel.errors import (
    AlreadyMergedError,
    CustomerNotFoundError,
    InvalidInputError,
    InvalidSettingsError,
)
from custmodel.model import (
    MAX_LABEL_LENGTH,
    MAX_MERGE_DUPLICATES,
    MAX_MONEY,
    MAX_NOTES_LENGTH,
    MAX_NUMBER,
    Selection,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._garbage import (
    _GARBAGE_CALLS,
    _failure_text,
    _outcome,
)
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    OFFER,
    PRIVATE,
    PROSPECT,
    SETTINGS,
    TODAY,
    _booking,
    _examples,
    fixed_clock,
)
from custmodel.testing.snapshots import take_snapshot

__all__ = ["BadInputContract"]


class BadInputContract(_ContractBase):
    """Every public method refuses garbage with a custmodel error and changes nothing."""

    __test__: ClassVar[bool] = False

    # -- bad input: one typed error, the same on every store ----------------------------------

    def _seed_bad_input(self, book: CustomerBook) -> None:
        """Customers 1..5 (3 merged into 1, 5 anonymized), two bookings, an erasure request."""
        book.register(PRIVATE, "Muster", category="A", status=[1], code1="K-1", notes="a\nb")
        book.register(CORPORATE, "Firma", code1="K-1")
        book.register(PRIVATE, "Doppelt", category="A")
        book.register(PROSPECT, "Interessent")
        book.register(PRIVATE, "Weg")
        book.record_booking(_booking("VG-1", 1))
        book.record_booking(_booking("VG-2", 4, OFFER, departure=TODAY + timedelta(days=30)))
        book.merge(1, [3])
        book.anonymize(5, AGENCY)
        book.request_erasure(2, TODAY - timedelta(days=10))

    def test_every_public_method_of_the_book_is_driven_with_garbage(self) -> None:
        """The bad-input test has arguments for every public method of CustomerBook."""
        public = {name for name in dir(CustomerBook) if not name.startswith("_")}

        assert public == set(_GARBAGE_CALLS)

    @pytest.mark.filterwarnings("ignore:Generating overly large repr")
    def test_garbage_arguments_get_the_same_typed_outcome_as_in_memory(self) -> None:
        """Every public method of the book, called with garbage, raises only custmodel errors,
        gives the same outcome (result or error class) as on a memory store with the same
        content, and leaves the store unchanged when it refuses."""
        book = self.book(SETTINGS)
        reference = CustomerBook(self.reference_store(), SETTINGS, clock=fixed_clock)
        self._seed_bad_input(book)
        self._seed_bad_input(reference)
        assert take_snapshot(reference.store) == self.snapshot()
        failures: dict[str, str] = {}
        for name in sorted(_GARBAGE_CALLS):
            if name not in {m for m in dir(CustomerBook) if not m.startswith("_")}:
                continue
            try:
                self._drive_with_garbage(book, reference, name)
            except Exception as error:
                failures[name] = _failure_text(error)
                if take_snapshot(reference.store) != self.snapshot():
                    failures["(the stores disagree from here on)"] = name
                    break
        if failures:
            pytest.fail(
                "\n\n".join(f"{name}: {text}" for name, text in failures.items()), pytrace=False
            )

    def _drive_with_garbage(self, book: CustomerBook, reference: CustomerBook, name: str) -> None:
        """Drive ``name`` with garbage on both books (see the test above)."""
        before = [self.snapshot()]

        @hypothesis.settings(_examples(30), database=None)
        @given(call=_GARBAGE_CALLS[name])
        def same_outcome(call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
            args, kwargs = call
            expected = _outcome(reference, name, args, kwargs)
            actual = _outcome(book, name, args, kwargs)
            assert expected == actual
            after = self.snapshot()
            if actual[0] == "refused":
                assert before[0] == after
            assert take_snapshot(reference.store) == after
            before[0] = after

        same_outcome()

    def test_money_up_to_the_limit_is_kept_exactly(self) -> None:
        """A booking's revenue and open amount of MAX_MONEY are stored and read back exactly."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Muster")
        booking = attrs.evolve(_booking("VG-1", 1), open_amount=MAX_MONEY, revenue=MAX_MONEY)

        book.record_booking(booking)

        assert booking == book.get_booking("VG-1")

    def test_money_above_the_limit_is_refused(self) -> None:
        """A dunning fee one cent above MAX_MONEY is refused and changes nothing."""
        book = self.book(SETTINGS)

        self.assert_refused(
            InvalidInputError,
            lambda: book.update_kind_settings(PRIVATE, dunning_fee=MAX_MONEY + Decimal("0.01")),
        )

    def test_numbers_beyond_the_number_range_are_refused(self) -> None:
        """Customer numbers, debtor accounts and batch sizes of 2**63 are InvalidInputError."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Muster")
        beyond = MAX_NUMBER + 1
        calls: list[Callable[[], object]] = [
            lambda: book.get(beyond),
            lambda: book.resolve(beyond),
            lambda: book.bookings(beyond),
            lambda: book.profile(beyond),
            lambda: book.resolve_debtor_account(beyond),
            lambda: book.merge_history(beyond),
            lambda: book.merge(1, [beyond]),
            lambda: book.request_erasure(beyond, TODAY),
            lambda: book.find_duplicates(beyond),
            lambda: list(book.iter_customers(batch_size=beyond)),
            lambda: book.anonymize_due(AGENCY, batch_size=beyond),
        ]

        for call in calls:
            self.assert_refused(InvalidInputError, call)

    def test_the_largest_number_is_looked_up_and_not_found(self) -> None:
        """Customer number and debtor account 2**63 - 1 are in range: simply not found."""
        book = self.book(SETTINGS)

        with pytest.raises(CustomerNotFoundError):
            book.get(MAX_NUMBER)
        with pytest.raises(CustomerNotFoundError):
            book.resolve_debtor_account(MAX_NUMBER)

    def test_arguments_of_the_wrong_type_are_refused(self) -> None:
        """Selections, switches and thresholds of the wrong type raise InvalidInputError."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Muster", status=[1])
        calls: list[Callable[[], object]] = [
            lambda: book.select(Selection(status_all=1)),  # type: ignore[arg-type]
            lambda: book.select(Selection(code1=5)),  # type: ignore[arg-type]
            lambda: book.count(Selection(anonymized="no")),  # type: ignore[arg-type]
            lambda: book.count(Selection(include_merged="yes")),  # type: ignore[arg-type]
            lambda: book.set_status(None, 1, on="no"),  # type: ignore[arg-type]
            lambda: book.find_duplicates(threshold="0.9"),  # type: ignore[arg-type]
            lambda: book.change_kind(1, CORPORATE, keep_status="no"),  # type: ignore[arg-type]
            lambda: book.anonymize_due(AGENCY, dry_run="no"),  # type: ignore[arg-type]
        ]

        for call in calls:
            self.assert_refused(InvalidInputError, call)

    def test_control_characters_in_a_lookup_are_refused(self) -> None:
        """A NUL byte (or another control character) in looked-up text is InvalidInputError."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Muster", code1="K-1")
        book.record_booking(_booking("VG-1", 1))
        calls: list[Callable[[], object]] = [
            lambda: book.find_by_code1("K-1\x00"),
            lambda: book.select(Selection(code1="K-1\x00")),
            lambda: book.count(Selection(category="A\x00")),
            lambda: book.select(Selection(name="Mu\x00")),
            lambda: book.get_booking("VG-1\x00"),
            lambda: book.eligibility(1, "AG1\x00"),
            lambda: book.erasure_requests("AG1\x1f"),
        ]

        for call in calls:
            self.assert_refused(InvalidInputError, call)

    def test_notes_of_the_longest_length_in_four_byte_characters_are_kept(self) -> None:
        """Notes of MAX_NOTES_LENGTH characters of 4 UTF-8 bytes each are stored exactly."""
        book = self.book(SETTINGS)
        notes = "\U0001f600" * (MAX_NOTES_LENGTH - 1) + "\n"

        number = book.register(PRIVATE, "Muster", notes=notes).number

        assert notes == book.get(number).notes

    def test_notes_longer_than_the_limit_are_refused(self) -> None:
        """Notes of MAX_NOTES_LENGTH + 1 characters are refused and change nothing."""
        book = self.book(SETTINGS)

        self.assert_refused(
            InvalidInputError,
            lambda: book.register(PRIVATE, "Muster", notes="x" * (MAX_NOTES_LENGTH + 1)),
        )

    def test_update_of_a_merged_customer_is_already_merged(self) -> None:
        """Updating a tombstone raises AlreadyMergedError, not a complaint about its fields."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Muster")
        book.register(PRIVATE, "Doppelt")
        book.merge(1, [2])
        tombstone = book.get(2)

        error = self.assert_refused(AlreadyMergedError, lambda: book.update(tombstone))

        assert (2, 1) == (error.number, error.master)

    def test_labels_and_categories_with_control_characters_are_refused(self) -> None:
        """A status label, code label or category with a control character is refused."""
        book = self.book(SETTINGS)
        calls: list[Callable[[], object]] = [
            lambda: book.rename_status_label(PRIVATE, 5, "Golf\x00"),
            lambda: book.rename_status_label(PRIVATE, 5, "Golf\u0085"),
            lambda: book.update_kind_settings(PRIVATE, status_labels={1: "a\tb"}),
            lambda: book.update_kind_settings(PRIVATE, code1_label="Code\n1"),
            lambda: book.update_kind_settings(PRIVATE, categories=("A", "B", "C", "D", "E\r")),
        ]

        for call in calls:
            self.assert_refused(InvalidInputError, call)

    def test_a_status_label_longer_than_the_limit_is_refused(self) -> None:
        """A status flag label of MAX_LABEL_LENGTH + 1 characters is InvalidSettingsError."""
        book = self.book(SETTINGS)

        self.assert_refused(
            InvalidSettingsError,
            lambda: book.rename_status_label(PRIVATE, 5, "x" * (MAX_LABEL_LENGTH + 1)),
        )

    def test_a_merge_of_more_duplicates_than_the_limit_is_refused(self) -> None:
        """Merging MAX_MERGE_DUPLICATES + 1 duplicates is InvalidInputError; nothing changes."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Muster")
        too_many = list(range(2, MAX_MERGE_DUPLICATES + 3))

        self.assert_refused(InvalidInputError, lambda: book.merge(1, too_many))
        self.assert_refused(InvalidInputError, lambda: book.plan_merge(1, too_many))
