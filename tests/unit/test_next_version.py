"""Customers and history entries copied without validating their fields again equal those built
validated: a stored customer's next version, anonymized customers of a sweep, their entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Customer, CustomerKind, InvalidInputError, NewCustomer, rules
from custmodel.model._assembly import assembly
from custmodel.model._customer import next_version
from custmodel.model._history import HistoryAction, HistoryEntry, entry_for_customer
from custmodel.testing import strategies as cst
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


_C = TypeVar("_C", bound=Customer)


def _stored(cls: type[_C], number: int, **fields: Any) -> _C:
    """Private customer ``number`` of class ``cls``, stored on 2026-01-02, with ``fields``."""
    at = datetime(2026, 1, 2, tzinfo=UTC)
    return cls(
        number=number,
        kind=CustomerKind.PRIVATE,
        debtor_account=10_000 + number,
        last_name="Muster",
        created_at=at,
        updated_at=at,
        **fields,
    )


def test_the_next_version_of_version_3_is_4_and_leaves_the_original() -> None:
    """Customer 300 at version 3 becomes version 4; the customer it came from is unchanged."""
    customer = _stored(Customer, 300, version=3)

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


@attrs.frozen
class _HostCustomer(Customer):
    """A host's own subclass of Customer with one field of its own."""

    branch: str = "main"


def _host_customer() -> _HostCustomer:
    return _stored(_HostCustomer, 301, branch="north")


def test_the_next_version_of_a_subclass_keeps_its_class_and_its_own_fields() -> None:
    """A host's subclass of Customer goes on being that class, its own field kept."""
    customer = _host_customer()

    actual = next_version(customer)

    assert isinstance(actual, _HostCustomer)
    assert (type(actual), actual.version, actual.branch) == (_HostCustomer, 2, "north")


def test_a_subclass_registered_from_a_draft_is_that_class_with_its_defaults() -> None:
    """from_draft on a subclass builds it through its constructor, its own field defaulted."""
    draft = NewCustomer(kind=CustomerKind.PRIVATE, last_name="Muster", city="Köln")
    at = datetime(2026, 1, 2, tzinfo=UTC)

    actual = _HostCustomer.from_draft(draft, number=7, debtor_account=10007, created_at=at)

    assert isinstance(actual, _HostCustomer)
    assert (actual.branch, actual.city, actual.number, actual.updated_at) == (
        "main",
        "Köln",
        7,
        at,
    )


@given(customers())
def test_an_assembled_customer_is_a_frozen_customer_equal_to_its_source(
    customer: Customer,
) -> None:
    """What the generated builders put together is a Customer, frozen like any other."""
    fields = [f.name for f in attrs.fields(Customer)]
    building, namespace = assembly(Customer, {name: f"source.{name}" for name in fields})
    source = "\n".join(["def build(source):", *[f"    {s}" for s in building], "    return c"])
    exec(source, namespace)  # noqa: S102 (the generated builder under test)

    built = namespace["build"](customer)

    assert (type(built), built) == (Customer, customer)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.number = 5


def test_an_assembly_without_a_value_for_every_field_is_refused() -> None:
    """A generated builder that forgot a field is refused when it is made, not when it runs."""
    fields = [f.name for f in attrs.fields(Customer) if f.name != "version"]

    with pytest.raises(TypeError, match="each of its fields"):
        assembly(Customer, {name: f"source.{name}" for name in fields})


def test_this_interpreter_assembles_customers_by_plain_stores() -> None:
    """CPython turns the unfinished object into a Customer: the quick path is the one taken."""
    building, _ = assembly(Customer, {f.name: "None" for f in attrs.fields(Customer)})

    assert building[0] == "c = _new(_Twin)"
    assert building[-1] == "c.__class__ = _Class"


@given(cst.history_entries(), st.integers(min_value=1, max_value=2**63 - 1))
def test_an_entry_for_another_customer_equals_the_entry_rebuilt_for_it(
    entry: HistoryEntry, customer: int
) -> None:
    """entry_for_customer gives what attrs.evolve with the customer gives, field for field."""
    expected = attrs.evolve(entry, customer=customer)

    actual = entry_for_customer(entry, customer)

    assert (expected, type(expected)) == (actual, type(actual))
    assert attrs.asdict(expected, recurse=False) == attrs.asdict(actual, recurse=False)


@pytest.mark.parametrize("customer", [0, -1, 2**63, True, 1.0, "7"])
def test_an_entry_for_a_customer_that_is_no_number_is_refused(customer: Any) -> None:
    """The one value not taken from a validated entry is checked as the constructor checks it."""
    entry = HistoryEntry(
        at=datetime(2026, 1, 2, tzinfo=UTC), action=HistoryAction.ANONYMIZED, customer=5
    )

    with pytest.raises(InvalidInputError, match="customer"):
        entry_for_customer(entry, customer)


def test_a_class_without_a_twin_is_assembled_through_its_slots() -> None:
    """HistoryEntry adds its own weak reference slot, so CPython will not turn a twin into one:
    its assembly sets each slot through the slot's descriptor, and still gives the entry."""
    entry = HistoryEntry(
        at=datetime(2026, 1, 2, tzinfo=UTC), action=HistoryAction.ANONYMIZED, customer=5
    )
    building, namespace = assembly(
        HistoryEntry, {f.name: f"source.{f.name}" for f in attrs.fields(HistoryEntry)}, "e"
    )
    source = "\n".join(["def build(source):", *[f"    {s}" for s in building], "    return e"])
    exec(source, namespace)  # noqa: S102 (the generated builder under test)

    assert building[0] == "e = _new(_Class)"
    assert (type(namespace["build"](entry)), namespace["build"](entry)) == (HistoryEntry, entry)
