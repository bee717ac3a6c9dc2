"""The model refuses text the SQL columns could not hold, so every store refuses the same."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from sqlalchemy import String

from custmodel import (
    Booking,
    Customer,
    CustomerBook,
    CustomerKind,
    InvalidInputError,
    MemoryStore,
    NewCustomer,
    SalesChannel,
)
from custmodel.storage import _sqlschema as schema


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
        if isinstance(c.type, String) and c.type.length and c.name in limits
    }
    assert columns == limits


def test_memory_store_refuses_text_longer_than_the_column() -> None:
    """A 256-character first name is refused by the model, before any store sees it."""
    book = CustomerBook(MemoryStore())
    with pytest.raises(InvalidInputError, match="first_name is longer than 255"):
        book.register(CustomerKind.PRIVATE, "Weber", first_name="x" * 256)
    assert 0 == book.count()


@pytest.mark.parametrize("field", ["travel_type", "destination"])
def test_bookings_refuse_statistics_text_longer_than_the_column(field: str) -> None:
    """A 101-character travel type or destination is refused by the model, like every store."""
    booking = Booking("VG-1", 1, "booking", date(2025, 5, 1), "AG1", **{field: "x" * 100})

    with pytest.raises(InvalidInputError, match=f"{field} is longer than 100"):
        attrs.evolve(booking, **{field: "x" * 101})
