"""The duplicate check of ``custmodel import customers``: its option and its CSV report.

The report names rows of the imported file by their labels ("row 3 (line 4)") and customers
by number, with the score and the reasons of each match: no personal data beyond what the
user's own file holds. Its cells are escaped as every CSV export is
(:func:`~custmodel.cli._common.escape_formula`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from custmodel import LikelyDuplicateError, Registration
from custmodel.cli._common import plural

__all__ = ["REPORT_COLUMNS", "DuplicateOption", "refusal_rows", "report_rows"]

#: The columns of the report: the file's row and its new customer number, the row or stored
#: customer it probably duplicates, and the match's score and reasons (empty for a refusal,
#: which names numbers only).
REPORT_COLUMNS = (
    "row",
    "customer",
    "duplicate_of_row",
    "duplicate_of_customer",
    "score",
    "reasons",
)


class DuplicateOption(enum.StrEnum):
    """What an import does about likely duplicates (``--duplicates``)."""

    OFF = "off"
    WARN = "warn"
    REFUSE = "refuse"


def report_rows(
    label: str, registered: Registration, rows_by_number: dict[int, str]
) -> list[list[str]]:
    """The report's rows for one imported customer and its candidates, best first.

    ``rows_by_number`` maps the numbers given to this file's rows so far to their labels: a
    candidate registered from this file is named by its row too.
    """
    return [
        [
            label,
            str(registered.customer.number),
            rows_by_number.get(candidate.number, ""),
            str(candidate.number),
            f"{candidate.score:.2f}",
            "; ".join(candidate.reasons),
        ]
        for candidate in registered.candidates
    ]


def refusal_rows(
    error: LikelyDuplicateError, labels: Sequence[str], rows_by_number: dict[int, str]
) -> list[list[str]]:
    """The report's rows for a batch the check refused: which rows are probably whom."""
    rows = [
        [labels[index], "", rows_by_number.get(number, ""), str(number), "", ""]
        for index, numbers in sorted(error.matches.items())
        for number in numbers
    ]
    rows += [[labels[later], "", labels[earlier], "", "", ""] for earlier, later in error.within]
    return rows


def refusal_message(error: LikelyDuplicateError, labels: Sequence[str], done: int) -> str:
    """Why the import stopped, by the file's rows: the refused batch's likely duplicates."""
    parts = [
        f"{labels[index]} is probably customer {', '.join(map(str, numbers))}"
        for index, numbers in sorted(error.matches.items())
    ]
    parts += [f"{labels[later]} is probably {labels[earlier]}" for earlier, later in error.within]
    return (
        f"likely duplicates: {'; '.join(parts)}. The {plural(done, 'customer')} before "
        f"{labels[0]} were imported, nothing from there on"
    )
