"""The 32 numbered status flags of a customer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import attrs

from custmodel.errors import InvalidStatusFlagError
from custmodel.model._checks import shown

__all__ = ["STATUS_FLAG_COUNT", "StatusFlags"]


#: How many status flags each kind has (Jack: "bis zu 32 weitere Statistikkriterien").
STATUS_FLAG_COUNT = 32


_ALL_BITS = (1 << STATUS_FLAG_COUNT) - 1


def check_flag_number(flag: int) -> int:
    """Return ``flag`` if it is a status flag number (1..32).

    Raises:
        InvalidStatusFlagError: for any other number, or a non-integer.
    """
    if isinstance(flag, bool) or not isinstance(flag, int) or not 1 <= flag <= STATUS_FLAG_COUNT:
        raise InvalidStatusFlagError(
            f"status flag must be a number from 1 to 32, got {shown(flag)}"
        )
    return flag


@attrs.frozen
class StatusFlags:
    """An immutable set of status flag numbers (1..32), stored as a 32-bit integer.

    Selections and statistics use the number; labels live in :class:`KindSettings`.

    Attributes:
        bits: Flag ``n`` is set when bit ``n - 1`` is 1.
    """

    bits: int = attrs.field(default=0)

    @bits.validator
    def _check_bits(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _ALL_BITS:
            raise InvalidStatusFlagError("status bits must fit into 32 bits")

    @classmethod
    def of(cls, flags: Iterable[int] = ()) -> StatusFlags:
        """Build from flag numbers.

        Raises:
            InvalidStatusFlagError: for a number outside 1..32.
        """
        bits = 0
        for flag in flags:
            bits |= 1 << (check_flag_number(flag) - 1)
        return cls(bits)

    def __contains__(self, flag: object) -> bool:
        return (
            isinstance(flag, int)
            and 1 <= flag <= STATUS_FLAG_COUNT
            and bool(self.bits >> (flag - 1) & 1)
        )

    def __iter__(self) -> Iterator[int]:
        return (n for n in range(1, STATUS_FLAG_COUNT + 1) if self.bits >> (n - 1) & 1)

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        return self.bits != 0

    @property
    def numbers(self) -> frozenset[int]:
        """The set flag numbers."""
        return frozenset(self)

    def with_flag(self, flag: int) -> StatusFlags:
        """Return a copy with ``flag`` set."""
        return StatusFlags(self.bits | 1 << (check_flag_number(flag) - 1))

    def without_flag(self, flag: int) -> StatusFlags:
        """Return a copy with ``flag`` cleared."""
        return StatusFlags(self.bits & ~(1 << (check_flag_number(flag) - 1)))

    def union(self, other: StatusFlags) -> StatusFlags:
        """Return the flags set in either."""
        return StatusFlags(self.bits | other.bits)


def _to_flags(value: StatusFlags | Iterable[int]) -> StatusFlags:
    if isinstance(value, StatusFlags):
        return value
    return StatusFlags.of(_flag_numbers(value))


def _flag_numbers(value: object) -> Iterable[int]:
    """Return ``value`` if it is a collection of flag numbers (not text, not one number)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidStatusFlagError("status flags are given as a collection of flag numbers")
    return value
