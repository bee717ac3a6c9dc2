"""R4: customer numbers and debtor accounts."""

from __future__ import annotations

import pytest

from custmodel import (
    CustomerKind,
    DebtorAccountError,
    KindSettings,
    NewCustomer,
    Settings,
    rules,
)
from tests.booksupport import make_book, peek_next_number, snapshot


def test_jacks_example_300th_customer_gets_debtor_account_10300() -> None:
    """Base 10000, offset 0, the 300th customer → debtor account 10300."""
    assert 10300 == rules.debtor_account(Settings(), CustomerKind.PRIVATE, 300)


def test_book_gives_the_300th_registered_customer_debtor_account_10300() -> None:
    """Base 10000, offset 0, the 300th customer → debtor account 10300, through the book."""
    book = make_book(Settings())
    for n in range(1, 300):
        book.register(CustomerKind.PRIVATE, f"Kunde {n}")

    three_hundredth = book.register(CustomerKind.PRIVATE, "Kunde 300")

    assert (300, 10300) == (three_hundredth.number, three_hundredth.debtor_account)


def test_customer_numbers_run_from_one_across_kinds() -> None:
    """One global counter numbers every customer 1, 2, 3 … whatever its kind."""
    book = make_book()

    numbers = [book.register(kind, "Test").number for kind in CustomerKind]

    assert [1, 2, 3, 4] == numbers


def test_debtor_account_adds_the_kinds_offset() -> None:
    """Debtor account = base + the kind's offset + customer number."""
    settings = Settings().with_kind(CustomerKind.CORPORATE, KindSettings(debtor_offset=20000))

    assert 30007 == rules.debtor_account(settings, CustomerKind.CORPORATE, 7)


def test_book_applies_each_kinds_offset_at_registration() -> None:
    """Each kind's customers get accounts in that kind's range."""
    settings = Settings(
        kinds={
            CustomerKind.CORPORATE: KindSettings(debtor_offset=20000),
            CustomerKind.TRAVEL_AGENCY: KindSettings(debtor_offset=50000),
        }
    )
    book = make_book(settings)

    accounts = [
        book.register(kind, "Test").debtor_account
        for kind in (CustomerKind.PRIVATE, CustomerKind.CORPORATE, CustomerKind.TRAVEL_AGENCY)
    ]

    assert [10001, 30002, 60003] == accounts


def test_debtor_base_is_configurable() -> None:
    """A different chart of accounts moves every debtor account by its base."""
    assert 400300 == rules.debtor_account(Settings(debtor_base=400000), CustomerKind.PRIVATE, 300)


def test_registration_outside_the_kinds_range_is_refused() -> None:
    """An account above the kind's maximum is refused with DebtorAccountError."""
    settings = Settings().with_kind(CustomerKind.PRIVATE, KindSettings(debtor_max=10001))
    book = make_book(settings)
    book.register(CustomerKind.PRIVATE, "Erster")

    with pytest.raises(DebtorAccountError):
        book.register(CustomerKind.PRIVATE, "Zweiter")


def test_refused_registration_writes_nothing() -> None:
    """A registration refused for its range leaves the store exactly as it was."""
    settings = Settings().with_kind(CustomerKind.PRIVATE, KindSettings(debtor_min=20000))
    book = make_book(settings)
    book.register(CustomerKind.CORPORATE, "Firma")
    before = snapshot(book)

    with pytest.raises(DebtorAccountError):
        book.register(CustomerKind.PRIVATE, "Privat")

    assert before == snapshot(book)


def test_refused_registration_does_not_advance_the_counter() -> None:
    """The number a refused registration would have had goes to the next customer."""
    settings = Settings().with_kind(CustomerKind.PRIVATE, KindSettings(debtor_max=10000))
    book = make_book(settings)
    with pytest.raises(DebtorAccountError):
        book.register(CustomerKind.PRIVATE, "Privat")

    assert 1 == book.register(CustomerKind.CORPORATE, "Firma").number


def test_registration_with_a_taken_debtor_account_is_refused() -> None:
    """A computed account another customer holds is refused with DebtorAccountError."""
    settings = Settings().with_kind(CustomerKind.CORPORATE, KindSettings(debtor_offset=1))
    book = make_book(settings)
    book.register(CustomerKind.CORPORATE, "Firma")  # number 1 → 10002

    with pytest.raises(DebtorAccountError):
        book.register(CustomerKind.PRIVATE, "Privat")  # number 2 → 10002


def test_registration_with_a_taken_debtor_account_writes_nothing() -> None:
    """A refused taken account leaves customers, settings and counter untouched."""
    settings = Settings().with_kind(CustomerKind.CORPORATE, KindSettings(debtor_offset=1))
    book = make_book(settings)
    book.register(CustomerKind.CORPORATE, "Firma")
    before = snapshot(book)

    with pytest.raises(DebtorAccountError):
        book.register(CustomerKind.PRIVATE, "Privat")

    assert before == snapshot(book)


def test_batch_registration_with_one_bad_account_registers_none() -> None:
    """register_many is all or nothing: one account out of range refuses the whole batch."""
    settings = Settings().with_kind(CustomerKind.CORPORATE, KindSettings(debtor_max=10001))
    book = make_book(settings)
    drafts = [
        NewCustomer(kind=CustomerKind.PRIVATE, last_name="Eins"),
        NewCustomer(kind=CustomerKind.CORPORATE, last_name="Zwei"),
    ]

    with pytest.raises(DebtorAccountError):
        book.register_many(drafts)

    assert (0, 1) == (book.count(), peek_next_number(book.store))


def test_debtor_account_error_names_the_account() -> None:
    """The refusal says which account is taken, so a person can fix the settings."""
    settings = Settings().with_kind(CustomerKind.CORPORATE, KindSettings(debtor_offset=1))
    book = make_book(settings)
    book.register(CustomerKind.CORPORATE, "Firma")

    with pytest.raises(DebtorAccountError, match="10002"):
        book.register(CustomerKind.PRIVATE, "Privat")


def test_numbers_are_not_reused_after_a_merge() -> None:
    """A merged duplicate keeps its number; the next customer gets a fresh one."""
    book = make_book()
    master = book.register(CustomerKind.PRIVATE, "Test")
    duplicate = book.register(CustomerKind.PRIVATE, "Test")
    book.merge(master.number, [duplicate.number])

    assert 3 == book.register(CustomerKind.PRIVATE, "Neu").number


def test_debtor_accounts_are_not_reused_after_anonymization() -> None:
    """An anonymized customer keeps its debtor account; the next customer gets a fresh one."""
    book = make_book()
    first = book.register(CustomerKind.PRIVATE, "Test")
    book.anonymize(first.number, "AG1")

    assert (10001, 10002) == (
        book.get(first.number).debtor_account,
        book.register(CustomerKind.PRIVATE, "Neu").debtor_account,
    )
