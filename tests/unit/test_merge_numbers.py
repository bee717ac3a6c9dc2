"""R8: the merge refusals decided on the numbers alone, asked in one place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custmodel import Customer, CustomerKind, MergeRefusedError, Settings, rules
from tests.booksupport import make_book

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _customer(number: int) -> Customer:
    return Customer(
        number=number,
        kind=CustomerKind.PRIVATE,
        debtor_account=10000 + number,
        last_name="Test",
        created_at=NOW,
        updated_at=NOW,
    )


def test_plan_merge_names_the_first_duplicate_listed_twice_in_list_order() -> None:
    """Of several duplicates listed twice, the refusal names the first in the caller's order."""
    two, three = _customer(2), _customer(3)

    with pytest.raises(MergeRefusedError) as refused:
        rules.plan_merge(Settings(), _customer(1), [two, three, three, two], [])

    assert "customer 2 is listed twice as a duplicate" == str(refused.value)


def test_the_book_and_the_rule_refuse_a_duplicate_listed_twice_alike() -> None:
    """CustomerBook.merge and rules.plan_merge give the same refusal for the same numbers."""
    book = make_book()
    for _ in range(3):
        book.register(CustomerKind.PRIVATE, "Test")
    with pytest.raises(MergeRefusedError) as by_book:
        book.merge(1, [2, 3, 3, 2])

    with pytest.raises(MergeRefusedError) as by_rule:
        rules.plan_merge(Settings(), _customer(1), [_customer(n) for n in (2, 3, 3, 2)], [])

    assert str(by_rule.value) == str(by_book.value)


def test_a_merge_into_itself_is_refused_before_the_customer_is_looked_up() -> None:
    """An unknown master among its duplicates is refused as a merge into itself."""
    with pytest.raises(MergeRefusedError) as refused:
        make_book().merge(99, [99])

    assert "customer 99 cannot be merged into itself" == str(refused.value)
