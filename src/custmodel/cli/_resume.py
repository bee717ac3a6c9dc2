"""Resuming an import of customers that stopped: ``--start-row``, checked against the store.

A customer has no key of its own that a file could carry (the book gives every customer its
number when it registers it, and Code1 is a free field an office fills as it likes), so an
import cannot tell by a key which rows it has stored. It imports the rows in file order, one
batch per transaction, and when it stops it says how many rows were stored and from which row
to go on. ``--start-row N`` skips the rows before N, but only when row N - 1 is the customer
stored last, field by field: the customer numbers come from one counter that never skips or
reuses a number, and customers are never deleted (merged ones stay as tombstones), so the
customer stored last is the one whose number is the count of all customers. A resume with the
wrong row, or after someone else registered a customer meanwhile, is refused before anything
is written, so no row is stored twice.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import attrs

from custmodel import (
    Customer,
    CustomerBook,
    CustomerNotFoundError,
    InvalidInputError,
    NewCustomer,
    Selection,
)
from custmodel.cli._common import CommandRefusedError
from custmodel.model import ContactChannel

__all__ = ["Resume", "last_stored", "matches", "resume_hint"]


#: Every customer, tombstones and anonymized ones included.
_ALL = Selection(include_merged=True)
_DRAFT_FIELDS = tuple(field.name for field in attrs.fields(NewCustomer))


class Row(Protocol):
    """What the check needs of an imported row (see ``_transfer.Incoming``)."""

    @property
    def draft(self) -> NewCustomer: ...

    @property
    def anonymized(self) -> bool: ...

    @property
    def objections(self) -> frozenset[ContactChannel]: ...


R = TypeVar("R", bound=Row)


def last_stored(customer_book: CustomerBook) -> Customer | None:
    """The customer stored last: the one whose number is the count of all customers."""
    count = customer_book.count(_ALL)
    if not count:
        return None
    try:
        return customer_book.get(count)
    except CustomerNotFoundError:
        return None


def matches(row: Row, customer: Customer) -> bool:
    """Is ``customer`` what importing ``row`` stored? Every field of the draft, the
    anonymization and the objections; an anonymized row's draft holds no personal field.
    """
    if customer.merged_into is not None or customer.is_anonymized != row.anonymized:
        return False
    if customer.advertising_objections != row.objections:
        return False
    return all(getattr(row.draft, name) == getattr(customer, name) for name in _DRAFT_FIELDS)


def resume_hint(path: Path, next_row: int) -> str:
    """The command that goes on with row ``next_row`` of ``path``."""
    return (
        f"resume with: custmodel import customers {shlex.quote(str(path))} "
        f"--start-row {next_row} (and this run's other options)"
    )


class Resume:
    """Skips the rows before ``--start-row`` and keeps the one before it for the check.

    Args:
        path: The file.
        start: The first row to import (1 for all of them).
    """

    def __init__(self, path: Path, start: int) -> None:
        self.path = path
        self.start = start
        self.previous: tuple[str, Row | str] | None = None
        self.rows_seen = 0

    def rows(self, rows: Iterable[tuple[str, R | str]]) -> Iterator[tuple[str, R | str]]:
        """The rows from ``start`` on; the one before it is kept in ``previous``."""
        self.rows_seen = 0
        for number, (label, item) in enumerate(rows, start=1):
            self.rows_seen = number
            if number < self.start - 1:
                continue
            if number == self.start - 1:
                self.previous = (label, item)
                continue
            yield label, item

    def check(self, customer_book: CustomerBook) -> None:
        """Refuse unless row ``start - 1`` is the customer stored last (nothing to check at 1).

        Call it after :meth:`rows` went through the file once.

        Raises:
            InvalidInputError: ``--start-row`` is past the end of the file.
            CommandRefusedError: the row before it is not the customer stored last.
        """
        if self.start == 1:
            return
        if self.start > self.rows_seen + 1:
            raise InvalidInputError(
                f"--start-row {self.start} is past the end of {self.path.name}, which holds "
                f"{self.rows_seen} rows"
            )
        assert self.previous is not None  # noqa: S101 - rows() saw row start - 1
        label, row = self.previous
        last = last_stored(customer_book)
        if last is None or isinstance(row, str) or not matches(row, last):
            stored = (
                "the store holds no customer"
                if last is None
                else f"the customer stored last is customer {last.number}"
            )
            raise CommandRefusedError(
                f"--start-row {self.start}: {label}, the row before it, is not what the store "
                f"holds last ({stored}), so the rows before {self.start} were not all stored "
                "by an import of this file, or the store changed since; nothing was imported"
            )
