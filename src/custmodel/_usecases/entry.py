"""The duplicate check at entry: candidates from the store and within a batch, then scored.

Each draft's keys (:func:`custmodel.dedupe.candidate_keys`) are looked up in the store
(:meth:`~custmodel.storage.StoreTransaction.duplicate_candidates`, index lookups) and among the
drafts before it in the batch (the same keys, in a dictionary); only what shares a key is
scored (:func:`custmodel.dedupe.likely_duplicates`). A draft is not stored yet, so no "not a
duplicate" mark can name it; marks apply to the searches among stored customers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from custmodel._entrycheck import (
    DuplicateMode,
    Lookup,
    Registration,
    candidate_lookups,
    customer_lookups,
)
from custmodel._usecases import reading
from custmodel.errors import LikelyDuplicateError
from custmodel.model import Customer, NewCustomer
from custmodel.storage.ports import StoreTransaction

if TYPE_CHECKING:
    from custmodel.dedupe import DuplicateCandidate

#: A key value more customers than this share is no evidence (a placeholder e-mail, a big
#: town's postal code): the store skips it, and so does the check within a batch.
MAX_PER_VALUE = 20


def stored_candidates(
    tx: StoreTransaction, batch: Sequence[NewCustomer], threshold: float
) -> list[list[DuplicateCandidate]]:
    """Per draft, the stored customers that probably are the same party, best first."""
    from custmodel.dedupe import candidate_keys, likely_duplicates

    found = []
    for draft in batch:
        candidates = tx.duplicate_candidates(candidate_keys(draft), MAX_PER_VALUE)
        found.append(likely_duplicates(draft, candidates, threshold=threshold))
    return found


def registrations(
    customers: Sequence[Customer],
    stored: Sequence[Sequence[DuplicateCandidate]],
    threshold: float,
    *,
    refuse: bool,
) -> list[Registration]:
    """The registrations of ``customers`` with their candidates, stored and in the batch.

    Raises:
        LikelyDuplicateError: with ``refuse``, if any customer has a candidate.
    """
    within = _within_batch(customers, threshold)
    if refuse and (any(stored) or within):
        position = {c.number: i for i, c in enumerate(customers)}
        raise LikelyDuplicateError(
            {i: tuple(c.number for c in found) for i, found in enumerate(stored) if found},
            tuple(sorted((position[c.number], i) for i, found in within.items() for c in found)),
        )
    return [
        Registration(
            customer,
            tuple(sorted([*stored[i], *within.get(i, ())], key=lambda c: (-c.score, c.number))),
        )
        for i, customer in enumerate(customers)
    ]


def _within_batch(
    customers: Sequence[Customer], threshold: float
) -> dict[int, list[DuplicateCandidate]]:
    """Per position, the earlier customers of the batch that probably are the same party.

    Looked up as in the store: by the keys of each customer among what finds the earlier
    ones, a value shared by more than :data:`MAX_PER_VALUE` of them skipped.
    """
    from custmodel.dedupe import candidate_keys, likely_duplicates

    holders: defaultdict[Lookup, list[int]] = defaultdict(list)
    found: dict[int, list[DuplicateCandidate]] = {}
    for index, customer in enumerate(customers):
        earlier: set[int] = set()
        for lookup in candidate_lookups(candidate_keys(customer)):
            held = holders.get(lookup, [])
            if len(held) <= MAX_PER_VALUE:
                earlier.update(held)
        if earlier:
            matches = likely_duplicates(
                customer, [customers[j] for j in sorted(earlier)], threshold=threshold
            )
            if matches:
                found[index] = matches
        for lookup in customer_lookups(customer):
            if lookup[1] not in ("", None):
                holders[lookup].append(index)
    return found


def threshold(value: float | None, mode: DuplicateMode) -> float:
    """The match threshold of the check: ``value``, checked, or the finder's default."""
    if value is not None:
        return reading.threshold(value)
    if mode == "off":
        return 1.0  # unused
    from custmodel.dedupe import DEFAULT_THRESHOLD

    return DEFAULT_THRESHOLD
