"""The one record shape every tool in the quality comparison reads, and its conversions.

custmodel gets :class:`custmodel.Customer` objects (kind private), recordlinkage and splink a
pandas data frame with the same fields; a missing value is an empty string on a customer and a
null in the data frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

import attrs

from bench.quality import Pair
from custmodel import Customer, CustomerKind

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FIELDS", "LinkageData", "Record", "customers", "frame"]

#: Every field a record can have; a data set uses some of them (FEBRL has no e-mail or phone).
FIELDS: Final = (
    "given_name",
    "surname",
    "street",
    "postcode",
    "city",
    "birth_date",
    "email",
    "phone",
)

_REGISTERED: Final = datetime(2020, 1, 2, 9, 30, tzinfo=UTC)


@attrs.frozen
class Record:
    """One person's record as a data set has it; "" (or None) for a missing value.

    Attributes:
        id: Position-independent id, 1 and up; becomes the customer number.
    """

    id: int
    given_name: str
    surname: str
    street: str
    postcode: str
    city: str
    birth_date: date | None
    email: str = ""
    phone: str = ""


@attrs.frozen
class LinkageData:
    """A data set for the quality comparison: records and the pairs that truly are duplicates.

    Attributes:
        name: "FEBRL1", "German synthetic" ...
        records: The records, ids 1..n.
        true_pairs: Every pair of records of the same person, the lower id first.
        fields: The fields the tools may use.
    """

    name: str
    records: tuple[Record, ...]
    true_pairs: frozenset[Pair]
    fields: tuple[str, ...]

    def describe(self) -> str:
        """ "FEBRL1 (1,000 records, 500 true pairs)"."""
        return f"{self.name} ({len(self.records):,} records, {len(self.true_pairs):,} true pairs)"


def customers(records: Sequence[Record], fields: Sequence[str]) -> list[Customer]:
    """The records as private customers; fields outside ``fields`` stay empty."""
    use = set(fields)
    result = []
    for r in records:
        result.append(
            Customer(
                number=r.id,
                kind=CustomerKind.PRIVATE,
                debtor_account=10_000 + r.id,
                last_name=r.surname if "surname" in use else "",
                first_name=r.given_name if "given_name" in use else "",
                street=r.street if "street" in use else "",
                postal_code=r.postcode if "postcode" in use else "",
                city=r.city if "city" in use else "",
                birth_date=r.birth_date if "birth_date" in use else None,
                email=r.email if "email" in use else "",
                phone=r.phone if "phone" in use else "",
                created_at=_REGISTERED,
                updated_at=_REGISTERED,
            )
        )
    return result


def frame(records: Sequence[Record], fields: Sequence[str]) -> pd.DataFrame:
    """The records as a data frame: ``unique_id`` and ``fields``, nulls for missing values.

    Birth dates are ISO strings ("1956-04-09"), as both peers compare them as text.
    """
    import pandas as pd

    columns: dict[str, list[object]] = {"unique_id": [r.id for r in records]}
    for field in fields:
        values: list[object] = []
        for r in records:
            value = getattr(r, field)
            if isinstance(value, date):
                value = value.isoformat()
            values.append(value or None)
        columns[field] = values
    return pd.DataFrame(columns)
