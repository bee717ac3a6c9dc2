"""The model refuses text the SQL columns could not hold, so every store refuses the same."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from sqlalchemy import String, Text

from custmodel import (
    MAX_MONEY,
    MAX_NOTES_LENGTH,
    Booking,
    BookingKind,
    Customer,
    CustomerBook,
    CustomerKind,
    InvalidInputError,
    MemoryStore,
    NewCustomer,
    SalesChannel,
    StatisticsDimension,
)
from custmodel.model import max_length
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, booking_to_row
from tests.sql.helpers import register

PRIVATE = CustomerKind.PRIVATE


@pytest.mark.parametrize(
    ("model", "table", "renames"),
    [
        (Customer, schema.customers, {}),
        (NewCustomer, schema.customers, {}),
        (Booking, schema.bookings, {}),
        (SalesChannel, schema.bookings, {"name": "channel_name"}),
    ],
    ids=["Customer", "NewCustomer", "Booking", "SalesChannel"],
)
def test_model_text_limits_equal_the_column_lengths(
    model: type, table: object, renames: dict[str, str]
) -> None:
    """Every limited text field has exactly its SQL column's length, and vice versa."""
    limits = {
        renames.get(f.name, f.name): f.metadata["max_length"]
        for f in attrs.fields(model)
        if "max_length" in f.metadata
    }
    columns = {
        c.name: c.type.length
        for c in table.columns  # type: ignore[attr-defined]
        if isinstance(c.type, String) and c.name in limits
    }
    # A TEXT column has no length; the model's limit must fit MariaDB's TEXT (tested below).
    texts = {name for name, length in columns.items() if length is None}
    assert {name: limits[name] for name in columns if name not in texts} == {
        name: length for name, length in columns.items() if name not in texts
    }
    assert set(limits) == set(columns)


def test_customer_notes_fit_mariadb_text_in_any_characters() -> None:
    """The notes limit in characters, 4 UTF-8 bytes each, fits MariaDB's 65,535-byte TEXT."""
    assert isinstance(schema.customers.c.notes.type, Text)
    assert 65_535 >= 4 * max_length(Customer, "notes")


def test_notes_of_the_limit_are_taken_and_one_more_character_is_refused() -> None:
    """Notes of MAX_NOTES_LENGTH four-byte characters are accepted; one more is refused."""
    draft = NewCustomer(PRIVATE, "Weber", notes="\U0001f600" * MAX_NOTES_LENGTH)

    with pytest.raises(InvalidInputError, match=f"notes is longer than {MAX_NOTES_LENGTH}"):
        attrs.evolve(draft, notes=draft.notes + "x")


def test_memory_store_refuses_text_longer_than_the_column() -> None:
    """A 256-character first name is refused by the model, before any store sees it."""
    book = CustomerBook(MemoryStore())
    with pytest.raises(InvalidInputError, match="first_name is longer than 255"):
        book.register(CustomerKind.PRIVATE, "Weber", first_name="x" * 256)
    assert 0 == book.count()


@pytest.mark.parametrize("field", ["travel_type", "destination"])
def test_bookings_refuse_statistics_text_longer_than_the_column(field: str) -> None:
    """A 101-character travel type or destination is refused by the model, like every store."""
    longest: dict[str, Any] = {field: "x" * 100}
    too_long: dict[str, Any] = {field: "x" * 101}
    booking = Booking("VG-1", 1, "booking", date(2025, 5, 1), "AG1", **longest)

    with pytest.raises(InvalidInputError, match=f"{field} is longer than 100"):
        attrs.evolve(booking, **too_long)


#: Bookings of MAX_MONEY each whose revenue, in cents, adds up to more than 2**63 - 1.
OVERFLOWING_BOOKINGS = 2**63 // int(MAX_MONEY * 100) + 1


@pytest.mark.parametrize(
    "group_by", [StatisticsDimension.KIND, StatisticsDimension.TRAVEL_TYPE], ids=str
)
def test_revenue_beyond_64_bit_cents_is_summed_exactly(
    sql_url: str, group_by: StatisticsDimension
) -> None:
    """Statistics add up revenue whose sum in cents exceeds 64 bits, exactly, on every engine:
    by a customer's dimension, and by a booking's, where the bookings are first added up per
    customer."""
    store = SqlStore.from_url(sql_url)
    try:
        register(store)
        rows = [
            booking_to_row(
                Booking(
                    f"VG-{n:05d}",
                    1,
                    BookingKind.BOOKING,
                    date(2025, 5, 1),
                    "AG1",
                    revenue=MAX_MONEY,
                )
            )
            for n in range(OVERFLOWING_BOOKINGS)
        ]
        with store.engine.begin() as connection:
            connection.execute(sa.insert(schema.bookings), rows)

        totals = CustomerBook(store).statistics(group_by=group_by).totals
    finally:
        store.close()

    assert MAX_MONEY * OVERFLOWING_BOOKINGS == totals.revenue
    assert 2**63 <= totals.revenue * 100
