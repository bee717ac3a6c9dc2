"""The writing pass of ``custmodel import customers``: batches, what follows registering a row
(its objections, its anonymization), what was stored when it stops, and flags whose label was
deleted.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import attrs
import typer

from custmodel import (
    CustmodelError,
    CustomerBook,
    CustomerKind,
    LikelyDuplicateError,
    NewCustomer,
    Registration,
    Settings,
    rules,
)
from custmodel._entrycheck import DuplicateMode
from custmodel.cli._common import CommandRefusedError, plural
from custmodel.cli._duplicate_report import refusal_message, refusal_rows, report_rows
from custmodel.cli._resume import last_stored, matches, resume_hint
from custmodel.model import ContactChannel

if TYPE_CHECKING:
    from custmodel.cli._transfer import Writer

__all__ = ["CustomerImport", "Incoming", "fits", "interrupted", "labelled_for_now"]


@attrs.frozen
class Incoming:
    """A customer row of an import: the draft to register, and what follows registering it.

    Attributes:
        draft: What is registered.
        anonymized: The row is of an anonymized customer: anonymize it once registered.
        objections: The channels the person objected to advertising on, to record.
    """

    draft: NewCustomer
    anonymized: bool = False
    objections: frozenset[ContactChannel] = frozenset()


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def interrupted(what: str) -> NoReturn:
    """End an import stopped by Ctrl-C: say what was stored, exit 130 like a shell does."""
    sys.stderr.write(f"error: interrupted; {what}\n")
    sys.stderr.flush()
    raise typer.Exit(130)


class CustomerImport:
    """The writing pass of ``import customers``: batches, and what it has stored so far."""

    def __init__(
        self,
        customer_book: CustomerBook,
        file: Path,
        start_row: int,
        mode: DuplicateMode,
        agency: str,
    ) -> None:
        self.book = customer_book
        self.file = file
        self.start_row = start_row
        self.mode = mode
        self.agency = agency
        self.source = f"import of {file.name}"
        self.done = self.flagged = self.anonymized = self.objecting = 0
        self.first: int | None = None
        self.last: int | None = None
        self.rows_by_number: dict[int, str] = {}
        self.stopped: CommandRefusedError | None = None
        self._in_flight: list[Incoming] = []
        #: Stored customers of the current batch whose objections or anonymization are missing.
        self._pending: list[int] = []

    def _resume(self, stored: int) -> str:
        """Say how many rows were stored and how to go on after them."""
        return (
            f"the {plural(stored, 'customer')} before it {_were(stored)} imported, nothing "
            f"from there on; {resume_hint(self.file, self.start_row + stored)}"
        )

    def interrupted(self) -> str:
        """What an interruption left stored: a batch interrupted after its commit counts."""
        if self._in_flight:
            last = last_stored(self.book)
            if last is not None and matches(self._in_flight[-1], last):
                self.done += len(self._in_flight)
        stored = f"{plural(self.done, 'customer')} {_were(self.done)} imported"
        return f"{stored}{self._unfinished()}; {resume_hint(self.file, self.start_row + self.done)}"

    def _unfinished(self) -> str:
        """Name the stored customers whose objections or anonymization are still missing."""
        if not self._pending:
            return ""
        numbers = ", ".join(str(number) for number in self._pending)
        who = "customers" if len(self._pending) > 1 else "customer"
        lack = "lack" if len(self._pending) > 1 else "lacks"
        return (
            f"; {who} {numbers} still {lack} the objections or the anonymization of the file: "
            "record them with custmodel gdpr object and gdpr anonymize first"
        )

    def write(self, labels: list[str], batch: list[Incoming], report: Writer | None) -> bool:
        """Store one batch in one transaction, then anonymize and record objections.

        Returns False when likely duplicates refused the batch (``stopped`` says so).

        Raises:
            CommandRefusedError: the batch failed; the message says what was stored.
        """
        drafts = [incoming.draft for incoming in batch]
        self._in_flight = batch
        try:
            if self.mode == "warn":
                found = self.book.register_many(drafts, duplicates="warn")
            else:
                found = [
                    Registration(c) for c in self.book.register_many(drafts, duplicates=self.mode)
                ]
        except LikelyDuplicateError as error:
            self._in_flight = []
            if report is not None:
                for cells in refusal_rows(error, labels, self.rows_by_number):
                    report.write(None, functools.partial(list, cells))
            message = refusal_message(error, labels, self.done)
            hint = resume_hint(self.file, self.start_row + self.done)
            self.stopped = CommandRefusedError(f"{message}; {hint}")
            return False
        except CustmodelError as error:
            self._in_flight = []
            raise CommandRefusedError(
                f"{error} at {labels[0]}; {self._resume(self.done)}"
            ) from error
        self._in_flight = []
        for label, registered in zip(labels, found, strict=True):
            self.rows_by_number[registered.customer.number] = label
            self.flagged += bool(registered.candidates)
            if report is not None:
                for cells in report_rows(label, registered, self.rows_by_number):
                    report.write(None, functools.partial(list, cells))
        self.first = found[0].customer.number if self.first is None else self.first
        self.last = found[-1].customer.number
        # The batch is stored: what follows registering its rows is done one row at a time,
        # and what is still missing when that stops is named.
        self.done += len(found)
        follow_ups = [
            (label, incoming, registered.customer.number)
            for label, incoming, registered in zip(labels, batch, found, strict=True)
            if incoming.anonymized or incoming.objections
        ]
        self._pending = [number for _, _, number in follow_ups]
        for label, incoming, number in follow_ups:
            try:
                self._complete(incoming, number)
            except CustmodelError as error:
                stored = plural(self.done, "customer")
                hint = resume_hint(self.file, self.start_row + self.done)
                raise CommandRefusedError(
                    f"{error} at {label} (customer {number}); the {stored} up to the end of its "
                    f"batch {_were(self.done)} imported{self._unfinished()}; then {hint}"
                ) from error
            self._pending.pop(0)
        return True

    def _complete(self, incoming: Incoming, number: int) -> None:
        """Record the row's objections, then anonymize it, as the row says."""
        if incoming.objections:
            self.book.object_to_advertising(
                number,
                incoming.objections,
                given_on=datetime.now(UTC).date(),
                source=self.source,
            )
            self.objecting += 1
        if incoming.anonymized:
            self.book.anonymize(number, self.agency)
            self.anonymized += 1


def fits(
    settings: Settings, draft: NewCustomer, unlabelled: dict[CustomerKind, set[int]] | None
) -> None:
    """The kind of the new customer knows its category and labels its flags.

    With ``unlabelled``, flags without a label are allowed and collected there by kind.
    """
    rules.check_category(settings, draft.kind, draft.category)
    if unlabelled is None:
        rules.check_status(settings, draft.kind, draft.status)
        return
    labels = settings.kind(draft.kind).status_labels
    missing = {flag for flag in draft.status if flag not in labels}
    if missing:
        unlabelled.setdefault(draft.kind, set()).update(missing)


@contextmanager
def labelled_for_now(
    customer_book: CustomerBook, unlabelled: dict[CustomerKind, set[int]]
) -> Iterator[None]:
    """Label the ``unlabelled`` flags while the import registers customers carrying them.

    A flag can only be set while labelled (R2); a deleted label leaves the flag on the
    customers that carry it. Each label is set and deleted on its own, so a label another
    process changes meanwhile is not overwritten; the labels are deleted however the import
    ends.
    """
    labelled: list[tuple[CustomerKind, int]] = []
    try:
        for kind, flags in sorted(unlabelled.items()):
            for flag in sorted(flags):
                customer_book.rename_status_label(kind, flag, f"unlabelled {flag}")
                labelled.append((kind, flag))
        yield
    finally:
        for kind, flag in labelled:
            customer_book.rename_status_label(kind, flag, None)
