"""What the use cases share: argument checks, loading customers, reading the settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

import attrs

from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
)
from custmodel.model._checks import MAX_NUMBER, check_lookup_text, check_number
from custmodel.model._customer import Customer
from custmodel.model._profile import KindChange
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.storage.ports import StoreTransaction

T = TypeVar("T")
V = TypeVar("V")

#: The book's clock, checked: returns the current time, timezone-aware, in UTC.
Clock = Callable[[], datetime]

#: custmodel logs what it changed by customer number only, never with personal data.
logger = logging.getLogger("custmodel")

#: How far :meth:`CustomerBook.resolve` follows merge tombstones before it calls the data broken.
MAX_CHAIN = 10_000


class Runner(Protocol):
    """Runs an operation in one store transaction, retrying while the store is busy."""

    def __call__(self, operation: Callable[[StoreTransaction], T], *, write: bool = True) -> T:
        """Return what ``operation`` returned in a committed transaction."""
        ...


# -- argument checks ------------------------------------------------------------------------


def reference(value: object) -> str:
    """Return ``value`` if it is text a booking lookup can search for; see check_lookup_text."""
    return check_lookup_text(value, "a booking reference")


def number(value: object, what: str = "customer number") -> int:
    """Return ``value`` if it is a number a store can hold (1..2**63 - 1); see check_number."""
    return check_number(value, what)


def position(value: object, what: str) -> int:
    """Return ``value`` if it is a whole number from 0 to 2**63 - 1: where a page starts."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
        raise InvalidInputError(f"{what} is a whole number from 0 to 2**63 - 1")
    return value


def flag(value: object, what: str) -> bool:
    """Return ``value`` if it is True or False: a switch argument of a public method."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} is True or False")
    return value


def agency(acting_agency: str) -> str:
    """Return ``acting_agency`` if it names an agency (not empty, searchable text)."""
    if not isinstance(acting_agency, str) or not acting_agency.strip():
        raise InvalidInputError("the acting agency must be named")
    return check_lookup_text(acting_agency, "the acting agency")


def batch_size(value: int) -> int:
    """Return ``value`` if it is a batch size (a positive number)."""
    return check_number(value, "batch_size")


def selection(value: Selection | None) -> Selection:
    """Return ``value`` as a selection; None selects every active customer."""
    return given_or_default(value, Selection, "a selection must be a Selection object")


def given_or_default(value: object, cls: type[V], refusal: str) -> V:
    """Return ``value`` if it is a ``cls``, or ``cls()`` for None; refuse anything else."""
    if value is None:
        return cls()
    if not isinstance(value, cls):
        raise InvalidInputError(refusal)
    return value


# -- reading in a transaction ---------------------------------------------------------------


def settings(tx: StoreTransaction) -> Settings:
    """The settings, held (shared) until a write transaction ends.

    A write decided on them (a category's validity, a label, the debtor base) then cannot
    interleave with a settings change: the change waits for the commit, or the read waits
    for the change's commit and sees it.
    """
    return tx.get_settings(lock="share") or Settings()


def settings_for_update(tx: StoreTransaction) -> Settings:
    """The settings, locked for this transaction's read-modify-write of them.

    Taken before the read, never after a shared read: two transactions upgrading their
    shared locks would wait for each other.
    """
    return tx.get_settings(lock="update") or Settings()


def get(tx: StoreTransaction, customer: int) -> Customer:
    """Customer ``customer`` as stored (a tombstone too).

    Raises:
        CustomerNotFoundError: if no customer has that number.
    """
    found = tx.get_customer(number(customer))
    if found is None:
        raise CustomerNotFoundError(f"customer {customer} not found", number=customer)
    return found


def active(tx: StoreTransaction, customer: int) -> Customer:
    """Customer ``customer``, which must not be merged.

    Raises:
        AlreadyMergedError: it was merged (the error names its master).
    """
    found = get(tx, customer)
    if found.merged_into is not None:
        raise AlreadyMergedError(found.number, follow(tx, found).number)
    return found


def changeable(tx: StoreTransaction, customer: int, action: str) -> Customer:
    """Customer ``customer``, which must be neither merged nor anonymized to take ``action``."""
    found = active(tx, customer)
    if found.is_anonymized:
        raise AnonymizedCustomerError(found.number, action)
    return found


def follow(tx: StoreTransaction, customer: Customer) -> Customer:
    """The active customer ``customer`` stands for, following merge tombstones to the master."""
    for _ in range(MAX_CHAIN):
        if customer.merged_into is None:
            return customer
        master = tx.get_customer(customer.merged_into)
        if master is None:
            raise CustomerNotFoundError(
                f"customer {customer.number} points to missing master {customer.merged_into}",
                number=customer.merged_into,
            )
        customer = master
    raise CustomerNotFoundError(f"merge chain of customer {customer.number} does not end")


def store_kind_change(tx: StoreTransaction, change: KindChange) -> KindChange:
    """Write a kind change decided by the rules; the result holds the customer as stored."""
    if change.renumbered and tx.debtor_accounts_taken([change.new_debtor_account]):
        raise DebtorAccountError(f"debtor account {change.new_debtor_account} is taken")
    stored = tx.update_customers([change.customer])[0]
    return attrs.evolve(change, customer=stored)
