"""The customers table's columns for the customer's own fields come from their declaration."""

from __future__ import annotations

from sqlalchemy import BigInteger, Date, String, Text

from custmodel.model import FieldShape, customer_fields
from custmodel.storage.sql import _schema


def test_every_declared_field_has_its_column_typed_by_its_shape() -> None:
    """Type, length and nullability of each own field's column follow the declaration."""
    table = _schema.customers
    for field in customer_fields():
        column = table.c[field.name]
        shape = field.metadata["shape"]
        expected = {
            FieldShape.TEXT: String,
            FieldShape.LONG_TEXT: Text,
            FieldShape.DATE: Date,
            FieldShape.FLAGS: BigInteger,
        }[shape]
        assert isinstance(column.type, expected), field.name
        if shape is FieldShape.TEXT:
            assert field.metadata["max_length"] == column.type.length, field.name  # type: ignore[attr-defined]
        assert (field.metadata["blank"] is None) == column.nullable, field.name


def test_the_columns_follow_a_new_declaration() -> None:
    """own_columns() reads the declaration when called: a field declared there gets a column."""
    names = [column.name for column in _schema.own_columns()]
    assert [field.name for field in customer_fields()] == names
    assert {"last_name", "notes", "birth_date", "status"} <= set(names)
