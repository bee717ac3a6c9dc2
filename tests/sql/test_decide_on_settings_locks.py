"""Writes decided on settings, labels or kinds hold what they decided on until they commit.

Each test holds one side's commit open while the other side runs, on every SQL engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal

import pytest

from custmodel import CustomerBook, CustomerKind, KindSettings, Settings
from custmodel.errors import InvalidCategoryError, InvalidStatusFlagError
from custmodel.model import Selection, StatusFlags
from custmodel.storage.sql import SqlStore
from tests.sql import _workers_locks as work

PRIVATE, CORPORATE = CustomerKind.PRIVATE, CustomerKind.CORPORATE
#: Flag 1 is labelled on PRIVATE only; PRIVATE has the categories A and B.
SETTINGS = Settings(
    kinds={
        PRIVATE: KindSettings(categories=("A", "B"), status_labels={1: "Newsletter"}),
        CORPORATE: KindSettings(),
    }
)


@pytest.fixture
def book(url: str) -> Iterator[CustomerBook]:
    """A book on the database with :data:`SETTINGS` stored."""
    store = SqlStore.from_url(url, upgrade=False)
    yield CustomerBook(store, SETTINGS)
    store.close()


def test_set_status_leaves_a_customer_whose_kind_changed_meanwhile(
    url: str, book: CustomerBook
) -> None:
    """A flag set while a kind change commits never lands on a kind it has no label on.

    The flag is left off the customer, or, where the engine serializes the two (SQLite), the
    whole command is refused as it would be after the kind change.
    """
    number = book.register(kind=PRIVATE, last_name="Muster").number

    with contextlib.suppress(InvalidStatusFlagError):
        work.while_held(
            url,
            lambda held: held.change_kind(number, CORPORATE),
            lambda acting: acting.set_status(Selection(), 1),
        )

    customer = book.get(number)
    assert (CORPORATE, StatusFlags()) == (customer.kind, customer.status)


def test_removing_a_category_waits_for_a_registration_that_uses_it(
    url: str, book: CustomerBook
) -> None:
    """A category removed while a customer with it is registered is refused: it is carried."""
    with pytest.raises(InvalidCategoryError):
        work.while_held(
            url,
            lambda held: held.register(kind=PRIVATE, last_name="Muster", category="B"),
            lambda acting: acting.update_kind_settings(PRIVATE, categories=("A",)),
        )

    assert (("A", "B"), ["B"]) == (
        book.settings.kind(PRIVATE).categories,
        [c.category for c in book.select(Selection(kind=PRIVATE))],
    )


def test_deleting_a_label_counts_the_flags_set_while_it_waited(
    url: str, book: CustomerBook
) -> None:
    """A label deleted while a flag is set on a customer reports that customer as a carrier."""
    book.register(kind=PRIVATE, last_name="Muster")

    carriers = work.while_held(
        url,
        lambda held: held.set_status(Selection(), 1),
        lambda acting: acting.rename_status_label(PRIVATE, 1, None),
    )

    assert (1, {}) == (carriers, dict(book.settings.kind(PRIVATE).status_labels))


def test_a_merge_keeps_a_settings_change_committed_while_it_ran(
    url: str, book: CustomerBook
) -> None:
    """A kind's new template customer and fee, committed while a merge ran, are kept."""
    master, template, other = (
        book.register(kind=PRIVATE, last_name="Muster").number for _ in range(3)
    )
    book.update_kind_settings(PRIVATE, template_customer=template)

    work.while_held(
        url,
        lambda held: held.update_kind_settings(
            PRIVATE, template_customer=other, dunning_fee=Decimal("5.00")
        ),
        lambda acting: acting.merge(master, [template]),
    )

    private = book.settings.kind(PRIVATE)
    assert (other, Decimal("5.00")) == (private.template_customer, private.dunning_fee)
