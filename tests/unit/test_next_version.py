"""Customers copied without validating their fields again equal the customers built validated:
a stored customer's next version, anonymized customers of a sweep."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Customer, CustomerKind, rules
from custmodel.model._customer import next_version
from custmodel.testing.strategies import customers


@given(customers())
def test_the_next_version_equals_the_customer_rebuilt_with_its_version_plus_one(
    customer: Customer,
) -> None:
    """next_version gives what attrs.evolve with version + 1 gives, field for field."""
    expected = attrs.evolve(customer, version=customer.version + 1)

    actual = next_version(customer)

    assert (expected, type(expected)) == (actual, type(actual))
    assert attrs.asdict(expected, recurse=False) == attrs.asdict(actual, recurse=False)


def test_the_next_version_of_version_3_is_4_and_leaves_the_original() -> None:
    """Customer 300 at version 3 becomes version 4; the customer it came from is unchanged."""
    at = datetime(2026, 1, 2, tzinfo=UTC)
    customer = Customer(
        number=300,
        kind=CustomerKind.PRIVATE,
        debtor_account=10300,
        last_name="Muster",
        created_at=at,
        updated_at=at,
        version=3,
    )

    assert (4, 3) == (next_version(customer).version, customer.version)


@given(st.lists(customers(), min_size=1, max_size=4))
def test_anonymizing_many_equals_anonymizing_each(people: list[Customer]) -> None:
    """rules.anonymized_all gives, customer for customer, what rules.anonymized gives."""
    at = datetime(2026, 1, 2, tzinfo=UTC)
    expected = [rules.anonymized(c, at)[0] for c in people]

    actual = rules.anonymized_all(people, at)

    assert [attrs.asdict(c, recurse=False) for c in expected] == [
        attrs.asdict(c, recurse=False) for c in actual
    ]
    assert [type(c) for c in expected] == [type(c) for c in actual]
