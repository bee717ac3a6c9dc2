"""Reading: lookups, selections page by page, statistics, profiles and letters' recipients.

Covers R3 (Code1 lookup), R5 (effective rules), R6 (dunning fields), R10 (selections,
statistics, the recipients of letters and data files).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import attrs

from custmodel import letters as mailmerge
from custmodel import rules
from custmodel._usecases import _common
from custmodel._usecases._common import Runner
from custmodel.errors import CustomerNotFoundError, InvalidInputError
from custmodel.model._booking import Booking
from custmodel.model._channels import ContactChannel
from custmodel.model._checks import to_enum
from custmodel.model._customer import Customer
from custmodel.model._marketing import Purpose
from custmodel.model._profile import CustomerProfile, EffectiveRules, MoneyField
from custmodel.model._selection import Selection
from custmodel.model._statistics import DeparturePeriod, Statistics, StatisticsDimension
from custmodel.storage.ports import StoreTransaction

if TYPE_CHECKING:
    from custmodel.dedupe import DuplicateGroup

T = TypeVar("T")

#: What a page of customers is made into: the customers themselves, their bookings ...
PageReader = Callable[[StoreTransaction, list[Customer]], list[T]]


# -- lookups ----------------------------------------------------------------------------------


def resolve(tx: StoreTransaction, number: int) -> Customer:
    """The active customer ``number`` stands for, following merges to the master."""
    return _common.follow(tx, _common.get(tx, number))


def resolve_debtor_account(tx: StoreTransaction, account: int) -> Customer:
    """The active customer a debtor account belongs to, following merges.

    Raises:
        CustomerNotFoundError: if no customer ever held the account.
    """
    customer = tx.customer_by_debtor_account(account)
    if customer is None:
        raise CustomerNotFoundError(f"no customer holds debtor account {account}")
    return _common.follow(tx, customer)


# -- paging -----------------------------------------------------------------------------------


def pages(
    run: Runner, selection: Selection | None, batch_size: int, read: PageReader[T]
) -> Iterator[T]:
    """Check the arguments now; yield what ``read`` makes of each page later (see :func:`paged`)."""
    chosen = _common.selection(selection)
    _common.batch_size(batch_size)
    return paged(run, chosen, batch_size, read)


def paged(run: Runner, selection: Selection, batch_size: int, read: PageReader[T]) -> Iterator[T]:
    """Yield what ``read`` makes of each page of the selection, one transaction per page."""
    after = 0
    while True:
        last, items = run(
            functools.partial(page, selection=selection, after=after, limit=batch_size, read=read),
            write=False,
        )
        # Yielded outside the transaction: a slow consumer holds no lock and no snapshot.
        yield from items
        if last is None:
            return
        after = last


def page(
    tx: StoreTransaction, selection: Selection, after: int, limit: int, read: PageReader[T]
) -> tuple[int | None, list[T]]:
    """One page: the last customer number read (None at the end) and what ``read`` made of it."""
    customers = tx.select_page(selection, after, limit)
    if not customers:
        return None, []
    # A short page is the last one: no further transaction is needed to find the end.
    return (customers[-1].number if len(customers) == limit else None), read(tx, customers)


def the_customers(_tx: StoreTransaction, customers: list[Customer]) -> list[Customer]:
    """A page read as its customers."""
    return customers


def their_bookings(tx: StoreTransaction, customers: list[Customer]) -> list[Booking]:
    """A page read as the bookings of its customers, by customer number and reference."""
    bookings = tx.bookings_of([c.number for c in customers])
    return sorted(bookings, key=lambda b: (b.customer, b.reference))


# -- statistics and rules that read -----------------------------------------------------------


def dimensions(
    group_by: StatisticsDimension | str | Iterable[StatisticsDimension | str],
) -> tuple[StatisticsDimension, ...]:
    """Return ``group_by`` as distinct dimensions, at least one.

    Raises:
        InvalidInputError: for an unknown dimension, none, or one twice.
    """
    if isinstance(group_by, str):
        group_by = (group_by,)
    elif not isinstance(group_by, Iterable):
        raise InvalidInputError("group_by is a statistics dimension or a sequence of them")
    found = tuple(to_enum(StatisticsDimension, d) for d in group_by)
    if not found:
        raise InvalidInputError("statistics group by at least one dimension")
    for dimension in found:
        if found.count(dimension) > 1:
            raise InvalidInputError(f"statistics group by {dimension} only once")
    return found


def period(value: DeparturePeriod | None) -> DeparturePeriod:
    """Return ``value`` as the departures that count; None counts all."""
    return _common.given_or_default(
        value, DeparturePeriod, "a statistics period is a DeparturePeriod"
    )


def statistics(
    tx: StoreTransaction,
    selection: Selection,
    grouped: tuple[StatisticsDimension, ...],
    departures: DeparturePeriod,
) -> Statistics:
    """Customers, bookings and revenue of ``selection`` per group, labelled (R10)."""
    counted = tx.statistics(selection, rules.statistics_dimensions(grouped), departures)
    return rules.label_statistics(_common.settings(tx), counted, grouped)


def effective_rules(tx: StoreTransaction, number: int) -> EffectiveRules:
    """Commission scheme and fee schedule in force for customer ``number`` (R5)."""
    customer = _common.active(tx, number)
    template_number = _common.settings(tx).kind(customer.kind).template_customer
    template = None if template_number is None else tx.get_customer(template_number)
    return rules.effective_rules(customer, template)


def profile(tx: StoreTransaction, number: int) -> CustomerProfile:
    """The classification of customer ``number`` (or its master) under its kind's labels."""
    customer = _common.follow(tx, _common.get(tx, number))
    return rules.customer_profile(_common.settings(tx), customer)


def dunning_fields(
    tx: StoreTransaction, number: int, open_amount: Decimal
) -> dict[str, MoneyField]:
    """Mail-merge fields ``Kunde-Mahngebühr`` and ``OP-Betrag+Mahngebühr`` (R6)."""
    customer = _common.changeable(tx, number, "receive letters")
    fee = _common.settings(tx).kind(customer.kind).dunning_fee
    return rules.dunning_fields(fee, open_amount)


def find_duplicates(
    tx: StoreTransaction, number: int | None, threshold: float
) -> list[DuplicateGroup]:
    """Groups of customers that are probably the same party (needs ``custmodel[dedupe]``)."""
    from custmodel.dedupe import find_duplicate_groups

    if number is not None:
        _common.active(tx, number)
    customers = tx.select(Selection(anonymized=False))
    # Every mark: the search reads every customer anyway, and a group of the focus may link
    # others too.
    told_apart = tx.distinct_marks()
    return find_duplicate_groups(
        customers, threshold=threshold, focus=number, distinct=[m.pair for m in told_apart]
    )


def threshold(value: float) -> float:
    """Return ``value`` if it is a score threshold in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise InvalidInputError("threshold is a number in (0, 1]")
    return value


# -- letters ----------------------------------------------------------------------------------


def recipients(
    run: Runner,
    selection: Selection | None,
    open_amounts: Mapping[int, Decimal | int | str] | None,
    owing_only: bool,
    batch_size: int,
    needs_amount: bool,
    purpose: Purpose | str = Purpose.ADVERTISING,
    channel: ContactChannel | str = ContactChannel.LETTER,
    due_by: date | None = None,
    days_before_departure: int = 0,
) -> tuple[Iterator[tuple[Customer, dict[str, str]]], int, mailmerge.CreditedAmounts | None]:
    """Check the arguments now; return the recipients with their merge fields, lazily, how
    many of the selected an advertising run leaves out (counted now), and how the open
    amounts given were credited (the amount of a merged number goes to its master).

    Anonymized customers and tombstones are left out whatever ``selection`` says; a
    selection of anonymized customers only has no recipients at all. An advertising run
    leaves out who objected to advertising on ``channel``; a contract run does not. With
    ``due_by``, a customer's open amount counts only the bookings due by that day.
    """
    asked = _common.selection(selection)
    chosen = attrs.evolve(asked, anonymized=False, include_merged=False)
    why = to_enum(Purpose, purpose)
    on = to_enum(ContactChannel, channel)
    amounts = None if open_amounts is None else mailmerge.check_open_amounts(open_amounts)
    due = mailmerge.check_due(due_by, days_before_departure)
    if due is not None and amounts is not None:
        raise InvalidInputError(
            "due_by chooses the bookings whose open amounts count; open_amounts replaces them"
        )
    if not isinstance(owing_only, bool):
        raise InvalidInputError("owing_only is True or False")
    _common.batch_size(batch_size)
    if why is Purpose.ADVERTISING:
        if asked.advertising not in (None, on):
            raise InvalidInputError("the selection leaves out objectors of another channel")
        chosen = attrs.evolve(chosen, advertising=on)
    credited = None
    if amounts is not None:
        credited = run(functools.partial(credit, amounts=amounts), write=False)
        amounts = credited.amounts
    if asked.anonymized:
        return iter(()), 0, credited
    left_out = 0
    if why is Purpose.ADVERTISING:
        left_out = run(functools.partial(objectors, selection=chosen), write=False)
    read = functools.partial(
        recipients_of,
        amounts=amounts,
        owing_only=owing_only,
        needs_amount=needs_amount or owing_only,
        due=due,
    )
    return paged(run, chosen, batch_size, read), left_out, credited


def credit(tx: StoreTransaction, amounts: dict[int, Decimal]) -> mailmerge.CreditedAmounts:
    """Credit the open amounts of merged numbers to their masters, in one read."""
    stored = tx.get_customers(list(amounts))
    resolved = {number: _common.follow(tx, customer) for number, customer in stored.items()}
    return mailmerge.credit_open_amounts(amounts, resolved)


def objectors(tx: StoreTransaction, selection: Selection) -> int:
    """How many customers ``selection`` leaves out only for its advertising channel."""
    return tx.count(attrs.evolve(selection, advertising=None)) - tx.count(selection)


def recipients_of(
    tx: StoreTransaction,
    customers: list[Customer],
    amounts: dict[int, Decimal] | None,
    owing_only: bool,
    needs_amount: bool,
    due: tuple[date, int] | None = None,
) -> list[tuple[Customer, dict[str, str]]]:
    """The recipients among one page of customers, with their merge fields."""
    settings = _common.settings(tx)
    owed: dict[int, Decimal] = {}
    if needs_amount and amounts is None:
        bookings: dict[int, list[Booking]] = {c.number: [] for c in customers}
        for booking in tx.bookings_of(list(bookings)):
            bookings[booking.customer].append(booking)
        owed = {n: mailmerge.open_amount_of(found, *(due or ())) for n, found in bookings.items()}
    elif needs_amount and amounts is not None:
        owed = {c.number: amounts.get(c.number, Decimal("0.00")) for c in customers}
    batch = []
    for customer in customers:
        amount = owed.get(customer.number)
        if owing_only and not amount:
            continue
        batch.append((customer, mailmerge.merge_fields(customer, settings, amount)))
    return batch
