"""Finding duplicate customers, German-aware: "Müller"/"Mueller", "Meier"/"Mayer".

Names are normalized (case, umlauts and ß, accents, whitespace, titles such as "Dr." and
company suffixes such as "GmbH" or "e.K."), then customers are put into blocks by Kölner
Phonetik codes and by exact keys (e-mail, phone digits, birth date), so only customers that
share a block are compared: the cost stays near-linear in the number of customers. Pairs are
scored with rapidfuzz similarity over the names, with birth date, e-mail, phone and postal code
as further evidence, and every match says why it matched.

Needs the ``dedupe`` extra (``pip install custmodel[dedupe]``): rapidfuzz and
cologne-phonetics.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import attrs

from custmodel.errors import MissingExtraError
from custmodel.model import Customer

__all__ = [
    "DuplicateGroup",
    "DuplicatePair",
    "find_duplicate_groups",
    "normalize_name",
    "phonetic_code",
]

#: Words that are no part of a person's or company's name.
_TITLES = frozenset(
    {"dr", "prof", "professor", "dipl", "ing", "med", "herr", "frau", "hr", "fr", "divers"}
)
#: Legal forms a company name may carry or leave out.
_SUFFIXES = frozenset(
    {"gmbh", "mbh", "ag", "kg", "ohg", "ug", "gbr", "se", "kgaa", "co", "ek", "ev", "inc", "ltd"}
)
_DOTTED_FORMS = re.compile(r"\b(e)\s*\.\s*(k|v)\s*\.?", re.IGNORECASE)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\D+")


def _extra() -> tuple[ModuleType, ModuleType]:
    """Import rapidfuzz and cologne_phonetics, or say which extra to install."""
    try:
        import cologne_phonetics  # type: ignore[import-untyped]
        from rapidfuzz import fuzz
    except ImportError as error:
        raise MissingExtraError("dedupe", "finding duplicates") from error
    return fuzz, cologne_phonetics


def normalize_name(text: str) -> str:
    """Fold a name: "Dr. Jürgen Müller-Lüdenscheidt" -> "juergen mueller luedenscheidt".

    Case, umlauts (ä -> ae, ß -> ss), other accents, punctuation and whitespace are folded;
    titles and company suffixes (GmbH, AG, e.K., ...) are dropped.
    """
    text = _DOTTED_FORMS.sub(lambda m: f" {m.group(1)}{m.group(2)} ", text)
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
    tokens = _NON_ALNUM.sub(" ", stripped).split()
    return " ".join(t for t in tokens if t not in _TITLES and t not in _SUFFIXES)


def phonetic_code(text: str) -> str:
    """Kölner Phonetik code of a normalized name, word codes joined by spaces."""
    _fuzz, cologne = _extra()
    if not text:
        return ""
    return " ".join(code for _word, code in cologne.encode(text))


@attrs.frozen
class DuplicatePair:
    """Two customers that look like the same party.

    Attributes:
        first: The lower customer number.
        second: The higher customer number.
        score: How alike they are, 0..1.
        reasons: Why they matched, for a person to check ("name 100%", "same e-mail"...).
    """

    first: int
    second: int
    score: float
    reasons: tuple[str, ...]


@attrs.frozen
class DuplicateGroup:
    """Customers that are probably one party, with the pairs that link them.

    Attributes:
        customers: The customer numbers, ascending.
        score: The lowest score of the pairs that link the group.
        pairs: The matched pairs, best first.
    """

    customers: tuple[int, ...]
    score: float
    pairs: tuple[DuplicatePair, ...]

    @property
    def master(self) -> int:
        """The suggested master: the oldest customer, whose number is most widely known."""
        return self.customers[0]

    @property
    def duplicates(self) -> tuple[int, ...]:
        """The others, ready for ``CustomerBook.plan_merge(group.master, group.duplicates)``."""
        return self.customers[1:]


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


def _profile(customer: Customer, encode: Callable[[str], str]) -> _Profile:
    last = normalize_name(customer.last_name or customer.company)
    first = normalize_name(customer.first_name)
    phone = _DIGITS.sub("", customer.phone)
    return _Profile(
        number=customer.number,
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


_BLOCK_ORDER = {"name": 0, "birth": 1, "place": 2, "email": 3, "phone": 4}


def find_duplicate_groups(
    customers: Iterable[Customer],
    *,
    threshold: float = 0.85,
    focus: int | None = None,
) -> list[DuplicateGroup]:
    """Group customers that are probably the same party, best groups first.

    Merged and anonymized customers are left out: they cannot be merged.

    Args:
        customers: The customers to search.
        threshold: The lowest pair score that counts as a match (0..1).
        focus: Only return the matches of this customer number.

    Raises:
        MissingExtraError: without the ``dedupe`` extra installed.
    """
    fuzz, cologne = _extra()
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
                scored = _score(first, second, fuzz, threshold)
                if scored is not None:
                    pairs.append(DuplicatePair(first.number, second.number, *scored))
    return _groups(pairs, focus)


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
