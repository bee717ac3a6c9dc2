"""A batch's customers, made as a store takes them, read as a list of them would be."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Customer, CustomerKind, NewCustomer
from custmodel._usecases.registration import _MadeAsTaken

_COUNT = 5


def _batch() -> tuple[list[Customer], list[int], _MadeAsTaken]:
    """Five customers, the positions made so far, and the sequence making them."""
    draft = NewCustomer(kind=CustomerKind.PRIVATE, last_name="Muster")
    at = datetime(2026, 1, 2, tzinfo=UTC)
    known = [
        Customer.from_draft(draft, number=n, debtor_account=10_000 + n, created_at=at)
        for n in range(1, _COUNT + 1)
    ]
    made: list[int] = []

    def make(position: int) -> Customer:
        made.append(position)
        return known[position]

    return known, made, _MadeAsTaken(make, _COUNT)


_INDEXES = st.integers(-_COUNT - 2, _COUNT + 1)
_SLICES = st.builds(
    slice, st.none() | _INDEXES, st.none() | _INDEXES, st.sampled_from([None, 1, 2, -1])
)


@given(st.lists(st.one_of(_INDEXES, _SLICES, st.just("iterate")), max_size=8))
def test_a_batch_reads_as_its_list_and_makes_each_customer_once_in_order(
    reads: list[int | slice | str],
) -> None:
    """Any mix of indexes, slices and iterations answers as the list of the customers does,
    an index out of range included; each customer is made once, and in the batch's order."""
    known, made, taken = _batch()

    for read in reads:
        if isinstance(read, str):  # "iterate"
            assert known == list(taken)
        elif isinstance(read, slice):
            assert known[read] == taken[read]
        elif -_COUNT <= read < _COUNT:
            assert known[read] is taken[read]
        else:
            with pytest.raises(IndexError):
                taken[read]

    assert _COUNT == len(taken)
    assert list(range(len(made))) == made


def test_a_customer_is_made_only_when_it_is_taken() -> None:
    """Iterating makes one customer per step: a store writing each as it comes has the
    first written before the next is made."""
    _known, made, taken = _batch()

    walking = iter(taken)
    next(walking)
    next(walking)

    assert [0, 1] == made
