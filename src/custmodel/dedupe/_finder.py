"""The old scorer behind the new interface (replaced step by step)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from custmodel.dedupe._normalize import digits, extra, normalize_name
from custmodel.dedupe._types import (
    CandidateKeys,
    Comparison,
    DuplicateCandidate,
    DuplicateGroup,
    DuplicatePair,
)
from custmodel.model import Customer, NewCustomer, search_key

__all__ = ["DEFAULT_THRESHOLD", "candidate_keys", "find_duplicate_groups", "likely_duplicates"]

#: The lowest match probability that counts as a duplicate.
DEFAULT_THRESHOLD = 0.85


@attrs.frozen
class _Profile:
    number: int
    last: str
    first: str
    full: str
    last_code: str
    first_code: str
    email: str
    phone: str
    postal_code: str
    birth: str


def _profile(customer: Customer | NewCustomer, encode: Callable[[str], str]) -> _Profile:
    last = normalize_name(customer.last_name or customer.company)
    first = normalize_name(customer.first_name)
    phone = digits(customer.phone)
    return _Profile(
        number=getattr(customer, "number", 0),
        last=last,
        first=first,
        full=f"{last} {first}".strip(),
        last_code=encode(last),
        first_code=encode(first.split(" ")[0]) if first else "",
        email=customer.email.strip().casefold(),
        # The last eight digits: "+49 30 1234567" and "030 1234567" are the same line.
        phone=phone[-8:] if len(phone) >= 6 else "",
        postal_code=customer.postal_code.strip(),
        birth=customer.birth_date.isoformat() if customer.birth_date else "",
    )


def _blocks(profile: _Profile) -> list[tuple[str, str]]:
    keys = []
    if profile.last_code:
        keys.append(("name", f"{profile.last_code}|{profile.first_code}"))
        if profile.birth:
            keys.append(("birth", f"{profile.last_code}|{profile.birth}"))
        if profile.postal_code:
            keys.append(("place", f"{profile.last_code}|{profile.postal_code}"))
    if profile.email:
        keys.append(("email", profile.email))
    if profile.phone:
        keys.append(("phone", profile.phone))
    return keys


def _score(
    a: _Profile, b: _Profile, fuzz: Any, threshold: float
) -> tuple[float, tuple[str, ...]] | None:
    """Score a candidate pair; None when they are different parties or below ``threshold``.

    The cheap evidence (dates, e-mail, phone, postal code) is weighed first: when even a perfect
    name match could not reach the threshold, no fuzzy comparison is made.
    """
    if a.birth and b.birth and a.birth != b.birth:
        return None
    same_birth = bool(a.birth) and a.birth == b.birth
    reasons: list[str] = []
    bonus = 0.0
    if same_birth:
        bonus += 0.15
        reasons.append("same birth date")
    if a.email and a.email == b.email:
        bonus += 0.2
        reasons.append("same e-mail")
    if a.phone and a.phone == b.phone:
        bonus += 0.15
        reasons.append("same phone")
    if a.postal_code and b.postal_code:
        if a.postal_code == b.postal_code:
            bonus += 0.05
            reasons.append("same postal code")
        else:
            # Same name at another address is weak evidence: common names are common.
            bonus -= 0.2
    if 1.0 + bonus < threshold:
        return None
    if a.first and b.first:
        # "Jan"/"Jana", "Paul"/"Paula" are different people, and couples share e-mail and
        # phone; only a shared birth date makes a first-name typo believable.
        first = fuzz.ratio(a.first, b.first) / 100
        if first < (0.6 if same_birth else 0.88):
            return None
    else:
        first = 1.0 if a.first == b.first else 0.8
    last = fuzz.ratio(a.last, b.last) / 100
    if a.last_code and a.last_code == b.last_code and a.last != b.last:
        # Kölner Phonetik agrees: "Meier"/"Mayer" are one name spelt two ways.
        last = max(last, 0.9)
        reasons.insert(0, f"last names sound alike ({a.last_code})")
    name = 0.6 * last + 0.4 * first
    score = round(min(name + bonus, 1.0), 4)
    if score < threshold:
        return None
    return score, (f"name {round(name * 100)}%", *reasons)


def _comparisons(reasons: tuple[str, ...]) -> tuple[Comparison, ...]:
    fields = {
        "same birth date": "birth_date",
        "same e-mail": "email",
        "same phone": "phone",
        "same postal code": "postal_code",
    }
    return tuple(Comparison(fields[r], "exact", 1.0) for r in reasons if r in fields)


_BLOCK_ORDER = {"name": 0, "birth": 1, "place": 2, "email": 3, "phone": 4}


def find_duplicate_groups(
    customers: Iterable[Customer],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    focus: int | None = None,
    distinct: Iterable[tuple[int, int]] = (),
) -> list[DuplicateGroup]:
    """Group customers that are probably the same party, best groups first.

    Merged and anonymized customers are left out: they cannot be merged.

    Args:
        customers: The customers to search.
        threshold: The lowest pair score that counts as a match (0..1).
        focus: Only return the matches of this customer number.
        distinct: Pairs of customer numbers marked "not a duplicate": never paired, and no
            group holds both (a group is split by leaving out its weakest links).

    Raises:
        MissingExtraError: without the ``dedupe`` extra installed.
    """
    rapidfuzz, cologne = extra()
    fuzz = rapidfuzz.fuzz
    marked = _marked(distinct)
    codes: dict[str, str] = {}

    def encode(text: str) -> str:
        if text not in codes:
            codes[text] = " ".join(c for _w, c in cologne.encode(text)) if text else ""
        return codes[text]

    profiles = [_profile(c, encode) for c in customers if c.is_active and not c.is_anonymized]
    keys = [_blocks(p) for p in profiles]
    blocks: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for index, profile_keys in enumerate(keys):
        for key in profile_keys:
            blocks[key].append(index)

    pairs: list[DuplicatePair] = []
    for key, block in blocks.items():
        if len(block) < 2:
            continue
        rank = _BLOCK_ORDER[key[0]]
        for i, left in enumerate(block):
            a = profiles[left]
            earlier = {k for k in keys[left] if _BLOCK_ORDER[k[0]] < rank}
            for right in block[i + 1 :]:
                b = profiles[right]
                if focus is not None and focus not in (a.number, b.number):
                    continue
                # A pair sharing several blocks is compared once, in the first it shares.
                if earlier and any(k in earlier for k in keys[right]):
                    continue
                first, second = (a, b) if a.number < b.number else (b, a)
                if (first.number, second.number) in marked:
                    continue
                scored = _score(first, second, fuzz, threshold)
                if scored is not None:
                    score, reasons = scored
                    pairs.append(
                        DuplicatePair(
                            first.number, second.number, score, reasons, _comparisons(reasons)
                        )
                    )
    return _groups(_split(pairs, marked), focus)


def _groups(pairs: Iterable[DuplicatePair], focus: int | None) -> list[DuplicateGroup]:
    parent: dict[int, int] = {}

    def root(n: int) -> int:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    pair_list = list(pairs)
    for pair in pair_list:
        parent[root(pair.second)] = root(pair.first)
    members: defaultdict[int, list[int]] = defaultdict(list)
    for n in list(parent):
        members[root(n)].append(n)
    linking: defaultdict[int, list[DuplicatePair]] = defaultdict(list)
    for pair in pair_list:
        linking[root(pair.first)].append(pair)
    groups = [
        DuplicateGroup(
            customers=tuple(sorted(numbers)),
            score=min(p.score for p in linking[key]),
            pairs=tuple(sorted(linking[key], key=lambda p: (-p.score, p.first, p.second))),
        )
        for key, numbers in members.items()
    ]
    if focus is not None:
        groups = [g for g in groups if focus in g.customers]
    return sorted(groups, key=lambda g: (-g.score, -len(g.customers), g.customers))


def _marked(distinct: Iterable[tuple[int, int]]) -> frozenset[tuple[int, int]]:
    return frozenset((min(a, b), max(a, b)) for a, b in distinct)


def _split(pairs: list[DuplicatePair], marked: frozenset[tuple[int, int]]) -> list[DuplicatePair]:
    """Leave out the weakest links until no linked group holds both members of a marked pair.

    Links are added strongest first (a maximum spanning forest, Kruskal's way); a link that
    would join two marked customers into one group is dropped.
    """
    if not marked:
        return pairs
    parent: dict[int, int] = {}
    members: dict[int, set[int]] = {}

    def root(n: int) -> int:
        parent.setdefault(n, n)
        members.setdefault(n, {n})
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    kept: list[DuplicatePair] = []
    partners: defaultdict[int, set[int]] = defaultdict(set)
    for a, b in marked:
        partners[a].add(b)
        partners[b].add(a)
    for pair in sorted(pairs, key=lambda p: (-p.score, p.first, p.second)):
        left, right = root(pair.first), root(pair.second)
        if left != right:
            small, large = sorted((members[left], members[right]), key=len)
            if any(partners[n] & large for n in small):
                continue
            parent[right] = left
            members[left] = members.pop(left) | members.pop(right)
        kept.append(pair)
    return kept


def likely_duplicates(
    draft: NewCustomer | Customer,
    candidates: Iterable[Customer],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[DuplicateCandidate]:
    """The candidates that probably are the same party as ``draft``, best first.

    The entry check before registering ``draft``: ``candidates`` are what a store found for
    :func:`candidate_keys`. A customer draft never matches itself (the same number); merged
    and anonymized candidates are skipped.

    Args:
        draft: What is being registered (or an existing customer).
        candidates: The customers to compare it with.
        threshold: The lowest match probability that counts (0..1).

    Raises:
        MissingExtraError: without the ``dedupe`` extra installed.
    """
    rapidfuzz, cologne = extra()
    codes: dict[str, str] = {}

    def encode(text: str) -> str:
        if text not in codes:
            codes[text] = " ".join(c for _w, c in cologne.encode(text)) if text else ""
        return codes[text]

    own = getattr(draft, "number", None)
    a = _profile(draft, encode)
    found = []
    for customer in candidates:
        if customer.number == own or not customer.is_active or customer.is_anonymized:
            continue
        scored = _score(a, _profile(customer, encode), rapidfuzz.fuzz, threshold)
        if scored is not None:
            score, reasons = scored
            found.append(DuplicateCandidate(customer.number, score, _comparisons(reasons), reasons))
    return sorted(found, key=lambda c: (-c.score, c.number))


def candidate_keys(draft: NewCustomer | Customer) -> CandidateKeys:
    """What a store should look up to find the candidates of an entry check for ``draft``.

    The name keys hold last and first name each on its own, so a customer entered with the
    names swapped is found as well.
    """
    names = (draft.last_name, draft.first_name, draft.company)
    return CandidateKeys(
        emails=(draft.email.strip().lower(),) if draft.email.strip() else (),
        birth_dates=(draft.birth_date,) if draft.birth_date else (),
        postal_codes=(draft.postal_code.strip(),) if draft.postal_code.strip() else (),
        name_keys=tuple(dict.fromkeys(search_key(n.strip()) for n in names if n.strip())),
        phones=(draft.phone,) if draft.phone.strip() else (),
    )
