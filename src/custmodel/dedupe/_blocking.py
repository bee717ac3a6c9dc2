"""Candidate pairs: who is compared with whom, in blocks that survive typos and stay bounded.

Several passes put customers into blocks, each by another key, so a pair missed by one key
(a typo in the last name changes its phonetic code) is found by another (same birth date,
same address, same e-mail). Names are blocked on the sorted pair of phonetic codes, so
swapped first and last names land in one block.

Every block is bounded: a block of at most :data:`MAX_BLOCK` customers is compared all
against all; a larger one (a placeholder e-mail, the phone "0000", a common name in one town)
is sorted by name and each customer compared with its :data:`WINDOW` neighbours only. So a
value shared by very many customers costs linear time, never quadratic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations

from custmodel.dedupe._profile import Profile

__all__ = ["MAX_BLOCK", "WINDOW", "block_keys", "candidate_pairs"]

#: Largest block compared all against all.
MAX_BLOCK = 24
#: Neighbours each customer of a larger block is compared with, in name order.
WINDOW = 6


def block_keys(p: Profile) -> Iterator[str]:
    """The block keys of a profile, each prefixed with its pass."""
    if p.last_code or p.first_code:
        yield "n" + "|".join(sorted((p.last_code, p.first_code)))
    if p.birth:
        yield "b" + p.birth
    if p.email:
        yield "e" + p.email
    if p.phone:
        yield "t" + p.phone
    codes = {code for code in (p.last_code, p.first_code) if code}
    if p.street:
        # The same street and house number, in any town (a postal code typo), with either
        # name in either column: a changed surname, a typo in the other name, or both
        # a typo and the names swapped.
        for code in codes:
            yield f"a{p.street}|{code}"
        if p.postal:
            # The same address, whatever the names: a missing first name and a typo in
            # the last name.
            yield f"p{p.street}|{p.postal}"
    if p.postal:
        if p.first_code and p.last:
            # A typo in the last name leaves its start or its end alone.
            yield f"f{p.postal}|{p.first_code}|{p.last[:2]}"
            yield f"g{p.postal}|{p.first_code}|{p.last[-3:]}"
        for code in codes:
            yield f"l{p.postal}|{code}"


def candidate_pairs(
    profiles: Sequence[Profile], keys: Callable[[Profile], Iterable[str]] = block_keys
) -> set[int]:
    """Pairs of profile indexes to compare, each encoded as ``i * len(profiles) + j``, i < j."""
    n = len(profiles)
    # Most keys are held by one customer alone. Its index is kept as a plain int, and a list
    # made only once a second customer shares the key: a list per key (close to a million for
    # 100,000 customers) made Python's garbage collector walk them again and again, and took
    # more time than the blocking itself.
    first: dict[str, int] = {}
    blocks: dict[str, list[int]] = {}
    for index, profile in enumerate(profiles):
        for key in keys(profile):
            block = blocks.get(key)
            if block is not None:
                if block[-1] != index:  # a key given twice is held once
                    block.append(index)
                continue
            other = first.setdefault(key, index)
            if other != index:
                blocks[key] = [other, index]
    pairs: set[int] = set()
    add = pairs.add
    for block in blocks.values():
        size = len(block)
        if size > MAX_BLOCK:
            block = sorted(block, key=lambda i: (profiles[i].last, profiles[i].first, i))
            for k, i in enumerate(block):
                for j in block[k + 1 : k + 1 + WINDOW]:
                    add(i * n + j if i < j else j * n + i)
            continue
        # Indexes were appended in ascending order, so i < j in every combination.
        pairs.update(i * n + j for i, j in combinations(block, 2))
    return pairs
