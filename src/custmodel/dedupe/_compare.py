"""Comparison levels of two profiles, field by field: exact, similar, differs, missing.

Each field is compared into a small level number: 0 is always "missing" (one side is empty,
no evidence either way), 1 "exact", and the higher levels weaker agreement down to "differs".
The model (:mod:`custmodel.dedupe._model`) turns a level into a weight.
"""

from __future__ import annotations

from collections.abc import Callable

from custmodel.dedupe._profile import Profile

__all__ = ["FIELDS", "OUTCOMES", "Comparer", "Levels", "household"]

#: The fields compared, in the order of a levels tuple.
FIELDS = (
    "last_name",
    "first_name",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
)
LAST, FIRST, BIRTH, STREET, POSTAL, CITY, EMAIL, PHONE = range(len(FIELDS))
_NAME = ("missing", "exact", "similar", "sounds alike", "differs")
_DATE = ("missing", "exact", "close", "differs")
_TEXT = ("missing", "exact", "similar", "differs")
_KEY = ("missing", "exact", "differs")
#: The outcome of each level of each field, level 0 first.
OUTCOMES = (_NAME, _NAME, _DATE, _TEXT, _DATE, _TEXT, _KEY, _KEY)
#: Level of "differs" per field.
DIFFERS = tuple(len(outcomes) - 1 for outcomes in OUTCOMES)
#: Female first names made of a male one ("Jan"/"Jana", "Christian"/"Christiane").
_FEMININE = ("a", "e", "ine", "ina")

#: A pair's levels, one per field of :data:`FIELDS`, and whether the names were swapped.
Levels = tuple[tuple[int, ...], bool]


def _feminine(x: str, y: str) -> bool:
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return long.startswith(short) and long[len(short) :] in _FEMININE


class Comparer:
    """Compares profiles; holds the string similarity functions of rapidfuzz."""

    def __init__(self, rapidfuzz: object) -> None:
        distance = rapidfuzz.distance  # type: ignore[attr-defined]
        self._jaro: Callable[..., float] = distance.JaroWinkler.normalized_similarity
        self._ratio: Callable[..., float] = distance.Indel.normalized_similarity
        self._edits: Callable[..., int] = distance.OSA.distance

    def date(self, x: str, y: str) -> int:
        """Level of two dates (or postal codes) of digits: one typo apart is close.

        One digit typed wrong or two neighbours swapped ("19700101"/"19700110"), or day and
        month the other way round.
        """
        if not x or not y:
            return 0
        if x == y:
            return 1
        if len(x) == len(y) and (
            self._edits(x, y, score_cutoff=1) == 1
            or (x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6])
        ):
            return 2
        return 3

    def name(self, x: str, y: str, x_code: str, y_code: str) -> int:
        """Level of two folded names; "Jan"/"Jana" differ, "Meier"/"Mayer" sound alike.

        One typo in a name of four letters or more is similar.
        """
        if not x or not y:
            return 0
        if x == y:
            return 1
        if _feminine(x, y):
            return 4
        similarity = self._jaro(x, y)
        # One letter wrong, missing, extra or two swapped: a typo ("Jarod"/"Jatod").
        if similarity >= 0.92 or (
            min(len(x), len(y)) >= 4 and self._edits(x, y, score_cutoff=1) == 1
        ):
            return 2
        if " " in x or " " in y:
            x_words, y_words = set(x.split()), set(y.split())
            if x_words <= y_words or y_words <= x_words:
                return 2
        if (x_code and x_code == y_code) or similarity >= 0.85:
            return 3
        return 4

    def text(self, x: str, y: str, similar: float) -> int:
        """Level of two folded texts: similar from ``similar`` Jaro-Winkler up."""
        if not x or not y:
            return 0
        if x == y:
            return 1
        return 2 if self._jaro(x, y) >= similar else 3

    def street(self, x: str, y: str) -> int:
        """Level of two streets; a typo or another house number in the street is similar."""
        if not x or not y:
            return 0
        if x == y:
            return 1
        return 2 if self._ratio(x, y) >= 0.8 else 3

    def levels(self, a: Profile, b: Profile) -> Levels:
        """Compare ``a`` and ``b`` field by field; names also crosswise, for swapped names."""
        last = self.name(a.last, b.last, a.last_code, b.last_code)
        first = self.name(a.first, b.first, a.first_code, b.first_code)
        swapped = False
        if (
            (last != 1 or first != 1)
            and a.first
            and b.first
            and a.last
            and b.last
            # Cheap test first: swapped names start alike crosswise.
            and (a.last[0] == b.first[0] or a.first[0] == b.last[0])
        ):
            cross_last = self.name(a.last, b.first, a.last_code, b.first_code)
            cross_first = self.name(a.first, b.last, a.first_code, b.last_code)
            # Both names must agree crosswise: "Kostolzin, Frederic" and "Wanda Kostolzin"
            # share only the surname, written in another column, which is no swap.
            if (
                cross_last != _NAME_DIFFERS
                and cross_first != _NAME_DIFFERS
                and _quality(cross_last) + _quality(cross_first) > _quality(last) + _quality(first)
            ):
                last, first, swapped = cross_last, cross_first, True
        postal = self.date(a.postal, b.postal)
        return (
            (
                last,
                first,
                self.date(a.birth, b.birth),
                self.street(a.street, b.street),
                postal,
                # The postal code already says the town: counting both would count it twice.
                0 if postal == 1 else self.text(a.city, b.city, 0.9),
                _key_level(a.email, b.email),
                _key_level(a.phone, b.phone),
            ),
            swapped,
        )


_NAME_DIFFERS = DIFFERS[LAST]
_SOUNDS_ALIKE = _NAME.index("sounds alike")
_BIRTH_EXACT, _BIRTH_CLOSE = 1, 2


def household(levels: tuple[int, ...]) -> bool:
    """Whether compared levels say "another member of the household", never one party.

    Another first name without the same birth date is another person, however much else
    (address, e-mail, phone, last name) agrees: a couple, "Jan" and "Jana". First names that
    merely sound alike ("Johan"/"Joana", "Berit"/"Berndt": the Kölner Phonetik drops vowels)
    are another person too unless the birth dates agree at least up to a typo.
    """
    first, birth = levels[FIRST], levels[BIRTH]
    if first == _NAME_DIFFERS:
        return birth != _BIRTH_EXACT
    return first == _SOUNDS_ALIKE and birth not in (_BIRTH_EXACT, _BIRTH_CLOSE)


def _quality(level: int) -> int:
    return (0, 3, 2, 1, 0)[level]


def _key_level(x: str, y: str) -> int:
    if not x or not y:
        return 0
    return 1 if x == y else 2
