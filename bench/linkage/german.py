"""German customers with planted duplicates, made with Faker's de_DE locale from a fixed seed.

The originals are people with a given name and surname, street and house number, postal code,
city, birth date (18 to 90 years old), and most of them an e-mail address and a phone number.
Three in a hundred share their household with another original: same surname, address and
phone, another given name and birth date; they are different people, and a finder that
groups them is wrong.

Each planted duplicate copies one original and changes it in one of these ways (the share of
duplicates in brackets):

- ``typo`` (30 %): one character of the surname or given name replaced, dropped, doubled or
  swapped with its neighbour;
- ``umlaut`` (15 %): "ü" written "ue" (ä, ö, ß likewise) in a name, street or city, or the other
  way round; a record without either gets a typo instead;
- ``swapped`` (10 %): given name and surname swapped;
- ``moved`` (20 %): another street, postal code and city, and another phone number or none;
- ``no birth date`` (15 %): the birth date left out;
- ``new surname`` (10 %): another surname (a marriage), same given name, birth date and address.

Beyond that, a duplicate keeps the e-mail address of its original in 6 of 10 cases (else it has
none), and the phone number in half of them, written the other way ("+49 30 1234567" for
"030 1234567") in a quarter of those.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Final

import attrs

from bench.linkage.records import LinkageData, Record
from bench.quality import Pair

__all__ = ["GERMAN_FIELDS", "KINDS", "SEED", "generate", "variant_of"]

SEED: Final = 20_261_206
#: The fields every tool compares on the German data.
GERMAN_FIELDS: Final = (
    "given_name",
    "surname",
    "street",
    "postcode",
    "city",
    "birth_date",
    "email",
    "phone",
)
#: The kinds of planted duplicates and their weights.
KINDS: Final = {
    "typo": 30,
    "umlaut": 15,
    "swapped": 10,
    "moved": 20,
    "no birth date": 15,
    "new surname": 10,
}
_HOUSEHOLDS: Final = 0.03
_SPELLED_OUT: Final = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
_FOLDED: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_LETTERS: Final = "abcdefghijklmnopqrstuvwxyzäöü"
_OLDEST: Final = date(1936, 1, 1)
_BIRTH_DAYS: Final = (date(2008, 1, 1) - _OLDEST).days


class _Faker:
    """The Faker calls the generator makes, on one seeded de_DE instance."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.fake = Faker("de_DE")
        self.fake.seed_instance(seed)

    def given_name(self, female: bool) -> str:
        return str(self.fake.first_name_female() if female else self.fake.first_name_male())

    def surname(self) -> str:
        return str(self.fake.last_name())

    def address(self) -> tuple[str, str, str]:
        street = f"{self.fake.street_name()} {self.fake.building_number()}"
        return street, str(self.fake.postcode()), str(self.fake.city())

    def phone(self) -> str:
        return str(self.fake.phone_number())

    def domain(self) -> str:
        return str(self.fake.free_email_domain())


def _email(given: str, surname: str, serial: int, domain: str) -> str:
    local = f"{given}.{surname}".lower().translate(_FOLDED).replace(" ", "")
    return f"{local}{serial % 100}@{domain}"


def typo(text: str, rng: random.Random) -> str:
    """One character replaced, dropped, doubled, or swapped with its neighbour."""
    if len(text) < 2:
        return text + rng.choice(_LETTERS)
    at = rng.randrange(len(text))
    match rng.randrange(4):
        case 0:
            letter = rng.choice([c for c in _LETTERS if c != text[at].lower()])
            return text[:at] + letter + text[at + 1 :]
        case 1:
            return text[:at] + text[at + 1 :]
        case 2:
            return text[:at] + text[at] + text[at:]
        case _:
            at = min(at, len(text) - 2)
            return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def _respell(text: str) -> str | None:
    """ "Müller" -> "Mueller", or "Mueller" -> "Müller"; None when neither applies."""
    if any(c in _SPELLED_OUT for c in text):
        return "".join(_SPELLED_OUT.get(c, c) for c in text)
    for spelled, letter in (("ue", "ü"), ("ae", "ä"), ("oe", "ö")):
        if spelled in text:
            return text.replace(spelled, letter, 1)
    return None


def _rephone(phone: str) -> str:
    """ "030 1234567" -> "+49 30 1234567", and "+49 ..." back to "0..."."""
    text = phone.strip().replace("(0)", "")
    digits = "".join(c for c in text if c.isdigit())
    if text.startswith("+49"):
        return "0" + digits[2:]
    return f"+49 {digits[1:4]} {digits[4:]}"


def variant_of(
    original: Record, kind: str, number: int, rng: random.Random, fake: _Faker
) -> Record:
    """A duplicate of ``original`` changed in the way ``kind`` names, with id ``number``."""
    change: dict[str, Any] = {"id": number}
    if kind == "umlaut":
        fields = ["surname", "given_name", "street", "city"]
        rng.shuffle(fields)
        for field in fields:
            respelled = _respell(getattr(original, field))
            if respelled is not None:
                change[field] = respelled
                break
        else:
            kind = "typo"
    if kind == "typo":
        field = rng.choice(["surname", "given_name"])
        change[field] = typo(getattr(original, field), rng)
    elif kind == "swapped":
        change.update(given_name=original.surname, surname=original.given_name)
    elif kind == "moved":
        street, postcode, city = fake.address()
        change.update(street=street, postcode=postcode, city=city)
        change["phone"] = fake.phone() if rng.random() < 0.5 else ""
    elif kind == "no birth date":
        change["birth_date"] = None
    elif kind == "new surname":
        change["surname"] = fake.surname()
    if rng.random() >= 0.6:
        change["email"] = ""
    if "phone" not in change:
        if rng.random() < 0.5 or not original.phone:
            change["phone"] = ""
        elif rng.random() < 0.25:
            change["phone"] = _rephone(original.phone)
    return attrs.evolve(original, **change)


@attrs.frozen
class German:
    """Generated German customers, their true pairs, and the kind of every planted pair.

    Attributes:
        data: The records and true pairs, ready for the tools.
        kinds: For every true pair, the kind of change that made the duplicate.
        households: Pairs of different people sharing a household (no duplicates).
    """

    data: LinkageData
    kinds: dict[Pair, str]
    households: frozenset[Pair]


def generate(customers: int, duplicates: int, seed: int = SEED) -> German:
    """``customers`` records, ``duplicates`` of them planted copies of one original each.

    The same arguments give the same records (with the same Faker version).

    Raises:
        ValueError: for more duplicates than half of the customers.
    """
    if not 0 <= duplicates <= customers // 2:
        raise ValueError("at most every second customer can be a planted duplicate")
    rng = random.Random(seed)
    fake = _Faker(seed)
    originals: list[Record] = []
    households: list[tuple[int, int]] = []
    while len(originals) < customers - duplicates:
        female = rng.random() < 0.5
        given, surname = fake.given_name(female), fake.surname()
        street, postcode, city = fake.address()
        birth = _OLDEST + timedelta(days=rng.randrange(_BIRTH_DAYS))
        phone = fake.phone() if rng.random() < 0.6 else ""
        email = _email(given, surname, rng.randrange(10_000), fake.domain())
        person = Record(
            id=len(originals),
            given_name=given,
            surname=surname,
            street=street,
            postcode=postcode,
            city=city,
            birth_date=birth,
            email=email if rng.random() < 0.7 else "",
            phone=phone,
        )
        originals.append(person)
        if rng.random() < _HOUSEHOLDS and len(originals) < customers - duplicates:
            partner = fake.given_name(not female)
            originals.append(
                attrs.evolve(
                    person,
                    id=len(originals),
                    given_name=partner,
                    birth_date=_OLDEST + timedelta(days=rng.randrange(_BIRTH_DAYS)),
                    email=_email(partner, surname, rng.randrange(10_000), fake.domain())
                    if rng.random() < 0.5
                    else person.email,
                )
            )
            households.append((person.id, person.id + 1))
    kinds = list(KINDS)
    weights = list(KINDS.values())
    planted: list[tuple[Record, str, int]] = []
    for number, source in enumerate(rng.sample(originals, duplicates), start=len(originals)):
        kind = rng.choices(kinds, weights)[0]
        planted.append((variant_of(source, kind, number, rng, fake), kind, source.id))
    everyone = originals + [record for record, _kind, _source in planted]
    # Shuffle, then number 1..n in the new order: duplicates are not next to their originals.
    order = list(range(len(everyone)))
    rng.shuffle(order)
    new_id = {old: new for new, old in enumerate(order, start=1)}
    records = tuple(attrs.evolve(everyone[old], id=new) for new, old in enumerate(order, start=1))

    def pair(a: int, b: int) -> Pair:
        x, y = new_id[a], new_id[b]
        return (min(x, y), max(x, y))

    pair_kinds = {pair(record.id, source): kind for record, kind, source in planted}
    data = LinkageData("German synthetic", records, frozenset(pair_kinds), GERMAN_FIELDS)
    return German(data, pair_kinds, frozenset(pair(a, b) for a, b in households))
