"""The rules of custmodel as pure functions: no input/output, no clock, no storage.

Each function decides one rule of the specification. "Today" and "now" are parameters, so every
rule can be tested for any day. The :class:`custmodel.CustomerBook` facade loads what a rule
needs from the store, asks the rule, and stores the outcome.
"""

from __future__ import annotations

import calendar
import collections
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from babel.numbers import format_currency

from custmodel.errors import (
    DebtorAccountError,
    InvalidCategoryError,
    InvalidInputError,
    InvalidStatusFlagError,
    MergeRefusedError,
    TemplateCustomerError,
)
from custmodel.model import (
    PERSONAL_FIELDS,
    Blocker,
    BlockReason,
    Booking,
    Customer,
    CustomerKind,
    CustomerProfile,
    DeparturePeriod,
    EffectiveRules,
    Eligibility,
    ErasureRequest,
    ErasureState,
    ErasureStatus,
    KindChange,
    KindSettings,
    LabelledCode,
    MergePlan,
    MoneyField,
    ProfileFlag,
    RuleOrigin,
    RuleSource,
    Settings,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    StatisticsValue,
    StatusFlags,
    blank_value,
    cents,
)

__all__ = [
    "ANONYMIZED_NAME",
    "DUNNING_FEE_FIELD",
    "OPEN_AMOUNT_FIELD",
    "OPEN_AMOUNT_WITH_FEE_FIELD",
    "anonymization_eligibility",
    "anonymized",
    "change_kind",
    "check_category",
    "check_debtor_range",
    "check_merge_numbers",
    "check_new_flags",
    "check_status",
    "check_template_customer",
    "convert_prospect",
    "count_statistics",
    "customer_profile",
    "debtor_account",
    "due_for_erasure",
    "dunning_fields",
    "effective_rules",
    "erasure_due",
    "erasure_status",
    "filled_master",
    "folded_erasure_requests",
    "format_eur",
    "label_statistics",
    "needs_deposit_prompt",
    "plan_merge",
    "statistics_dimensions",
    "tombstone",
]

#: Mail-merge field names of R6, exactly as Jack's word processor spells them.
DUNNING_FEE_FIELD = "Kunde-Mahngebühr"
OPEN_AMOUNT_FIELD = "OP-Betrag"
OPEN_AMOUNT_WITH_FEE_FIELD = "OP-Betrag+Mahngebühr"

#: The dummy last name an anonymized customer carries. It says what happened and nothing else.
ANONYMIZED_NAME = "Anonymisiert"


# -- R1 / R2: categories and status flags -------------------------------------------------------


def check_category(settings: Settings, kind: CustomerKind, category: str | None) -> None:
    """Check that ``category`` may be given to a customer of ``kind`` (None always may).

    Raises:
        InvalidCategoryError: if the category is not in the kind's list.
    """
    if category is not None and category not in settings.kind(kind).categories:
        # The category itself stays out of the message: it can describe the person (R9).
        raise InvalidCategoryError(f"the category is not in the list of kind {kind.value}")


def check_status(settings: Settings, kind: CustomerKind, status: StatusFlags) -> None:
    """Check that every flag in ``status`` has a label on ``kind`` (R2).

    Raises:
        InvalidStatusFlagError: naming the first unlabelled flag.
    """
    labels = settings.kind(kind).status_labels
    for flag in status:
        if flag not in labels:
            raise InvalidStatusFlagError(
                f"status flag {flag} has no label on kind {kind.value}; label it first"
            )


def check_new_flags(
    settings: Settings, kind: CustomerKind, before: StatusFlags, after: StatusFlags
) -> None:
    """Check the flags ``after`` sets that ``before`` did not: each needs a label.

    Flags a customer already carries may stay unlabelled (a deleted label never touches
    customers, R2), so only newly set flags are checked.
    """
    check_status(settings, kind, StatusFlags(after.bits & ~before.bits))


# -- R4: customer numbers and debtor accounts ---------------------------------------------------


def debtor_account(settings: Settings, kind: CustomerKind, number: int) -> int:
    """Debtor account = base + the kind's offset + customer number (R4).

    >>> debtor_account(Settings(), CustomerKind.PRIVATE, 300)
    10300
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidInputError("a customer number is a positive whole number")
    return settings.debtor_base + settings.kind(kind).debtor_offset + number


def check_debtor_range(settings: Settings, kind: CustomerKind, account: int) -> None:
    """Check that ``account`` lies in the configured range of ``kind``.

    Raises:
        DebtorAccountError: if it lies outside.
    """
    ks = settings.kind(kind)
    if (ks.debtor_min is not None and account < ks.debtor_min) or (
        ks.debtor_max is not None and account > ks.debtor_max
    ):
        raise DebtorAccountError(
            f"debtor account {account} lies outside the range of kind {kind.value} "
            f"({ks.debtor_min}..{ks.debtor_max})"
        )


def change_kind(
    settings: Settings,
    customer: Customer,
    new_kind: CustomerKind,
    *,
    keep_status: bool = False,
    now: datetime,
) -> KindChange:
    """Change the kind of ``customer`` (R1, R4) and say what was dropped.

    A category not in the new kind's list is dropped; status flags are dropped unless
    ``keep_status``. The debtor account stays, except for a prospect whose kind's
    ``renumber_on_kind_change`` is on: then it is recomputed with the new kind's offset.
    Uniqueness of a recomputed account is the store's to check.

    Raises:
        TemplateCustomerError: if the customer is its kind's template customer.
        DebtorAccountError: if a recomputed account lies outside the new kind's range.
    """
    old_kind = customer.kind
    if settings.kind(old_kind).template_customer == customer.number and new_kind is not old_kind:
        raise TemplateCustomerError(
            f"customer {customer.number} is the template customer of kind {old_kind.value}; "
            "name another template customer first"
        )
    account = customer.debtor_account
    # Only a prospect is renumbered (R4): any later kind change keeps the debtor account.
    if (
        old_kind is CustomerKind.PROSPECT
        and new_kind is not old_kind
        and settings.kind(old_kind).renumber_on_kind_change
    ):
        account = debtor_account(settings, new_kind, customer.number)
        check_debtor_range(settings, new_kind, account)
    category = customer.category
    dropped_category = None
    if category is not None and category not in settings.kind(new_kind).categories:
        dropped_category, category = category, None
    status = customer.status
    dropped_status = StatusFlags()
    if new_kind is not old_kind and not keep_status:
        dropped_status, status = status, StatusFlags()
    changed = attrs.evolve(
        customer,
        kind=new_kind,
        debtor_account=account,
        category=category,
        status=status,
        updated_at=now,
    )
    return KindChange(
        customer=changed,
        old_kind=old_kind,
        new_kind=new_kind,
        dropped_category=dropped_category,
        dropped_status=dropped_status,
        old_debtor_account=customer.debtor_account,
        new_debtor_account=account,
    )


def convert_prospect(
    settings: Settings,
    customer: Customer,
    booking: Booking,
    *,
    target: CustomerKind = CustomerKind.PRIVATE,
    keep_status: bool = False,
    now: datetime,
) -> KindChange | None:
    """Turn a prospect into a customer at its first firm booking (R4); None if nothing to do.

    An offer never converts; a customer who is no prospect is not touched.

    Raises:
        InvalidInputError: if ``target`` is PROSPECT.
    """
    if target is CustomerKind.PROSPECT:
        raise InvalidInputError("a prospect converts into a customer of another kind")
    if customer.kind is not CustomerKind.PROSPECT or not booking.is_firm:
        return None
    return change_kind(settings, customer, target, keep_status=keep_status, now=now)


# -- R5: template customer ----------------------------------------------------------------------


def check_template_customer(kind: CustomerKind, template: Customer | None, number: int) -> None:
    """Check that customer ``number`` (``template``, None if unknown) may be ``kind``'s template.

    Raises:
        TemplateCustomerError: if it does not exist, is of another kind, or is merged.
    """
    if template is None:
        raise TemplateCustomerError(f"template customer {number} of kind {kind.value} not found")
    if template.kind is not kind:
        raise TemplateCustomerError(
            f"template customer {number} is of kind {template.kind.value}, not {kind.value}"
        )
    if not template.is_active:
        raise TemplateCustomerError(
            f"template customer {number} was merged into customer {template.merged_into}"
        )


def effective_rules(customer: Customer, template: Customer | None) -> EffectiveRules:
    """The commission scheme and fee schedule in force for ``customer`` (R5).

    Each is the customer's own if it has one, else the template customer's, else none; the two
    are decided independently.

    Args:
        customer: The customer asked about.
        template: Its kind's template customer, or None if the kind names none.
    """

    def pick(own: str | None, inherited: str | None) -> RuleSource:
        if own is not None:
            return RuleSource(own, RuleOrigin.OWN)
        if template is not None and inherited is not None:
            return RuleSource(inherited, RuleOrigin.TEMPLATE, template.number)
        return RuleSource(None, RuleOrigin.NONE)

    return EffectiveRules(
        customer=customer.number,
        commission_scheme=pick(
            customer.commission_scheme, template.commission_scheme if template else None
        ),
        fee_schedule=pick(customer.fee_schedule, template.fee_schedule if template else None),
    )


# -- R2 / R3: the profile a person reads --------------------------------------------------------


def customer_profile(settings: Settings, customer: Customer) -> CustomerProfile:
    """``customer``'s classification under the labels of its kind: Jack's "Attribute" card.

    Every flag labelled on the kind appears, set or not; a flag the customer carries whose
    label was deleted appears by number with no label, never hidden (R2). Code1 and Code2
    appear under the kind's labels (R3).
    """
    ks = settings.kind(customer.kind)
    numbers = sorted(set(ks.status_labels) | customer.status.numbers)
    return CustomerProfile(
        number=customer.number,
        kind=customer.kind,
        customer_type=customer.customer_type,
        debtor_account=customer.debtor_account,
        category=customer.category,
        flags=tuple(ProfileFlag(n, ks.status_labels.get(n), n in customer.status) for n in numbers),
        code1=LabelledCode("code1", ks.code1_label, customer.code1),
        code2=LabelledCode("code2", ks.code2_label, customer.code2),
        anonymized=customer.is_anonymized,
    )


# -- R6 / R7: dunning fee and deposit prompt ----------------------------------------------------


def format_eur(amount: Decimal) -> str:
    """Format an EUR amount as a German letter prints it: ``Decimal("1234.5")`` -> "1.234,50 €".

    Babel separates number and sign with a no-break space; a plain space is used instead, so
    that the text equals what a person types and word processors see no unusual character.
    """
    return format_currency(amount, "EUR", locale="de_DE").replace("\xa0", " ")


def dunning_fields(fee: Decimal, open_amount: Decimal) -> dict[str, MoneyField]:
    """Mail-merge fields for a dunning letter (R6).

    Returns:
        ``{"Kunde-Mahngebühr": fee, "OP-Betrag": open amount, "OP-Betrag+Mahngebühr": sum}``,
        each as a :class:`MoneyField` with the exact amount and its de_DE text.

    Raises:
        InvalidInputError: for a negative amount or one with fractions of a cent.
    """
    fee, open_amount = cents(fee), cents(open_amount)
    total = open_amount + fee
    return {
        DUNNING_FEE_FIELD: MoneyField(fee, format_eur(fee)),
        OPEN_AMOUNT_FIELD: MoneyField(open_amount, format_eur(open_amount)),
        OPEN_AMOUNT_WITH_FEE_FIELD: MoneyField(total, format_eur(total)),
    }


def needs_deposit_prompt(
    kind_settings: KindSettings, booking: Booking, first_capture: bool
) -> bool:
    """Ask whether a deposit is to be recorded? (R7).

    Yes only for a firm booking at its first capture as a firm booking, on a kind whose
    ``deposit_prompt`` is on. Offers never prompt.
    """
    return kind_settings.deposit_prompt and booking.is_firm and first_capture


# -- R9: anonymization --------------------------------------------------------------------------


def anonymization_eligibility(
    bookings: Iterable[Booking],
    acting_agency: str,
    today: date,
    delay_days: int = 42,
) -> Eligibility:
    """May the customer with these bookings be anonymized by ``acting_agency`` on ``today``?

    TSmart's rules: an offer never blocks. A firm booking blocks if the acting agency is not its
    point of sale, if it came through an external sales channel, or until ``delay_days`` after
    its departure (departure D allows anonymization from D + 42 days on). No bookings: eligible.

    Returns:
        An :class:`Eligibility` with every blocking booking and its reasons, and, when only time
        blocks, the first day the customer becomes eligible.

    Raises:
        InvalidInputError: for an empty agency or a negative delay.
    """
    if not isinstance(acting_agency, str) or not acting_agency.strip():
        raise InvalidInputError("the acting agency must be named")
    if delay_days < 0:
        raise InvalidInputError("the anonymization delay must not be negative")
    delay = timedelta(days=delay_days)
    blockers: list[Blocker] = []
    for booking in sorted(bookings, key=lambda b: b.reference):
        if not booking.is_firm:
            continue
        reasons, allowed_from = _block_reasons(booking, acting_agency, today, delay)
        if reasons:
            blockers.append(
                Blocker(
                    booking.reference,
                    tuple(reasons),
                    allowed_from if BlockReason.TOO_RECENT in reasons else None,
                )
            )
    if not blockers:
        return Eligibility(eligible=True)
    only_time = all(b.reasons == (BlockReason.TOO_RECENT,) for b in blockers)
    eligible_from = max(b.allowed_from for b in blockers if b.allowed_from) if only_time else None
    return Eligibility(eligible=False, blockers=tuple(blockers), eligible_from=eligible_from)


def _block_reasons(
    booking: Booking, acting_agency: str, today: date, delay: timedelta
) -> tuple[list[BlockReason], date]:
    """The three blocking rules of R9 for one firm booking, in one place.

    Returns:
        Why ``booking`` keeps ``acting_agency`` from anonymizing on ``today`` (empty if it
        does not), and the day from which its departure no longer blocks.
    """
    reasons: list[BlockReason] = []
    if booking.point_of_sale != acting_agency:
        reasons.append(BlockReason.NOT_POINT_OF_SALE)
    if booking.channel.is_external:
        reasons.append(BlockReason.EXTERNAL_CHANNEL)
    try:
        allowed_from = booking.departure + delay
    except OverflowError:
        allowed_from = date.max
    if today < allowed_from:
        reasons.append(BlockReason.TOO_RECENT)
    return reasons, allowed_from


def erasure_due(bookings: Iterable[Booking], acting_agency: str, cutoff: date) -> bool:
    """Whether ``acting_agency`` may anonymize the customer with these bookings (R9), by cutoff.

    ``cutoff`` is the day minus the anonymization delay: a departure on or before it is old
    enough. The same answer as ``anonymization_eligibility(bookings, acting_agency, cutoff + delay,
    delay).eligible``, asked the way a store's sweep asks it: with the cutoff, for one customer
    of many, without building the reasons.
    """
    none = timedelta(0)
    return not any(_block_reasons(b, acting_agency, cutoff, none)[0] for b in bookings if b.is_firm)


def due_for_erasure(
    customers: Mapping[int, Customer],
    requests: Iterable[ErasureRequest],
    bookings_of: Callable[[int], Iterable[Booking]],
    acting_agency: str,
    cutoff: date,
    after: int,
    limit: int,
    *,
    received_by: date,
) -> list[int]:
    """The customers due for erasure (R9): the shared scan behind a store's ``due_erasures``.

    For the stores that have no query language for the rule: the memory store, a third
    party's store (the SQL store asks it set-based, and the contract suite checks that both
    agree with :func:`anonymization_eligibility`). Active, not anonymized customers with an
    open request received on or before ``received_by`` for whom :func:`erasure_due` holds;
    numbers greater than ``after``, ascending, at most ``limit`` of them. See
    :meth:`custmodel.storage.StoreTransaction.due_erasures`.

    Args:
        customers: Every customer by number (a request's customer must be in it).
        requests: The erasure requests (open and completed).
        bookings_of: Returns the bookings of one customer number.
        acting_agency: The agency that runs the sweep.
        cutoff: The sweep's day minus the anonymization delay.
        after: Only numbers above it (keyset pagination).
        limit: At most this many numbers.
        received_by: The sweep's day: a request received later was not there yet.
    """
    if limit < 1:
        return []
    requested = sorted({r.customer for r in requests if r.is_open and r.received_on <= received_by})
    due: list[int] = []
    for number in requested:
        if number <= after:
            continue
        customer = customers[number]
        if not customer.is_active or customer.is_anonymized:
            continue
        if erasure_due(bookings_of(number), acting_agency, cutoff):
            due.append(number)
            if len(due) == limit:
                break
    return due


def anonymized(customer: Customer, now: datetime) -> tuple[Customer, tuple[str, ...]]:
    """Return ``customer`` with every personal field replaced by dummy data, and those fields.

    The dummy data is constant ("Anonymisiert" as last name, everything else empty), so nothing
    about the person (no hash, initial or length) can be inferred from it. Number, kind, type,
    debtor account and the rule references stay.
    """
    cleared = tuple(f for f in PERSONAL_FIELDS if getattr(customer, f) != blank_value(f))
    changes: dict[str, Any] = {f: blank_value(f) for f in PERSONAL_FIELDS}
    changes["last_name"] = ANONYMIZED_NAME
    result = attrs.evolve(customer, anonymized_at=now, updated_at=now, **changes)
    return result, cleared


def _one_month_after(day: date) -> date:
    """The same day one calendar month later, or that month's last day (Jan 31 -> Feb 28)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def erasure_status(request: ErasureRequest, eligibility: Eligibility, day: date) -> ErasureStatus:
    """The state of an erasure request on ``day``, given its customer's eligibility then (R9).

    DONE: completed. DUE: the customer may be anonymized now. WAITING: only time blocks, from
    ``eligibility.eligible_from`` on. BLOCKED: another point of sale or an external channel. The
    answer is due one calendar month after receipt (GDPR Art. 12(3)).
    """
    answer_by = _one_month_after(request.received_on)
    if not request.is_open:
        state, due_on = ErasureState.DONE, None
    elif eligibility.eligible:
        state, due_on = ErasureState.DUE, day
    elif eligibility.eligible_from is not None:
        state, due_on = ErasureState.WAITING, eligibility.eligible_from
    else:
        state, due_on = ErasureState.BLOCKED, None
    return ErasureStatus(request, state, due_on, answer_by, eligibility)


# -- R8: merge ----------------------------------------------------------------------------------

_FILLABLE = (
    *(f for f in PERSONAL_FIELDS if f not in ("status", "category")),
    "commission_scheme",
    "fee_schedule",
)


def check_merge_numbers(master: int, duplicates: Sequence[int]) -> None:
    """Refuse a merge by its numbers alone: the master among the duplicates, one listed twice.

    :func:`plan_merge` asks this first; :meth:`custmodel.CustomerBook.merge` asks it before it
    reads a customer, so these refusals come before "not found".

    Raises:
        MergeRefusedError: naming the master, or the first duplicate listed more than once.
    """
    if master in duplicates:
        raise MergeRefusedError(f"customer {master} cannot be merged into itself")
    counts = collections.Counter(duplicates)
    twice = next((n for n in duplicates if counts[n] > 1), None)
    if twice is not None:
        raise MergeRefusedError(f"customer {twice} is listed twice as a duplicate")


def plan_merge(
    settings: Settings,
    master: Customer,
    duplicates: Sequence[Customer],
    booking_references: Iterable[str],
    *,
    fill_blanks: bool = False,
    unite_status: bool = False,
    references: dict[str, int] | None = None,
) -> MergePlan:
    """Plan merging ``duplicates`` into ``master`` (R8) without changing anything.

    Args:
        settings: The book's settings (for template customers and categories).
        master: The surviving customer.
        duplicates: The customers to retire, in the order their data fills blanks.
        booking_references: The references of the duplicates' bookings.
        fill_blanks: Plan to fill empty master fields from the duplicates, first one first.
        unite_status: Plan to give the master the status flags of duplicates of its kind.
        references: Host reference name -> how many rows would move.

    Raises:
        MergeRefusedError: no duplicates, master among them, a duplicate twice, a merged or
            anonymized customer, or a template customer whose setting cannot follow.
    """
    numbers = [d.number for d in duplicates]
    if not numbers:
        raise MergeRefusedError(f"merge into customer {master.number} names no duplicates")
    check_merge_numbers(master.number, numbers)
    seen = set(numbers)
    for customer in (master, *duplicates):
        if not customer.is_active:
            raise MergeRefusedError(
                f"customer {customer.number} was merged into customer {customer.merged_into} "
                "already"
            )
        if customer.is_anonymized:
            raise MergeRefusedError(f"customer {customer.number} is anonymized")
    templates: list[CustomerKind] = []
    for kind in CustomerKind:
        if settings.kind(kind).template_customer in seen:
            if master.kind is not kind:
                raise MergeRefusedError(
                    f"customer {settings.kind(kind).template_customer} is the template customer "
                    f"of kind {kind.value}; master {master.number} is of kind {master.kind.value}"
                )
            templates.append(kind)
    filled: dict[str, int] = {}
    if fill_blanks:
        for field in _FILLABLE:
            if getattr(master, field) in ("", None):
                for dup in duplicates:
                    if getattr(dup, field) not in ("", None):
                        filled[field] = dup.number
                        break
        if master.category is None:
            for dup in duplicates:
                if (
                    dup.category is not None
                    and dup.category in settings.kind(master.kind).categories
                ):
                    filled["category"] = dup.number
                    break
    united = StatusFlags()
    if unite_status:
        for dup in duplicates:
            if dup.kind is master.kind:
                united = united.union(dup.status)
        united = StatusFlags(united.bits & ~master.status.bits)
    return MergePlan(
        master=master.number,
        duplicates=tuple(numbers),
        bookings=tuple(sorted(booking_references)),
        retired_debtor_accounts={d.number: d.debtor_account for d in duplicates},
        filled_fields=filled,
        united_status=united,
        templates=tuple(templates),
        references=dict(references or {}),
    )


def filled_master(
    plan: MergePlan, master: Customer, duplicates: Sequence[Customer], now: datetime
) -> Customer:
    """Return the master as the plan leaves it: blanks filled, flags united."""
    by_number = {d.number: d for d in duplicates}
    changes: dict[str, Any] = {
        field: getattr(by_number[source], field) for field, source in plan.filled_fields.items()
    }
    if plan.united_status:
        changes["status"] = master.status.union(plan.united_status)
    if not changes:
        return master
    return attrs.evolve(master, updated_at=now, **changes)


def tombstone(duplicate: Customer, master: int, now: datetime) -> Customer:
    """Return what stays of a merged duplicate: number, kind, type, account and its master.

    A tombstone keeps no personal data (R8, R9): the master holds whatever survives.
    """
    changes: dict[str, Any] = {f: blank_value(f) for f in PERSONAL_FIELDS}
    changes["commission_scheme"] = None
    changes["fee_schedule"] = None
    return attrs.evolve(duplicate, merged_into=master, updated_at=now, **changes)


def folded_erasure_requests(
    open_requests: Sequence[ErasureRequest],
) -> tuple[ErasureRequest, tuple[int, ...]]:
    """Fold one customer's open erasure requests (at least one) into the one that stays open.

    A customer has at most one open request; a merge can bring it more. The first recorded
    (lowest id) stays, with the earliest receipt day of all, as a repeated request moves it
    (the one-month answer deadline runs from the first receipt). The others are absorbed
    into it, like a repeat that records nothing.

    Returns:
        The request that stays open, as it is to be stored, and the ids of the others.
    """
    kept = min(open_requests, key=lambda r: r.id)
    earliest = min(r.received_on for r in open_requests)
    if earliest < kept.received_on:
        kept = attrs.evolve(kept, received_on=earliest)
    return kept, tuple(sorted(r.id for r in open_requests if r.id != kept.id))


# -- R10: statistics ----------------------------------------------------------------------------

_KIND = StatisticsDimension.KIND
#: Dimensions whose keys carry labels of the customers' kinds.
_LABELLED = (
    StatisticsDimension.STATUS_FLAG,
    StatisticsDimension.CODE1,
    StatisticsDimension.CODE2,
)


@attrs.define
class _Tally:
    """What one group has counted so far."""

    customers: set[int] = attrs.Factory(set)
    firm_bookings: int = 0
    offers: int = 0
    revenue: Decimal = Decimal("0.00")
    kinds: set[CustomerKind] = attrs.Factory(set)

    def add(self, customer: Customer, bookings: Iterable[Booking]) -> None:
        self.customers.add(customer.number)
        self.kinds.add(customer.kind)
        for booking in bookings:
            if booking.is_firm:
                self.firm_bookings += 1
                self.revenue += booking.revenue or Decimal("0.00")
            else:
                self.offers += 1

    def row(self, key: tuple[StatisticsKey, ...] = ()) -> StatisticsRow:
        return StatisticsRow(
            key, len(self.customers), self.firm_bookings, self.offers, self.revenue
        )


def _customer_values(customer: Customer, dimension: StatisticsDimension) -> list[StatisticsValue]:
    """The values a customer has in a customer-level dimension (several for status flags)."""
    if dimension is StatisticsDimension.STATUS_FLAG:
        return list(customer.status) or [None]
    values: dict[StatisticsDimension, StatisticsValue] = {
        StatisticsDimension.KIND: customer.kind,
        StatisticsDimension.CUSTOMER_TYPE: customer.customer_type,
        StatisticsDimension.CATEGORY: customer.category,
        StatisticsDimension.CODE1: customer.code1,
        StatisticsDimension.CODE2: customer.code2,
    }
    return [values[dimension]]


def _booking_value(booking: Booking, dimension: StatisticsDimension) -> StatisticsValue:
    if dimension is StatisticsDimension.TRAVEL_TYPE:
        return booking.travel_type
    if dimension is StatisticsDimension.DESTINATION:
        return booking.destination
    return booking.departure.year


def count_statistics(
    customers: Iterable[Customer],
    bookings: Iterable[Booking],
    group_by: Sequence[StatisticsDimension],
    period: DeparturePeriod,
) -> Statistics:
    """Count customers, firm bookings, offers and revenue per group (R10), without labels.

    The reference semantics of :meth:`custmodel.storage.StoreTransaction.statistics`:

    * Merged duplicates (tombstones) among ``customers`` never count; only bookings that
      depart in ``period`` count; offers carry no revenue; unknown revenue counts as 0.
    * Grouped by customer-level dimensions only, every customer is in the groups of its values,
      also without a booking in the period (counted, with no bookings). A customer with several
      status flags is in the group of each, one without flags in the group None.
    * With a booking-level dimension (travel type, destination, departure year), a customer is
      in each group in which it has a booking in the period, and in no group without one.
    * The totals count every customer that is in some group once, and each of their bookings
      in the period once.

    Args:
        customers: The selected customers.
        bookings: Their bookings (bookings of other customers are ignored).
        group_by: The dimensions, at least one, each once.
        period: The departures that count.
    """
    group_by = tuple(group_by)
    per_booking = any(d.per_booking for d in group_by)
    in_period: dict[int, list[Booking]] = {}
    for booking in bookings:
        if booking.departure in period:
            in_period.setdefault(booking.customer, []).append(booking)
    groups: dict[tuple[StatisticsValue, ...], _Tally] = {}
    totals = _Tally()
    for customer in customers:
        own = in_period.get(customer.number, [])
        if not customer.is_active or (per_booking and not own):
            continue
        totals.add(customer, own)
        mine = {d: _customer_values(customer, d) for d in group_by if not d.per_booking}
        # Per booking, each booking is a unit of its own; else the customer with all of them.
        units: list[tuple[Booking | None, list[Booking]]] = (
            [(b, [b]) for b in own] if per_booking else [(None, own)]
        )
        for unit, counted in units:
            choices = [
                [_booking_value(unit, d)] if unit is not None and d.per_booking else mine[d]
                for d in group_by
            ]
            for values in itertools.product(*choices):
                groups.setdefault(values, _Tally()).add(customer, counted)
    rows = [
        tally.row(tuple(StatisticsKey.of(d, v) for d, v in zip(group_by, values, strict=True)))
        for values, tally in groups.items()
    ]
    return Statistics(group_by, period, rows, totals.row())


def statistics_dimensions(
    group_by: Sequence[StatisticsDimension],
) -> tuple[StatisticsDimension, ...]:
    """The dimensions to count by so that :func:`label_statistics` can label ``group_by``.

    Flag and code labels are per kind, so the kinds of each group are needed: KIND is added
    (last) when ``group_by`` has a labelled dimension but not KIND itself.
    """
    group_by = tuple(group_by)
    if _KIND not in group_by and any(d in _LABELLED for d in group_by):
        return (*group_by, _KIND)
    return group_by


def _labels(
    settings: Settings, dimension: StatisticsDimension, value: object, kinds: set[CustomerKind]
) -> dict[CustomerKind, str]:
    present = [kind for kind in CustomerKind if kind in kinds]
    if dimension is StatisticsDimension.STATUS_FLAG and isinstance(value, int):
        found = ((k, settings.kind(k).status_labels.get(value)) for k in present)
        return {kind: label for kind, label in found if label is not None}
    if dimension is StatisticsDimension.CODE1:
        return {kind: settings.kind(kind).code1_label for kind in present}
    if dimension is StatisticsDimension.CODE2:
        return {kind: settings.kind(kind).code2_label for kind in present}
    return {}


def label_statistics(
    settings: Settings, counted: Statistics, group_by: Sequence[StatisticsDimension]
) -> Statistics:
    """Return ``counted`` grouped by ``group_by``, with the labels of ``settings`` on the keys.

    ``counted`` is grouped by :func:`statistics_dimensions` of ``group_by``; rows that differ
    only in the kind added there are added up (exact: every customer has one kind). A status
    flag's key carries its label on each kind of the group's customers that labels it (none
    for an unlabelled flag, which stays in the result by its number); a code's key carries
    what each of those kinds calls the field.
    """
    group_by = tuple(group_by)
    where = [counted.group_by.index(d) for d in group_by]
    kind_at = counted.group_by.index(_KIND) if _KIND in counted.group_by else None
    folded: dict[tuple[StatisticsValue, ...], list[Any]] = {}
    for row in counted.rows:
        values = tuple(row.key[i].value for i in where)
        sums = folded.setdefault(values, [0, 0, 0, Decimal("0.00"), set()])
        sums[0] += row.customers
        sums[1] += row.firm_bookings
        sums[2] += row.offers
        sums[3] += row.revenue
        if kind_at is not None:
            sums[4].add(row.key[kind_at].value)
    rows = [
        StatisticsRow(
            tuple(
                StatisticsKey(d, v, _labels(settings, d, v, kinds))
                for d, v in zip(group_by, values, strict=True)
            ),
            customers,
            firm_bookings,
            offers,
            revenue,
        )
        for values, (customers, firm_bookings, offers, revenue, kinds) in folded.items()
    ]
    return Statistics(group_by, counted.period, rows, counted.totals)
