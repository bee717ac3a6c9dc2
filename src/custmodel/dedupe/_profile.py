"""What the finder compares of a customer: its fields folded once, with phonetic codes."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from custmodel.dedupe._normalize import digits, fold, normalize_name, normalize_street
from custmodel.model import Customer, CustomerKind, NewCustomer

__all__ = ["Profile", "profile"]

_COMPANIES = frozenset({CustomerKind.CORPORATE, CustomerKind.TRAVEL_AGENCY})


@attrs.frozen
class Profile:
    """A customer's comparable fields, folded; an empty string is a missing value.

    Attributes:
        number: The customer number (0 for a draft not registered yet).
        last: Last name (or company name), folded.
        first: First name, folded.
        last_code: Kölner Phonetik code of ``last``.
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


def profile(customer: Customer | NewCustomer, encode: Callable[[str], str]) -> Profile:
    """Fold ``customer`` for comparison; ``encode`` gives the Kölner Phonetik of a name."""
    last = normalize_name(customer.last_name or customer.company)
    first = normalize_name(customer.first_name)
    phone = digits(customer.phone)
    return Profile(
        number=getattr(customer, "number", 0),
        last=last,
        first=first,
        last_code=encode(last),
        first_code=encode(first.split(" ")[0]) if first else "",
        birth=customer.birth_date.strftime("%Y%m%d") if customer.birth_date else "",
        street=normalize_street(customer.street).replace(" ", ""),
        postal=customer.postal_code.replace(" ", ""),
        city=fold(customer.city),
        email=customer.email.strip().casefold(),
        # The last eight digits: "+49 30 1234567" and "030 1234567" are the same line.
        phone=phone[-8:] if len(phone) >= 6 else "",
        company=not first and customer.kind in _COMPANIES,
    )
