"""CustomerBook.update_settings: book-wide settings changed in one transaction."""

from __future__ import annotations

from decimal import Decimal

from custmodel import CustomerBook, CustomerKind, KindSettings, Settings
from tests.booksupport import CountingStore, SteppingClock

PRIVATE, CORPORATE = CustomerKind.PRIVATE, CustomerKind.CORPORATE
SETTINGS = Settings(kinds={PRIVATE: KindSettings(categories=("A", "B"))})


def _book() -> tuple[CustomerBook, CountingStore]:
    store = CountingStore()
    book = CustomerBook(store, SETTINGS, clock=SteppingClock())
    store.calls.clear()
    return book, store


def test_update_settings_changes_the_named_book_settings() -> None:
    """debtor_base and anonymization_delay_days change; the kinds stay as stored."""
    book, _store = _book()

    settings = book.update_settings(debtor_base=20000, anonymization_delay_days=30)

    assert (20000, 30, ("A", "B"), settings) == (
        settings.debtor_base,
        settings.anonymization_delay_days,
        settings.kind(PRIVATE).categories,
        book.settings,
    )


def test_update_settings_reads_and_writes_in_one_transaction() -> None:
    """The settings are read and written back in the same single write transaction."""
    book, store = _book()

    book.update_settings(debtor_base=20000)

    assert (1, 0, 1, 1) == (
        store.calls["write transaction"],
        store.calls["read transaction"],
        store.calls["get_settings"],
        store.calls["put_settings"],
    )


def test_update_settings_keeps_a_change_another_book_made_since() -> None:
    """A kind setting another book changed after this book was made survives a base change."""
    book, store = _book()
    CustomerBook(store).update_kind_settings(CORPORATE, dunning_fee=Decimal("7.50"))

    book.update_settings(debtor_base=20000)

    assert (20000, Decimal("7.50")) == (
        book.settings.debtor_base,
        book.settings.kind(CORPORATE).dunning_fee,
    )


def test_update_settings_changes_book_and_kind_settings_together() -> None:
    """per_kind changes fields of kinds in the same transaction as the book-wide ones."""
    book, store = _book()

    settings = book.update_settings(
        anonymization_delay_days=60,
        # A kind may be named by its value, as in a settings file.
        per_kind={PRIVATE: {"dunning_fee": Decimal("5.00")}, "corporate": {"debtor_offset": 5}},  # type: ignore[dict-item]
    )

    assert (60, Decimal("5.00"), ("A", "B"), 5, 1) == (
        settings.anonymization_delay_days,
        settings.kind(PRIVATE).dunning_fee,
        settings.kind(PRIVATE).categories,
        settings.kind(CORPORATE).debtor_offset,
        store.calls["write transaction"],
    )


def test_update_kind_settings_is_one_transaction_too() -> None:
    """update_kind_settings reads and writes the settings in one write transaction."""
    book, store = _book()

    book.update_kind_settings(PRIVATE, dunning_fee=Decimal("5.00"))

    assert (1, 0) == (store.calls["write transaction"], store.calls["read transaction"])
