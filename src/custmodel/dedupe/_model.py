"""The Fellegi-Sunter model: how much each comparison outcome says, estimated from the store.

For each field and level, ``m`` is the chance of that outcome when two records are one party
and ``u`` the chance when they are not; a level weighs ``log2(m / u)`` (its Bayes factor in
bits). ``u`` comes from the store itself: random pairs for the levels, and the frequency of
the very value for an exact match (term frequency: two "Müller" say less than two
"Zwetschgenbaum"). ``m`` is estimated by expectation-maximization over the candidate pairs,
starting from and pulled towards sane defaults; a store of fewer than 1,000 customers is too small
to learn from and is scored with the defaults. The prior, the odds that two random customers
are one party, comes from the same estimation: blocking only spares the comparison of pairs
that almost surely are no match, so it is a prior over all pairs, as u is.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import attrs

from custmodel.dedupe._compare import FIELDS, Comparer, household
from custmodel.dedupe._profile import Profile

__all__ = ["Model", "default_model", "estimate"]

# Defaults per field of FIELDS as (m, u), level 1 ("exact") first; level 0 ("missing") weighs
# nothing.
_DEFAULTS: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = (
    # last_name, first_name: exact, similar, sounds alike, differs.
    ((0.80, 0.10, 0.04, 0.06), (0.002, 0.002, 0.001, 0.995)),
    ((0.80, 0.10, 0.04, 0.06), (0.006, 0.003, 0.004, 0.987)),
    # birth_date: exact, close (one typo, day/month swapped), differs.
    ((0.92, 0.03, 0.05), (0.00005, 0.0015, 0.99845)),
    # street: exact, similar, differs.
    ((0.60, 0.25, 0.15), (0.0002, 0.002, 0.9978)),
    # postal_code: exact, close (one typo), differs.
    ((0.85, 0.08, 0.07), (0.002, 0.01, 0.988)),
    # city: exact, similar, differs.
    ((0.80, 0.10, 0.10), (0.01, 0.005, 0.985)),
    # email, phone: exact, differs.
    ((0.70, 0.30), (0.0001, 0.9999)),
    ((0.70, 0.30), (0.0001, 0.9999)),
)
_M0 = tuple(m for m, _u in _DEFAULTS)
_U0 = tuple(u for _m, u in _DEFAULTS)
#: u of an exact match of two company names (a last name's is in _U0).
_U0_COMPANY = 0.00001
#: Log2 prior odds that two customers are one party, when there are too few pairs to learn.
_PRIOR0 = -9.5
#: The most and least likely two random customers of a large store are one party (log2 odds).
_PRIOR_RANGE = (-30.0, -3.0)
#: Pseudo-records (for u) and pseudo-matches (for m) that pull estimates towards the defaults.
_U_WEIGHT = 1000
_M_WEIGHT = 100
_TF_WEIGHT = 2
#: How far learnt m may stray from the defaults, as a factor either way.
_M_FACTOR = 4
#: Fewest candidate pairs that estimation learns m and the prior from.
_MIN_PAIRS = 500
_RANDOM_PAIRS = 20_000
#: Fewest profiles to learn weights from; a smaller store is scored with the defaults.
_MIN_SAMPLE = 1000
_ROUNDS = 25


#: The profile attribute of each field of :data:`FIELDS`.
_ATTRIBUTES = ("last", "first", "birth", "street", "postal", "city", "email", "phone")


def _values(profile: Profile) -> tuple[str, ...]:
    return (
        profile.last,
        profile.first,
        profile.birth,
        profile.street,
        profile.postal,
        profile.city,
        profile.email,
        profile.phone,
    )


@attrs.frozen
class Model:
    """Weights of every comparison outcome, and the prior.

    Attributes:
        m: Per field, per level (level 0 first, unused): chance of it for one party.
        u: Per field, per level: chance of it for two parties.
        prior: Log2 prior odds that two random customers are one party.
        rarest: Per field, the most an exact match can weigh (a value no one else has).
        counts: Per field, how often each value occurs, for term-frequency adjustment.
        present: Per field, how many profiles have a value.
    """

    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    prior: float
    counts: tuple[Counter[str], ...] = ()
    present: tuple[int, ...] = ()
    table: tuple[tuple[float, ...], ...] = attrs.field(init=False)
    rarest: tuple[float, ...] = attrs.field(init=False)
    _exact: dict[tuple[int, str, bool], float] = attrs.field(init=False, factory=dict)

    @table.default
    def _table(self) -> tuple[tuple[float, ...], ...]:
        return tuple(
            (0.0, *(math.log2(m / u) for m, u in zip(ms[1:], us[1:], strict=True)))
            for ms, us in zip(self.m, self.u, strict=True)
        )

    @rarest.default
    def _rarest_weights(self) -> tuple[float, ...]:
        return tuple(
            self._rarest(f, _U0_COMPANY if f == 0 else _U0[f][0]) for f in range(len(self.m))
        )

    def weight(self, field: int, level: int, value: str, company: bool = False) -> float:
        """The weight of ``level`` on ``field``; an exact match weighs by its value's rarity."""
        if level != 1 or (not self.counts and not company):
            return self.table[field][level]
        key = (field, value, company)
        weight = self._exact.get(key)
        if weight is None:
            weight = self._exact[key] = self._rarity(field, value, company)
        return weight

    def _rarity(self, field: int, value: str, company: bool) -> float:
        u0 = _U0_COMPANY if company else _U0[field][0]
        # Other profiles with this value (the pair itself left out), among the others.
        others = max(self.counts[field][value] - 2, 0) if self.counts else 0
        present = max(self.present[field] - 2, 0) if self.counts else 0
        # As if the defaults had been seen on a few records: one other "Sonnenschein GmbH" in
        # a small store is no proof that the name is common.
        u = (others + _TF_WEIGHT) / (present + _TF_WEIGHT / u0)
        return math.log2(self.m[field][1] / u)

    def bound(self, levels: Sequence[int]) -> float:
        """The most log2 odds any pair compared into ``levels`` can have.

        An exact match weighs at most what the rarest value (seen on no other profile) would;
        a pair whose bound is below the threshold need not be weighed value by value.
        """
        total = self.prior
        for f, level in enumerate(levels):
            total += self.rarest[f] if level == 1 else self.table[f][level]
        return total

    def _rarest(self, field: int, u0: float) -> float:
        if not self.counts:
            if field == 0:
                return max(self.table[field][1], math.log2(self.m[field][1] / u0))
            return self.table[field][1]
        present = max(self.present[field] - 2, 0)
        return math.log2(self.m[field][1] * (present + _TF_WEIGHT / u0) / _TF_WEIGHT)

    def weights(
        self, levels: Sequence[int], a: Profile, b: Profile, swapped: bool = False
    ) -> list[float]:
        """Weight of every field of a compared pair."""
        return [self._field(f, level, a, b, swapped) for f, level in enumerate(levels)]

    def total(self, levels: Sequence[int], a: Profile, b: Profile, swapped: bool = False) -> float:
        """The prior plus the weights of a compared pair: its log2 odds of being one party."""
        table = self.table
        total = self.prior
        for f, level in enumerate(levels):
            total += self._field(f, 1, a, b, swapped) if level == 1 else table[f][level]
        return total

    def _field(self, f: int, level: int, a: Profile, b: Profile, swapped: bool) -> float:
        if level != 1:
            return self.table[f][level]
        value = getattr(a, _ATTRIBUTES[f])
        if f > 1:
            return self.weight(f, 1, value)
        company = a.company and b.company
        if not swapped:
            return self.weight(f, 1, value, company and f == 0)
        # Names matched crosswise: "Ingrid" is as common as a first name, whichever side
        # holds it; the commoner reading counts.
        return min(self.weight(0, 1, value), self.weight(1, 1, value))


def default_model() -> Model:
    """The model with the default weights, for a handful of customers."""
    return Model(m=_with_missing(_M0), u=_with_missing(_U0), prior=_PRIOR0)


def _with_missing(table: tuple[tuple[float, ...], ...]) -> tuple[tuple[float, ...], ...]:
    return tuple((1.0, *levels) for levels in table)


def estimate(
    profiles: Sequence[Profile], patterns: Counter[tuple[int, ...]], comparer: Comparer
) -> Model:
    """Estimate u from the profiles, then m and the prior from the candidate pairs' patterns.

    Args:
        profiles: Every profile searched.
        patterns: How often each tuple of levels occurs among the candidate pairs.
        comparer: Compares two profiles.
    """
    n = len(profiles)
    if n < _MIN_SAMPLE:
        # Too few to learn from: random pairs would mostly be the store's duplicates, and one
        # other "Sonnenschein GmbH" no proof that the name is common.
        return default_model()
    fields = range(len(FIELDS))
    counts = tuple(
        Counter(v for p in profiles if (v := getattr(p, _ATTRIBUTES[f]))) for f in fields
    )
    present = tuple(sum(c.values()) for c in counts)
    u = _u(profiles, comparer)
    m = _with_missing(_M0)
    prior = _PRIOR0
    if sum(patterns.values()) >= _MIN_PAIRS:
        m, prior = _em(patterns, m, u, n * (n - 1) // 2)
    return Model(m=m, u=u, prior=prior, counts=counts, present=present)


def _u(profiles: Sequence[Profile], comparer: Comparer) -> tuple[tuple[float, ...], ...]:
    """u per level: the outcomes among random pairs, pulled towards the defaults."""
    n = len(profiles)
    seen = [[0] * len(levels) for levels in _U0]
    if n >= 2:
        # A fixed seed: the same store always gets the same weights.
        rng = random.Random(n)  # noqa: S311 (sampling pairs, no secret)
        for _ in range(min(_RANDOM_PAIRS, n * (n - 1) // 2)):
            i, j = rng.sample(range(n), 2)
            levels, _swapped = comparer.levels(profiles[i], profiles[j])
            for f, level in enumerate(levels):
                if level:
                    seen[f][level - 1] += 1
    return tuple(
        (
            1.0,
            *(
                (count + _U_WEIGHT * u0) / (sum(counts) + _U_WEIGHT)
                for count, u0 in zip(counts, defaults, strict=True)
            ),
        )
        for counts, defaults in zip(seen, _U0, strict=True)
    )


def _em(
    patterns: Counter[tuple[int, ...]],
    m: tuple[tuple[float, ...], ...],
    u: tuple[tuple[float, ...], ...],
    pairs: int,
) -> tuple[tuple[tuple[float, ...], ...], float]:
    """Expectation-maximization of m and the prior over the candidate patterns.

    u was measured on random pairs, so the prior is the chance that two random customers
    are one party (``pairs`` is the number of all pairs): the candidate pairs only spare the
    comparison of pairs that are almost surely no match. Pairs the household guard rejects
    are left out: they are known to be no match.
    """
    prior = _PRIOR0
    # Pairs the household guard rejects are known to be two parties: counting them as
    # possible matches would teach the model that one party often has another birth date.
    items = [(levels, count) for levels, count in patterns.items() if not household(levels)]
    for _ in range(_ROUNDS):
        matched = [[0.0] * len(levels) for levels in _M0]
        expected = 0.0
        for levels, count in items:
            log_m = sum(math.log(m[f][level]) for f, level in enumerate(levels) if level)
            log_u = sum(math.log(u[f][level]) for f, level in enumerate(levels) if level)
            odds = 2 ** min(max((log_m - log_u) / math.log(2) + prior, -60.0), 60.0)
            posterior = count * odds / (1 + odds)
            expected += posterior
            for f, level in enumerate(levels):
                if level:
                    matched[f][level - 1] += posterior
        share = max(expected, 1.0) / pairs
        prior = min(max(math.log2(share / (1 - share)), _PRIOR_RANGE[0]), _PRIOR_RANGE[1])
        m = tuple(
            _clamped(
                [
                    (seen + _M_WEIGHT * m0) / (sum(counts) + _M_WEIGHT)
                    for seen, m0 in zip(counts, defaults, strict=True)
                ],
                defaults,
            )
            for counts, defaults in zip(matched, _M0, strict=True)
        )
    return m, prior


def _clamped(m: list[float], defaults: tuple[float, ...]) -> tuple[float, ...]:
    """``m`` kept within a factor of :data:`_M_FACTOR` of the defaults, summing to 1.

    A store whose non-matching candidates look alike (one town, one first name) must not
    teach the model that one party rarely agrees with itself.
    """
    kept = [
        min(max(p, d / _M_FACTOR), min(d * _M_FACTOR, 1.0))
        for p, d in zip(m, defaults, strict=True)
    ]
    total = sum(kept)
    return (1.0, *(p / total for p in kept))
