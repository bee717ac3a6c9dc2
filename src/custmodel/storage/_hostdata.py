"""What every store does with a host application's eraser and veto answers (R9)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from custmodel.errors import InvalidInputError
from custmodel.model._erasure import HostVeto


def registration_name(name: object, what: str) -> str:
    """Return ``name`` if it can name a registration: a non-blank text."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"a host {what} needs a name")
    return name


def rows_erased(name: str, rows: object) -> int:
    """Return what eraser ``name`` answered if it is a row count (a whole number, not below 0)."""
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise InvalidInputError(f"host eraser {name} must return the number of rows it erased")
    return rows


def collect_vetoes(
    answers: Iterable[tuple[str, object]], customers: frozenset[int]
) -> dict[int, tuple[HostVeto, ...]]:
    """Join the veto callbacks' answers: the vetoes per asked customer, ordered by source.

    Args:
        answers: Per veto, its name and what it returned (customer -> reason).
        customers: The customers asked about; an answer for another one is ignored.

    Raises:
        InvalidInputError: if an answer is no mapping or a reason no short text; the message
            names the veto, never the reason.
    """
    found: dict[int, list[HostVeto]] = {}
    for source, answer in answers:
        if not isinstance(answer, Mapping):
            raise InvalidInputError(f"host veto {source} must return customer -> reason")
        for number, reason in answer.items():
            if number not in customers:
                continue
            if not isinstance(reason, str):
                raise InvalidInputError(f"host veto {source} gave a reason that is no text")
            found.setdefault(number, []).append(HostVeto(source, reason))
    return {
        number: tuple(sorted(vetoes, key=lambda v: (v.source, v.reason)))
        for number, vetoes in sorted(found.items())
    }
