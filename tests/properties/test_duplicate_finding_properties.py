"""Duplicate finding properties: a party entered again with a typo, swapped or missing is found."""

from __future__ import annotations

from datetime import date

import attrs
from hypothesis import given
from hypothesis import strategies as st

from custmodel import CustomerBook, CustomerKind, MemoryStore, NewCustomer

_LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
    "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
    "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Boucsein",
    "Kitzmann", "Zwetschgenbaum", "Özdemir", "Nowak",
)  # fmt: skip
_FIRST_NAMES = (
    "Hans", "Petra", "Jürgen", "Sabine", "Thomas", "Monika", "Stefan", "Claudia", "Andreas",
    "Ursula", "Michael", "Karin", "Wolfgang", "Renate", "Testine", "Lukas", "Hannah",
    "Mehmet", "Ayşe", "Dieter", "Gisela", "Jonas", "Leonie", "Friedrich",
)  # fmt: skip
_PLACES = (
    ("10115", "Berlin", "Invalidenstraße"),
    ("20095", "Hamburg", "Mönckebergstraße"),
    ("80331", "München", "Sendlinger Str."),
    ("50667", "Köln", "Hohe Straße"),
    ("01067", "Dresden", "Wilsdruffer Straße"),
)
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöü"


@st.composite
def parties(draw: st.DrawFn) -> NewCustomer:
    """A private customer with name, birth date, address and e-mail."""
    last = draw(st.sampled_from(_LAST_NAMES))
    first = draw(st.sampled_from(_FIRST_NAMES))
    postal_code, city, street = draw(st.sampled_from(_PLACES))
    return NewCustomer(
        CustomerKind.PRIVATE,
        last,
        first_name=first,
        birth_date=draw(st.dates(date(1930, 1, 1), date(2006, 12, 31))),
        street=f"{street} {draw(st.integers(1, 150))}",
        postal_code=postal_code,
        city=city,
        email=f"{first[0]}.{last}{draw(st.integers(1, 99))}@example.org".lower(),
    )


@st.composite
def typos(draw: st.DrawFn, name: str) -> str:
    """``name`` with one character replaced, dropped, added or swapped with its neighbour."""
    position = draw(st.integers(0, len(name) - 1))
    letter = draw(st.sampled_from(_LETTERS))
    kind = draw(st.sampled_from(["replace", "drop", "add", "swap"]))
    if kind == "replace":
        typo = name[:position] + letter + name[position + 1 :]
    elif kind == "drop":
        typo = name[:position] + name[position + 1 :]
    elif kind == "add":
        typo = name[:position] + letter + name[position:]
    else:
        position = min(position, len(name) - 2)
        typo = name[:position] + name[position + 1] + name[position] + name[position + 2 :]
    return typo if typo.strip() else name


@st.composite
def variants(draw: st.DrawFn, party: NewCustomer) -> NewCustomer:
    """The party entered again: one typo in a name, names swapped, or one field left out."""
    change = draw(
        st.sampled_from(["last typo", "first typo", "swapped", "birth", "street", "email"])
    )
    if change == "last typo":
        return attrs.evolve(party, last_name=draw(typos(party.last_name)))
    if change == "first typo":
        return attrs.evolve(party, first_name=draw(typos(party.first_name)))
    if change == "swapped":
        return attrs.evolve(party, last_name=party.first_name, first_name=party.last_name)
    if change == "birth":
        return attrs.evolve(party, birth_date=None)
    if change == "street":
        return attrs.evolve(party, street="")
    return attrs.evolve(party, email="")


@st.composite
def stores_with_a_duplicate_group(draw: st.DrawFn) -> tuple[CustomerBook, set[int]]:
    """A book of a few parties, one of which was entered again 1-3 times; returns its numbers."""
    party = draw(parties())
    others = draw(st.lists(parties(), max_size=6))
    again = draw(st.lists(variants(party), min_size=1, max_size=3))
    book = CustomerBook(MemoryStore())
    original = book.register_many([party, *others])[0].number
    return book, {original, *(c.number for c in book.register_many(again))}


@given(stores_with_a_duplicate_group())
def test_a_party_entered_again_with_one_change_is_found(
    case: tuple[CustomerBook, set[int]],
) -> None:
    """A typo anywhere in a name, swapped names or one missing field: the group is found."""
    book, group = case
    assert any(group <= set(g.customers) for g in book.find_duplicates())
