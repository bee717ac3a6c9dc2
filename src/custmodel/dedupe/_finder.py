"""Finding duplicates: candidate pairs from bounded blocks, scored by a Fellegi-Sunter model."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import attrs

from custmodel.dedupe._blocking import MAX_BLOCK, candidate_pairs
from custmodel.dedupe._compare import FIELDS, FIRST, OUTCOMES, Comparer, Levels, household
from custmodel.dedupe._model import Model, default_model, estimate
from custmodel.dedupe._normalize import extra
from custmodel.dedupe._profile import Folding, Profile, profile
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

_AGREED = {
    ("last_name", "exact"): "same last name",
    ("last_name", "similar"): "last names similar",
    ("first_name", "exact"): "same first name",
    ("first_name", "similar"): "first names similar",
    ("first_name", "sounds alike"): "first names sound alike",
    ("birth_date", "exact"): "same birth date",
    ("birth_date", "close"): "birth dates one typo apart",
    ("street", "exact"): "same street",
    ("street", "similar"): "similar street",
    ("postal_code", "exact"): "same postal code",
    ("postal_code", "close"): "postal codes one typo apart",
    ("city", "exact"): "same town",
    ("city", "similar"): "similar town",
    ("email", "exact"): "same e-mail",
    ("phone", "exact"): "same phone",
}


class _Scorer:
    """Compares profiles and weighs the outcome with a model."""

    def __init__(self, comparer: Comparer, model: Model) -> None:
        self.comparer = comparer
        self.model = model
        self._hopeless: dict[tuple[tuple[int, ...], float], bool] = {}

    def score(
        self, a: Profile, b: Profile, levels: tuple[int, ...], swapped: bool, threshold: float
    ) -> tuple[float, tuple[Comparison, ...], tuple[str, ...]] | None:
        """Probability, comparisons and reasons of a match; None below ``threshold``."""
        key = (levels, threshold)
        hopeless = self._hopeless.get(key)
        if hopeless is None:
            # Rejected by the household guard, or too weak even with the rarest values:
            # decided once per tuple of levels, not weighed pair by pair.
            hopeless = self._hopeless[key] = household(levels) or (
                _probability(self.model.bound(levels)) < threshold
            )
        if hopeless:
            return None
        if _probability(self.model.total(levels, a, b, swapped)) < threshold:
            return None
        weights = self.model.weights(levels, a, b, swapped)
        probability = _probability(self.model.prior + sum(weights))
        comparisons = tuple(
            Comparison(field, _outcome(f, level, swapped), round(weight, 2))
            for f, (field, level, weight) in enumerate(zip(FIELDS, levels, weights, strict=True))
        )
        return probability, comparisons, _reasons(comparisons, a, swapped)


def _probability(log_odds: float) -> float:
    return round(1 / (1 + 2 ** -min(max(log_odds, -60.0), 60.0)), 4)


def _outcome(field: int, level: int, swapped: bool) -> str:
    outcome = OUTCOMES[field][level]
    if swapped and field <= FIRST and level:
        return f"{outcome}, swapped"
    return outcome


def _reasons(comparisons: Sequence[Comparison], a: Profile, swapped: bool) -> tuple[str, ...]:
    reasons = ["first and last name swapped"] if swapped else []
    for c in comparisons:
        if swapped and c.field in ("last_name", "first_name"):
            continue
        if c.field == "last_name" and c.outcome == "sounds alike":
            reasons.append(f"last names sound alike ({a.last_code})")
        elif (c.field, c.outcome) in _AGREED:
            reasons.append(_AGREED[c.field, c.outcome])
    return tuple(reasons)


def _profiles(customers: Iterable[Customer | NewCustomer]) -> list[Profile]:
    _rapidfuzz, cologne = extra()

    def encode(text: str) -> str:
        return " ".join(code for _word, code in cologne.encode(text))

    folding = Folding(encode)
    return _without_placeholders([profile(c, folding) for c in customers])


def _without_placeholders(profiles: list[Profile]) -> list[Profile]:
    """Treat an e-mail or phone shared by more than MAX_BLOCK customers as missing.

    "keine@example.org" or "0000" on thousands of records identifies no one: agreeing on it
    is no evidence, and disagreeing with it none against.
    """
    emails = Counter(p.email for p in profiles if p.email)
    phones = Counter(p.phone for p in profiles if p.phone)
    common_emails = {e for e, count in emails.items() if count > MAX_BLOCK}
    common_phones = {t for t, count in phones.items() if count > MAX_BLOCK}
    if not common_emails and not common_phones:
        return profiles
    return [
        attrs.evolve(
            p,
            email="" if p.email in common_emails else p.email,
            phone="" if p.phone in common_phones else p.phone,
        )
        if p.email in common_emails or p.phone in common_phones
        else p
        for p in profiles
    ]


def find_duplicate_groups(
    customers: Iterable[Customer],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    focus: int | None = None,
    distinct: Iterable[tuple[int, int]] = (),
) -> list[DuplicateGroup]:
    """Group customers that are probably the same party, best groups first.

    Candidates come from several bounded blocking passes (:mod:`custmodel.dedupe`); each
    pair is scored by a Fellegi-Sunter model whose weights are estimated from ``customers``
    themselves. Merged and anonymized customers are left out: they cannot be merged.

    Args:
        customers: The customers to search.
        threshold: The lowest match probability that counts (0..1).
        focus: Only return the matches of this customer number.
        distinct: Pairs of customer numbers marked "not a duplicate": never paired, and no
            group holds both (a group is split by leaving out its weakest links).

    Raises:
        MissingExtraError: without the ``dedupe`` extra installed.
    """
    rapidfuzz, _cologne = extra()
    comparer = Comparer(rapidfuzz)
    marked = _marked(distinct)
    profiles = _profiles(c for c in customers if c.is_active and not c.is_anonymized)
    n = len(profiles)
    # What each pair compared to is kept as its code (an int) and one of the few hundred
    # different outcomes, shared: a tuple kept per pair, hundreds of thousands of them, made
    # Python's garbage collector walk them again and again.
    codes: list[int] = []
    outcomes: list[Levels] = []
    shared: dict[Levels, Levels] = {}
    patterns: Counter[tuple[int, ...]] = Counter()
    for code in candidate_pairs(profiles):
        outcome = comparer.levels(profiles[code // n], profiles[code % n])
        outcome = shared.setdefault(outcome, outcome)
        patterns[outcome[0]] += 1
        codes.append(code)
        outcomes.append(outcome)
    scorer = _Scorer(comparer, estimate(profiles, patterns, comparer))
    pairs: list[DuplicatePair] = []
    for code, (levels, swapped) in zip(codes, outcomes, strict=True):
        a, b = profiles[code // n], profiles[code % n]
        first, second = sorted((a.number, b.number))
        if (first, second) in marked or (focus is not None and focus not in (first, second)):
            continue
        scored = scorer.score(a, b, levels, swapped, threshold)
        if scored is not None:
            probability, comparisons, reasons = scored
            pairs.append(DuplicatePair(first, second, probability, reasons, comparisons))
    return _groups(_split(pairs, marked), focus)


def likely_duplicates(
    draft: NewCustomer | Customer,
    candidates: Iterable[Customer],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[DuplicateCandidate]:
    """The candidates that probably are the same party as ``draft``, best first.

    The entry check before registering ``draft``: ``candidates`` are what a store found for
    :func:`candidate_keys`. The default weights are used (a handful of candidates is too
    few to learn from). A customer draft never matches itself (the same number); merged and
    anonymized candidates are skipped.

    Args:
        draft: What is being registered (or an existing customer).
        candidates: The customers to compare it with.
        threshold: The lowest match probability that counts (0..1).

    Raises:
        MissingExtraError: without the ``dedupe`` extra installed.
    """
    rapidfuzz, _cologne = extra()
    scorer = _Scorer(Comparer(rapidfuzz), default_model())
    own = getattr(draft, "number", None)
    others = [c for c in candidates if c.number != own and c.is_active and not c.is_anonymized]
    a, *profiles = _profiles([draft, *others])
    found = []
    for b in profiles:
        levels, swapped = scorer.comparer.levels(a, b)
        scored = scorer.score(a, b, levels, swapped, threshold)
        if scored is not None:
            probability, comparisons, reasons = scored
            found.append(DuplicateCandidate(b.number, probability, comparisons, reasons))
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
