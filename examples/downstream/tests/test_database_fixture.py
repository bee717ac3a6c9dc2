"""A database of its own for every test: run these tests on PostgreSQL or MariaDB by naming the
server, and each test (each hypothesis example, with the factory) works in a new schema or
database that is dropped when it ends.

    export CUSTMODEL_TEST_STORE_URL=postgresql://postgres@localhost/test
    pytest tests/test_database_fixture.py

Without a URL the same tests run on memory stores. CI runs this file once with the others, and
again on a PostgreSQL and a MariaDB server.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from custmodel import CustomerBook, CustomerKind, NewCustomer
from custmodel.storage import CustomerStore
from custmodel.testing.stores import NAME_PREFIX, StoreFactory

NAMES = st.sampled_from(["Müller", "Weiß", "Öztürk", "Łukasiewicz", "Nguyễn"])


def _schema_or_database(store: CustomerStore) -> str | None:
    """The schema (PostgreSQL) or database (MariaDB) the store works in; None for others."""
    engine = getattr(store, "engine", None)  # a SqlStore's SQLAlchemy engine
    if engine is None or engine.dialect.name == "sqlite":
        return None
    current = "current_schema()" if engine.dialect.name == "postgresql" else "DATABASE()"
    with engine.connect() as connection:
        name: str = connection.exec_driver_sql(f"SELECT {current}").scalar_one()
    return name


def _keep_a_note(store: CustomerStore) -> None:
    """Create the application's own table beside custmodel's and write to it.

    Two tests that both do so would collide (the table exists already) if they shared a
    database; with one of its own each, both pass.
    """
    engine = getattr(store, "engine", None)
    if engine is None:
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE travelshop_notes (customer INTEGER NOT NULL, note VARCHAR(200))"
        )
        connection.exec_driver_sql(
            "INSERT INTO travelshop_notes (customer, note) VALUES (1, 'Ruft zurück')"
        )


def test_a_test_starts_with_an_empty_store(custmodel_book: CustomerBook) -> None:
    """The first customer of a test gets number 1, whatever other tests registered."""
    customer = custmodel_book.register(CustomerKind.PRIVATE, "Müller", first_name="Anna")

    assert 1 == customer.number
    _keep_a_note(custmodel_book.store)


def test_the_next_test_starts_empty_again(custmodel_book: CustomerBook) -> None:
    """Another test starts from an empty store too, and may create the same tables."""
    assert 0 == custmodel_book.count()

    assert 1 == custmodel_book.register(CustomerKind.CORPORATE, "Reisewelt GmbH").number
    _keep_a_note(custmodel_book.store)


def test_a_server_store_works_in_a_schema_or_database_of_its_own(
    custmodel_store: CustomerStore,
) -> None:
    """On a server the store's schema or database is a new one, named custmodel_t_<random>."""
    name = _schema_or_database(custmodel_store)

    assert name is None or name.startswith(NAME_PREFIX)


@settings(max_examples=2, deadline=None)
@given(names=st.lists(NAMES, min_size=1, max_size=4))
def test_every_example_gets_a_new_store(
    custmodel_store_factory: StoreFactory, names: list[str]
) -> None:
    """Inside @given, fresh() gives each example an empty store, removed when it ends."""
    with custmodel_store_factory.fresh() as store:
        book = CustomerBook(store)
        drafts = [NewCustomer(CustomerKind.PRIVATE, name) for name in names]

        assert list(range(1, len(names) + 1)) == [c.number for c in book.register_many(drafts)]
