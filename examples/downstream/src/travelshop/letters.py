"""Letters to customers: the first line of a letter."""

from __future__ import annotations

from custmodel import Customer

#: The greeting of a letter to nobody in particular: firms, anonymized and unnamed customers.
NEUTRAL = "Sehr geehrte Damen und Herren,"
_GREETINGS = {"Frau": "Sehr geehrte Frau", "Herr": "Sehr geehrter Herr"}


def salutation_line(customer: Customer) -> str:
    """The greeting line of a letter to ``customer``: "Sehr geehrte Frau Dr. Müller,".

    An anonymized customer, a firm and anyone without a usable salutation and name get the
    neutral greeting, so no letter ever addresses an erased person by name.
    """
    words = customer.salutation.split()
    greeting = _GREETINGS.get(words[0]) if words else None
    name = " ".join(customer.last_name.split())
    if customer.is_anonymized or greeting is None or not name:
        return NEUTRAL
    return " ".join([greeting, *words[1:], name]) + ","
