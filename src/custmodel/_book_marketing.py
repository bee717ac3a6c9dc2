"""The advertising methods of :class:`custmodel.CustomerBook`: objections and consents.

A part of the facade kept in a module of its own; :class:`~custmodel.CustomerBook` inherits
it, and every method delegates to a use case as the rest of the book does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from custmodel._book_part import BookPart
from custmodel._usecases import _common, marketing, requests
from custmodel.model._channels import ContactChannel
from custmodel.model._marketing import (
    MarketingChoice,
    MarketingChoiceKind,
    MarketingChoicesRecorded,
)
from custmodel.model._requests import RequestKind
from custmodel.storage.ports import StoreTransaction

__all__ = ["MarketingMethods"]

Channels = ContactChannel | str | Iterable[ContactChannel | str]


class MarketingMethods(BookPart):
    """Objections and consents to advertising; see :class:`custmodel.CustomerBook`."""

    def record_marketing_choice(
        self,
        number: int,
        channels: Channels,
        choice: MarketingChoiceKind | str,
        *,
        given_on: date,
        source: str,
        note: str = "",
    ) -> MarketingChoicesRecorded:
        """Record a person's objection (GDPR Art. 21) or consent (Art. 7) to advertising.

        One ledger entry per channel; the customer's ``advertising_objections`` follow from
        the whole ledger (:func:`custmodel.rules.current_objections`) and are stored in the
        same transaction. A merged number follows to its master. An objection is also a
        request of the person: it is listed by :meth:`requests` as an objection request,
        answered when it was recorded.

        Args:
            number: The customer.
            channels: One channel or several.
            choice: CONSENT or OBJECTION.
            given_on: The day the person declared it; not after today.
            source: Where it came from ("Brief vom 3.11.", "Webformular"), one line.
            note: A note as proof.

        Raises:
            InvalidInputError: no channel, an unknown one, a future day, an empty source.
            CustomerNotFoundError: no customer has the number.
            AnonymizedCustomerError: the customer is anonymized (advertising never reaches it).
        """
        chosen = marketing.channels(channels)
        kind = marketing.choice(choice)
        day = marketing.given_on(given_on, self._now().date())

        def record(tx: StoreTransaction) -> MarketingChoicesRecorded:
            recorded = marketing.record(tx, number, chosen, kind, day, source, note, now=self._now)
            if kind is MarketingChoiceKind.OBJECTION:
                # An objection is a request of the person (Art. 21), answered by recording it.
                requests.record_request(
                    tx,
                    RequestKind.OBJECTION,
                    recorded.customer.number,
                    day,
                    self._now,
                    completed=True,
                )
            return recorded

        recorded = self._run(record)
        marketing.log_recorded(recorded)
        return recorded

    def object_to_advertising(
        self,
        number: int,
        channels: Channels = tuple(ContactChannel),
        *,
        given_on: date,
        source: str,
        note: str = "",
    ) -> MarketingChoicesRecorded:
        """Record an objection to advertising, on every channel unless ``channels`` says.

        See :meth:`record_marketing_choice`.
        """
        return self.record_marketing_choice(
            number,
            channels,
            MarketingChoiceKind.OBJECTION,
            given_on=given_on,
            source=source,
            note=note,
        )

    def marketing_choices(self, number: int) -> list[MarketingChoice]:
        """Return the ledger of customer ``number`` (or its master), oldest entry first."""
        _common.number(number)
        return self._run(lambda tx: marketing.ledger(tx, number), write=False)
