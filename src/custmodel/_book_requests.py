"""The data-subject request methods of :class:`custmodel.CustomerBook`: record requests of
every kind, list them with their deadlines, and answer the right of access (GDPR Art. 15, 17, 20).

A part of the facade kept in a module of its own; :class:`~custmodel.CustomerBook` inherits
it, and every method delegates to a use case as the rest of the book does.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, TypeVar

from custmodel import letters as mailmerge
from custmodel._book_part import BookPart
from custmodel._usecases import _common, erasure, requests
from custmodel.model._access import AccessReport, RequestStatus
from custmodel.model._erasure import ErasureRequestRecorded, ErasureStatus
from custmodel.model._requests import RequestKind, RequestRecorded
from custmodel.storage.ports import StoreTransaction

__all__ = ["RequestMethods"]

S = TypeVar("S")


class _Listing(Protocol[S]):
    """A use case that lists requests with their states for an agency on a day."""

    def __call__(
        self, tx: StoreTransaction, acting_agency: str, day: date, /, *, include_done: bool
    ) -> list[S]: ...


class RequestMethods(BookPart):
    """Requests of access, erasure and objection; see :class:`custmodel.CustomerBook`."""

    # -- erasure requests -------------------------------------------------------------------

    def request_erasure(self, number: int, received_on: date) -> ErasureRequestRecorded:
        """Record a person's request to erase their data (GDPR Art. 17).

        A merged number follows to its master. A customer has at most one open request: while
        one is open, a repeat records nothing and says so (``repeated``); the open request
        keeps the earliest receipt day, because the one-month answer deadline runs from the
        first receipt, so a repeat received earlier moves it there (``moved_from``). For an
        anonymized customer the request is recorded as completed at once.

        Raises:
            InvalidInputError: ``received_on`` is not a date or lies after today.
            CustomerNotFoundError: no customer has the number.
        """
        received = erasure.received_on(received_on)
        recorded = self._run(
            lambda tx: requests.request_erasure(tx, number, received, now=self._now)
        )
        erasure.log_request(recorded)
        return recorded

    def erasure_requests(
        self, acting_agency: str, today: date | None = None, *, include_done: bool = False
    ) -> list[ErasureStatus]:
        """Each erasure request with its state for ``acting_agency`` on ``today``.

        DUE: may be anonymized now. WAITING: only time blocks; ``due_on`` says from when.
        BLOCKED: another point of sale or an external channel holds bookings of the person, so
        it is not the agency's data to erase; the eligibility says which. DONE (with
        ``include_done``): anonymized. ``answer_by`` is the GDPR's one month after receipt.
        The list is as of ``today``: a request received after that day is not in it.
        """
        return self._listed(erasure.erasure_requests, acting_agency, today, include_done)

    def request_access(self, number: int, received_on: date) -> RequestRecorded:
        """Record a person's request for access to their data (GDPR Art. 15).

        A merged number follows to its master. Like an erasure request, at most one is open per
        customer: a repeat records nothing (``repeated``), one received earlier moves the open
        request to that day (``moved_from``). :meth:`access_report` with ``answer=True``
        completes it.

        Raises:
            InvalidInputError: ``received_on`` is not a date or lies after today.
            CustomerNotFoundError: no customer has the number.
        """
        received = erasure.received_on(received_on)
        recorded = self._run(
            lambda tx: requests.record_request(tx, RequestKind.ACCESS, number, received, self._now)
        )
        requests.log_recorded(recorded)
        return recorded

    def requests(
        self, acting_agency: str, *, day: date | None = None, include_done: bool = False
    ) -> list[RequestStatus]:
        """Every request of every kind (access, erasure, objection), ordered by id, as of ``day``.

        Each carries its kind, receipt day, ``answer_by`` (one month after receipt, GDPR Art.
        12(3)) and whether it is ``overdue`` (open after that day); an erasure request also
        carries its state for ``acting_agency`` (due, waiting, blocked, done), which depends on
        the agency. Completed requests only with ``include_done``; requests received after
        ``day`` are not in the list.
        """
        return self._listed(requests.statuses, acting_agency, day, include_done)

    def _listed(
        self, listing: _Listing[S], acting_agency: str, today: date | None, include_done: bool
    ) -> list[S]:
        """Check the arguments of a request list, then read it in a read-only transaction."""
        day = self._today(today)
        _common.agency(acting_agency)
        _common.flag(include_done, "include_done")
        return self._run(
            lambda tx: listing(tx, acting_agency, day, include_done=include_done), write=False
        )

    def access_report(
        self, number: int, *, answer: bool = False, today: date | None = None
    ) -> AccessReport:
        """Everything custmodel stores about a person: the answer to GDPR Art. 15 and 20.

        A merged number follows to its master. The report is read in one transaction with a
        constant number of statements however many bookings the customer has. ``answer=True``
        says the report is sent to the person: the customer's open access requests are
        completed in the same transaction. See :func:`custmodel.serialization.access_report_json`
        for the machine-readable document and :meth:`access_letter` for the letter.

        Raises:
            CustomerNotFoundError: no customer has the number.
        """
        day = self._today(today)
        _common.flag(answer, "answer")
        report = self._run(
            lambda tx: requests.access_report(tx, number, day, answer=answer, now=self._now),
            write=answer,
        )
        if answer:
            _common.logger.info("access report of customer %d answered", report.customer.number)
        return report

    def access_letter(
        self,
        number: int,
        template: mailmerge.LetterTemplate | str | None = None,
        *,
        answer: bool = False,
        today: date | None = None,
    ) -> str:
        """The access report as a German letter (Auskunft nach Art. 15 DSGVO).

        ``template`` is a :class:`~custmodel.letters.LetterTemplate` or its text; None uses
        :data:`custmodel.letters.ACCESS_LETTER`. ``answer`` as for :meth:`access_report`.
        """
        chosen = mailmerge.access_template(template)
        report = self.access_report(number, answer=answer, today=today)
        return mailmerge.render_access_letter(chosen, report)
