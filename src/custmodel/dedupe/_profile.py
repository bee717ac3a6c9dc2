"""What the finder compares of a customer: its fields folded once, with phonetic codes."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from custmodel.dedupe._normalize import digits, fold, normalize_name, normalize_street
from custmodel.model import Customer, CustomerKind, NewCustomer

__all__ = ["Folding", "Profile", "profile"]

_COMPANIES = frozenset({CustomerKind.CORPORATE, CustomerKind.TRAVEL_AGENCY})


@attrs.frozen
class Profile:
    """A customer's comparable fields, folded; an empty string is a missing value.

    Attributes:
        number: The customer number (0 for a draft not registered yet).
        last: Last name (or company name), folded.
        first: First name, folded.
        last_code: Kölner Phonetik code of ``last``, its words run together ("crou ch").
        first_code: Kölner Phonetik code of the first word of ``first``.
        birth: Birth date as "YYYYMMDD".
        street: Street and house number, folded, without spaces.
        postal: Postal code without spaces.
        city: Town, folded.
        email: E-mail address, case-folded.
        phone: The last eight digits of the phone number.
        company: Whether ``last`` names a company (a corporate customer or travel agency
            without a contact's first name): a company name is far rarer than a last name.
    """

    number: int
    last: str
    first: str
    last_code: str
    first_code: str
    birth: str
    street: str
    postal: str
    city: str
    email: str
    phone: str
    company: bool = False


class Folding:
    """Folds texts, remembering each result: names and towns repeat across customers."""

    def __init__(self, encode: Callable[[str], str]) -> None:
        self.encode = encode
        self._names: dict[str, str] = {}
        self._towns: dict[str, str] = {}
        self._codes: dict[str, str] = {}

    def name(self, text: str) -> str:
        """``normalize_name(text)``, remembered."""
        folded = self._names.get(text)
        if folded is None:
            folded = self._names[text] = normalize_name(text)
        return folded

    def town(self, text: str) -> str:
        """``fold(text)``, remembered."""
        folded = self._towns.get(text)
        if folded is None:
            folded = self._towns[text] = fold(text)
        return folded

    def code(self, text: str) -> str:
        """The Kölner Phonetik of a folded name, remembered."""
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = self.encode(text) if text else ""
        return code


def profile(customer: Customer | NewCustomer, folding: Folding) -> Profile:
    """Fold ``customer`` for comparison."""
    last = folding.name(customer.last_name or customer.company)
    first = folding.name(customer.first_name)
    phone = digits(customer.phone)
    return Profile(
        number=getattr(customer, "number", 0),
        last=last,
        first=first,
        last_code=folding.code(last.replace(" ", "")),
        first_code=folding.code(first.split(" ")[0]),
        birth=customer.birth_date.strftime("%Y%m%d") if customer.birth_date else "",
        street=normalize_street(customer.street).replace(" ", ""),
        postal=customer.postal_code.replace(" ", ""),
        city=folding.town(customer.city),
        email=customer.email.strip().casefold(),
        # The last eight digits: "+49 30 1234567" and "030 1234567" are the same line.
        phone=phone[-8:] if len(phone) >= 6 else "",
        company=not first and customer.kind in _COMPANIES,
    )
