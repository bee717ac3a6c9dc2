"""R6: the dunning fee's mail-merge fields, as de_DE text."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

from custmodel.model import (
    MoneyField,
    cents,
)

__all__ = [
    "DUNNING_FEE_FIELD",
    "OPEN_AMOUNT_FIELD",
    "OPEN_AMOUNT_WITH_FEE_FIELD",
    "dunning_fields",
    "format_eur",
]


#: Mail-merge field names of R6, exactly as Jack's word processor spells them.
DUNNING_FEE_FIELD = "Kunde-Mahngebühr"


OPEN_AMOUNT_FIELD = "OP-Betrag"


OPEN_AMOUNT_WITH_FEE_FIELD = "OP-Betrag+Mahngebühr"


def format_eur(amount: Decimal) -> str:
    """Format an EUR amount as a German letter prints it: ``Decimal("1234.5")`` -> "1.234,50 €".

    Babel separates number and sign with a no-break space; a plain space is used instead, so
    that the text equals what a person types and word processors see no unusual character.
    """
    return format_currency(amount, "EUR", locale="de_DE").replace("\xa0", " ")


def dunning_fields(fee: Decimal, open_amount: Decimal) -> dict[str, MoneyField]:
    """Mail-merge fields for a dunning letter (R6).

    Returns:
        ``{"Kunde-Mahngebühr": fee, "OP-Betrag": open amount, "OP-Betrag+Mahngebühr": sum}``,
        each as a :class:`MoneyField` with the exact amount and its de_DE text.

    Raises:
        InvalidInputError: for a negative amount or one with fractions of a cent.
    """
    fee, open_amount = cents(fee), cents(open_amount)
    total = open_amount + fee
    return {
        DUNNING_FEE_FIELD: MoneyField(fee, format_eur(fee)),
        OPEN_AMOUNT_FIELD: MoneyField(open_amount, format_eur(open_amount)),
        OPEN_AMOUNT_WITH_FEE_FIELD: MoneyField(total, format_eur(total)),
    }
