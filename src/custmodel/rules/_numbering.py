"""R4: the debtor account, base + kind offset + number, within the kind's range."""

from __future__ import annotations

from custmodel.errors import (
    DebtorAccountError,
    InvalidInputError,
)
from custmodel.model import (
    CustomerKind,
    Settings,
)

__all__ = ["check_debtor_range", "debtor_account"]


def debtor_account(settings: Settings, kind: CustomerKind, number: int) -> int:
    """Debtor account = base + the kind's offset + customer number (R4).

    >>> debtor_account(Settings(), CustomerKind.PRIVATE, 300)
    10300
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidInputError("a customer number is a positive whole number")
    return settings.debtor_base + settings.kind(kind).debtor_offset + number


def check_debtor_range(settings: Settings, kind: CustomerKind, account: int) -> None:
    """Check that ``account`` lies in the configured range of ``kind``.

    Raises:
        DebtorAccountError: if it lies outside.
    """
    ks = settings.kind(kind)
    if (ks.debtor_min is not None and account < ks.debtor_min) or (
        ks.debtor_max is not None and account > ks.debtor_max
    ):
        raise DebtorAccountError(
            f"debtor account {account} lies outside the range of kind {kind.value} "
            f"({ks.debtor_min}..{ks.debtor_max})"
        )
