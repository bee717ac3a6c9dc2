"""Property tests of travelshop's own code, on customers custmodel's testing kit generates.

Nothing from ``custmodel.testing`` is imported here: with ``custmodel[testing]`` installed,
hypothesis knows custmodel's types (``st.from_type(Customer)``) and pytest offers the
``custmodel_store`` and ``custmodel_book`` fixtures, through the kit's entry points.
"""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Customer, CustomerBook, CustomerKind
from custmodel.storage import CustomerStore
from travelshop import salutation_line
from travelshop.letters import NEUTRAL


@given(st.from_type(Customer))
def test_every_customer_gets_one_greeting_line(customer: Customer) -> None:
    """Any customer a store may hold gets one line that ends in a comma."""
    line = salutation_line(customer)

    assert line.endswith(",")
    assert [line] == line.splitlines()


@given(st.from_type(Customer))
def test_anonymized_customers_are_never_greeted_by_name(customer: Customer) -> None:
    """Once anonymized, a customer gets the neutral greeting, whatever the record still says."""
    anonymized = attrs.evolve(customer, anonymized_at=customer.updated_at)

    assert NEUTRAL == salutation_line(anonymized)


def test_each_test_gets_an_empty_store(custmodel_store: CustomerStore) -> None:
    """The plugin's store is new and empty."""
    assert 0 == CustomerBook(custmodel_store).count()


def test_a_registered_customer_is_greeted_with_title_and_name(
    custmodel_book: CustomerBook,
) -> None:
    """A customer registered as "Frau Dr." Müller is greeted so."""
    customer = custmodel_book.register(
        CustomerKind.PRIVATE, "Müller", first_name="Anna", salutation="Frau Dr."
    )

    assert "Sehr geehrte Frau Dr. Müller," == salutation_line(custmodel_book.get(customer.number))


def test_an_anonymized_customer_is_greeted_neutrally(custmodel_book: CustomerBook) -> None:
    """After anonymization the stored customer gets the neutral greeting."""
    customer = custmodel_book.register(CustomerKind.PRIVATE, "Müller", salutation="Herr")
    custmodel_book.anonymize(customer.number, "AG1")

    assert NEUTRAL == salutation_line(custmodel_book.get(customer.number))
