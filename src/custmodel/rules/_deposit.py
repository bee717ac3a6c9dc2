"""R7: the deposit prompt at the first capture of a firm booking."""

from __future__ import annotations

from custmodel.model import (
    Booking,
    KindSettings,
)

__all__ = ["needs_deposit_prompt"]


def needs_deposit_prompt(
    kind_settings: KindSettings, booking: Booking, first_capture: bool
) -> bool:
    """Ask whether a deposit is to be recorded? (R7).

    Yes only for a firm booking at its first capture as a firm booking, on a kind whose
    ``deposit_prompt`` is on. Offers never prompt.
    """
    return kind_settings.deposit_prompt and booking.is_firm and first_capture
