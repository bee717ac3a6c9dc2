"""Checking for likely duplicates at entry: modes, results and the keys stores look up.

``register`` and ``register_many`` can compare what is being registered with the stored
customers that share a key with it (e-mail, phone, birth date, postal code, a name) and with
each other. The store finds those candidates by indexed lookups
(:meth:`~custmodel.storage.StoreTransaction.duplicate_candidates`); the finder scores them
(:func:`custmodel.dedupe.likely_duplicates`). This module holds what both sides share: the
mode, the result value, and how a lookup key is folded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model import Customer, search_key

if TYPE_CHECKING:
    from custmodel.dedupe import CandidateKeys, DuplicateCandidate

__all__ = [
    "KEY_LENGTH",
    "DuplicateMode",
    "Registration",
    "candidate_lookups",
    "check_mode",
    "customer_lookups",
    "email_key",
    "name_key",
]

#: What a registration does about likely duplicates: nothing (``"off"``, the default), return
#: them with the customer (``"warn"``), or refuse to register (``"refuse"``).
DuplicateMode = Literal["off", "warn", "refuse"]

#: The longest lookup key kept: an indexed text column's 191 characters (see the SQL schema).
KEY_LENGTH: Final = 191


def check_mode(value: object) -> DuplicateMode:
    """Return ``value`` if it is a :data:`DuplicateMode`.

    Raises:
        InvalidInputError: for anything else.
    """
    if value == "off" and isinstance(value, str):
        return "off"
    if value == "warn" and isinstance(value, str):
        return "warn"
    if value == "refuse" and isinstance(value, str):
        return "refuse"
    raise InvalidInputError('duplicates is "off", "warn" or "refuse"')


def name_key(text: str) -> str:
    """A name as a lookup compares it: trimmed and folded (:func:`search_key`), 191 at most."""
    return search_key(text.strip())[:KEY_LENGTH]


def email_key(text: str) -> str:
    """An e-mail address as a lookup compares it: trimmed, lower case, 191 at most."""
    return text.strip().lower()[:KEY_LENGTH]


@attrs.frozen
class Registration:
    """A customer registered with the duplicate check on ``"warn"``, and what it found.

    Attributes:
        customer: The customer as registered.
        candidates: Customers that probably are the same party, best first: stored ones, and
            (from ``register_many``) others of the same batch, by their new numbers. Each says
            which comparisons agreed and how much they weighed.
    """

    customer: Customer
    candidates: tuple[DuplicateCandidate, ...] = ()

    @property
    def numbers(self) -> tuple[int, ...]:
        """The candidates' customer numbers, best first."""
        return tuple(c.number for c in self.candidates)


#: A lookup of the entry check: the field looked in, and the value (folded where it is).
Lookup = tuple[str, object]


def candidate_lookups(keys: CandidateKeys) -> set[Lookup]:
    """The lookups ``keys`` ask for, folded as the stored values are, empty ones left out."""
    wanted: set[Lookup] = set()
    wanted.update(("email", email_key(v)) for v in keys.emails)
    wanted.update(("phone", v) for v in keys.phones)
    wanted.update(("birth_date", v) for v in keys.birth_dates)
    wanted.update(("postal_code", v) for v in keys.postal_codes)
    wanted.update(("last_name", name_key(v)) for v in keys.name_keys)
    return {(field, value) for field, value in wanted if value not in ("", None)}


def customer_lookups(customer: Customer) -> list[Lookup]:
    """The lookups that find ``customer``: what :func:`candidate_lookups` compares with."""
    return [
        ("email", email_key(customer.email)),
        ("phone", customer.phone),
        ("birth_date", customer.birth_date),
        ("postal_code", customer.postal_code),
        ("last_name", name_key(customer.last_name)),
    ]
