""" "Not a duplicate" marks: the pair rule and what a merge does to the marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import DistinctMark, InvalidInputError
from custmodel._marks import distinct_pair, marks_after_merge

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _mark(low: int, high: int, days_ago: int = 0, actor: str | None = None) -> DistinctMark:
    return DistinctMark(low, high, marked_at=NOW - timedelta(days=days_ago), actor=actor)


def test_a_pair_is_held_lower_number_first() -> None:
    """distinct_pair(7, 3) is (3, 7), as is distinct_pair(3, 7)."""
    assert ((3, 7), (3, 7)) == (distinct_pair(7, 3), distinct_pair(3, 7))


@pytest.mark.parametrize(
    ("first", "second"), [(4, 4), (0, 1), (1, True), (1, "2"), (1, 2**63), (1.0, 2)]
)
def test_a_pair_of_the_same_or_no_numbers_is_refused(first: object, second: object) -> None:
    """The same number twice, or something that is no customer number, is refused."""
    with pytest.raises(InvalidInputError):
        distinct_pair(first, second)


@pytest.mark.parametrize(
    "fields",
    [
        {"low": 2, "high": 2},
        {"low": 3, "high": 2},
        {"low": 1, "high": 2, "marked_at": datetime(2026, 1, 1)},  # noqa: DTZ001 - naive on purpose
        {"low": 1, "high": 2, "actor": ""},
        {"low": 1, "high": 2, "actor": "a\nb"},
        {"low": 1, "high": 2, "actor": "x" * 101},
    ],
)
def test_a_mark_refuses_what_it_cannot_hold(fields: dict[str, object]) -> None:
    """A mark refuses equal or unordered numbers, a naive time and a bad actor."""
    with pytest.raises(InvalidInputError):
        DistinctMark(**{"marked_at": NOW, **fields})  # type: ignore[arg-type]


def test_a_merge_moves_a_duplicates_mark_to_the_master_keeping_when_and_who() -> None:
    """(2, 5) becomes (1, 5) when 2 is merged into 1, with its time and actor."""
    removed, added = marks_after_merge([_mark(2, 5, 3, "u-1")], 1, [2])

    assert ([(2, 5)], [_mark(1, 5, 3, "u-1")]) == (removed, added)


def test_a_merge_into_a_higher_number_orders_the_moved_pair() -> None:
    """(1, 2) becomes (2, 9) when 1 is merged into 9: the lower number stays first."""
    assert ([(1, 2)], [_mark(2, 9)]) == marks_after_merge([_mark(1, 2)], 9, [1])


def test_marks_between_merged_customers_are_dropped() -> None:
    """Marks between master and duplicate and between two duplicates go, none is added."""
    assert ([(1, 2), (2, 3)], []) == marks_after_merge([_mark(1, 2), _mark(2, 3)], 1, [2, 3])


def test_the_masters_own_mark_stays_and_absorbs_a_duplicates() -> None:
    """Master 1 and duplicate 2 both told apart from 5: (1, 5) stays, (2, 5) goes."""
    own, older = _mark(1, 5), _mark(2, 5, days_ago=9)

    assert ([(2, 5)], []) == marks_after_merge([own, older], 1, [2])


def test_of_two_duplicates_marks_for_one_customer_the_older_moves() -> None:
    """Duplicates 2 and 3 both told apart from 5: the older mark becomes (1, 5)."""
    newer, older = _mark(2, 5, 1, "newer"), _mark(3, 5, 4, "older")

    assert ([(2, 5), (3, 5)], [_mark(1, 5, 4, "older")]) == (
        marks_after_merge([newer, older], 1, [2, 3])
    )


def test_marks_of_other_customers_are_ignored() -> None:
    """A mark naming none of the merged customers stays as it is."""
    assert ([], []) == marks_after_merge([_mark(4, 5)], 1, [2])


@given(
    st.lists(
        st.tuples(st.integers(1, 8), st.integers(1, 8)).filter(lambda p: p[0] != p[1]),
        max_size=12,
    ),
    st.integers(1, 8),
    st.sets(st.integers(1, 8), min_size=1, max_size=3),
)
def test_after_a_merge_no_mark_names_a_duplicate_nor_pairs_the_master_with_itself(
    pairs: list[tuple[int, int]], master: int, duplicates: set[int]
) -> None:
    """Applying the result leaves marks that name no duplicate, each pair once."""
    duplicates.discard(master)
    marks = {distinct_pair(*p): _mark(*distinct_pair(*p)) for p in pairs}

    removed, added = marks_after_merge(marks.values(), master, duplicates)
    after = {p: m for p, m in marks.items() if p not in removed}
    for mark in added:
        assert mark.pair not in after
        after[mark.pair] = mark

    assert not any(duplicates & set(pair) for pair in after)
    touching = {p[0] if p[1] in duplicates else p[1] for p in marks if duplicates & set(p)}
    expected = {distinct_pair(master, n) for n in touching - {master} - duplicates}
    assert expected <= set(after)
