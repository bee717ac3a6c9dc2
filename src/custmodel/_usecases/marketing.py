"""Objections and consents to advertising (GDPR Art. 21, 7): the ledger and the customer's
current objections, written together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from custmodel import rules
from custmodel._usecases import _common
from custmodel._usecases._common import Clock
from custmodel.errors import AnonymizedCustomerError, InvalidInputError
from custmodel.model._channels import ContactChannel, to_channels
from custmodel.model._checks import to_enum
from custmodel.model._marketing import (
    MarketingChoice,
    MarketingChoiceKind,
    MarketingChoicesRecorded,
)
from custmodel.storage.ports import StoreTransaction


def channels(
    value: ContactChannel | str | Iterable[ContactChannel | str],
) -> tuple[ContactChannel, ...]:
    """Return ``value`` as distinct channels in their declared order, at least one."""
    found = to_channels(value)
    if not found:
        raise InvalidInputError("name at least one contact channel")
    return tuple(c for c in ContactChannel if c in found)


def choice(value: MarketingChoiceKind | str) -> MarketingChoiceKind:
    """Return ``value`` as a marketing choice (consent or objection)."""
    return to_enum(MarketingChoiceKind, value)


def given_on(value: date, today: date) -> date:
    """Return ``value`` if it is a day no later than ``today``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError("given_on must be a date (not a datetime)")
    if value > today:
        raise InvalidInputError("a choice about advertising cannot be given in the future")
    return value


def record(
    tx: StoreTransaction,
    number: int,
    chosen: tuple[ContactChannel, ...],
    kind: MarketingChoiceKind,
    day: date,
    source: str,
    note: str,
    *,
    now: Clock,
) -> MarketingChoicesRecorded:
    """Record a choice on ``chosen`` channels for customer ``number`` (or its master).

    The customer is read, and so locked in a write transaction, before its ledger: a merge of
    it waits for this commit (and then moves the new entries), or this waits for the merge's
    and records on the master.
    """
    at = now()
    entries = [
        MarketingChoice(
            id=0,
            customer=1,
            channel=c,
            choice=kind,
            given_on=day,
            recorded_at=at,
            source=source,
            note=note,
        )
        for c in chosen
    ]
    if not source.strip():
        raise InvalidInputError("the source of a choice about advertising must be named")
    customer = _common.follow(tx, _common.get(tx, number))
    if customer.is_anonymized:
        raise AnonymizedCustomerError(customer.number, "record a choice about advertising")
    ledger = tx.marketing_choices([customer.number])
    stored = tx.add_marketing_choices([attrs.evolve(e, customer=customer.number) for e in entries])
    objections = rules.current_objections([*ledger, *stored])
    if objections != customer.advertising_objections:
        changed = attrs.evolve(customer, advertising_objections=objections, updated_at=at)
        customer = tx.update_customers([changed])[0]
    return MarketingChoicesRecorded(tuple(stored), customer)


def ledger(tx: StoreTransaction, number: int) -> list[MarketingChoice]:
    """The ledger of customer ``number`` (or its master), oldest entry first."""
    customer = _common.follow(tx, _common.get(tx, number))
    return tx.marketing_choices([customer.number])


def follow_merge(
    tx: StoreTransaction, master: int, duplicates: Iterable[int], at: datetime
) -> frozenset[ContactChannel]:
    """Move the duplicates' ledgers to the master and return the master's objections.

    The strictest choice wins per channel (:func:`rules.merged_objections`); the entries it
    adds keep the master's ledger and its objections in agreement.
    """
    numbers = list(duplicates)
    before = tx.marketing_choices([master, *numbers])
    objections, added = rules.merged_objections(master, before, at)
    tx.move_marketing_choices(numbers, master)
    tx.add_marketing_choices(added)
    return objections


def follow_anonymization(tx: StoreTransaction, customers: Iterable[int]) -> None:
    """Keep of anonymized customers' ledgers only the blanked entries of current objections."""
    by_customer: dict[int, list[MarketingChoice]] = {}
    for entry in tx.marketing_choices(list(customers)):
        by_customer.setdefault(entry.customer, []).append(entry)
    keep: list[int] = []
    drop: list[int] = []
    for entries in by_customer.values():
        kept, dropped = rules.anonymized_ledger(entries)
        keep.extend(kept)
        drop.extend(dropped)
    if drop:
        tx.delete_marketing_choices(drop)
    if keep:
        tx.blank_marketing_choices(keep)


def log_recorded(recorded: MarketingChoicesRecorded) -> None:
    """Log a committed choice by its ids and the customer's number."""
    _common.logger.info(
        "recorded marketing choices %s for customer %d",
        ", ".join(str(c.id) for c in recorded.choices),
        recorded.customer.number,
    )
