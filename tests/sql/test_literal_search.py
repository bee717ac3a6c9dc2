"""Name and code searches take user text literally and fold case exactly like search_key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from custmodel.model import Customer, Selection
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import customer

NAMES = [
    "100% Reisen",
    "100 Reisen",
    "1000 Reisen",
    "A_B Touristik",
    "AxB Touristik",
    "Back\\slash",
    "Backslash",
    "Back\\\\slash",
    "50\\% Rabatt",
    "Straße",
    "STRASSE",
    "Müller",
    "MUELLER",
    "Mu\u0308ller",  # decomposed ü: search_key normalizes it to NFC
    "Ǆemal",
]


@pytest.fixture
def stored(sql_url: str) -> Iterator[tuple[SqlStore, list[Customer]]]:
    """A store holding one customer per name in NAMES, and those customers."""
    store = SqlStore.from_url(sql_url)
    customers = [customer(n, last_name=name) for n, name in enumerate(NAMES, start=1)]
    with store.transaction() as tx:
        tx.allocate_numbers(len(customers))
        tx.insert_customers(customers)
    yield store, customers
    store.close()


def _names(store: SqlStore, selection: Selection) -> list[str]:
    with store.transaction(write=False) as tx:
        return [c.last_name for c in tx.select(selection)]


def test_percent_matches_only_itself(stored: tuple[SqlStore, list[Customer]]) -> None:
    """A % in the searched name is a percent sign, not a wildcard."""
    store, _ = stored

    assert ["100% Reisen"] == _names(store, Selection(name="100%"))


def test_underscore_matches_only_itself(stored: tuple[SqlStore, list[Customer]]) -> None:
    """An _ in the searched name is an underscore, not a one-character wildcard."""
    store, _ = stored

    assert ["A_B Touristik"] == _names(store, Selection(name="a_b"))


def test_backslash_matches_only_itself(stored: tuple[SqlStore, list[Customer]]) -> None:
    """A backslash in the searched name escapes nothing: it finds names with a backslash."""
    store, _ = stored

    assert ["Back\\slash"] == _names(store, Selection(name="k\\s"))
    assert ["Back\\\\slash"] == _names(store, Selection(name="\\\\"))
    assert ["50\\% Rabatt"] == _names(store, Selection(name="0\\%"))


def test_sharp_s_folds_like_search_key(stored: tuple[SqlStore, list[Customer]]) -> None:
    """ "strasse" finds "Straße" and "STRASSE", because casefold turns ß into ss."""
    store, _ = stored

    assert ["Straße", "STRASSE"] == _names(store, Selection(name="strasse"))


def test_umlauts_fold_like_search_key(stored: tuple[SqlStore, list[Customer]]) -> None:
    """ "MÜLLER" finds composed and decomposed "Müller", but not "MUELLER"."""
    store, _ = stored

    assert ["Müller", "Mu\u0308ller"] == _names(store, Selection(name="MÜLLER"))


@pytest.mark.parametrize(
    "needle",
    ["%", "_", "\\", "0%", "%r", "a_", "\\%", "\\\\", "ss", "ß", "ü", "u\u0308", "ǆ", "Ǆ", ""],
)
def test_name_search_agrees_with_selection_matches(
    stored: tuple[SqlStore, list[Customer]], needle: str
) -> None:
    """The database selects exactly the customers Selection.matches selects."""
    store, customers = stored
    selection = Selection(name=needle)

    expected = [c.last_name for c in customers if selection.matches(c)]

    assert expected == _names(store, selection)


def test_code1_compares_case_and_trailing_spaces_exactly(sql_url: str) -> None:
    """Code1 "ab" finds neither "AB" nor "ab " (MariaDB's default collations would)."""
    store = SqlStore.from_url(sql_url)
    try:
        codes = ["ab", "AB", "ab ", "áb", "a%"]
        with store.transaction() as tx:
            tx.allocate_numbers(len(codes))
            tx.insert_customers([customer(n, code1=c) for n, c in enumerate(codes, start=1)])

        with store.transaction(write=False) as tx:
            found = {code: [c.code1 for c in tx.find_by_code1(code)] for code in codes}
            selected = [c.code1 for c in tx.select(Selection(code1="a%"))]

        assert {code: [code] for code in codes} == found
        assert ["a%"] == selected
    finally:
        store.close()
