"""Hypothesis strategies for every public custmodel type, valid by construction.

Applications that use custmodel build their property tests on these::

    from hypothesis import given
    from custmodel.testing import strategies as cst

    @given(cst.new_customers())
    def test_registration_keeps_the_name(new):
        ...

Every field of every public type is generated. Text includes umlauts, ß and other non-ASCII
letters, because German customer data is full of them.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from custmodel import rules
from custmodel.model import (
    PERSONAL_FIELDS,
    STATUS_FLAG_COUNT,
    AnonymizationReport,
    Blocker,
    BlockReason,
    Booking,
    BookingKind,
    BookingRecorded,
    Customer,
    CustomerKind,
    CustomerType,
    EffectiveRules,
    Eligibility,
    KindChange,
    KindSettings,
    MergePlan,
    MergeReport,
    MoneyField,
    NewCustomer,
    RuleOrigin,
    RuleSource,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
)

__all__ = [
    "MARKED_FIELDS",
    "anonymization_reports",
    "aware_datetimes",
    "blockers",
    "booking_kinds",
    "bookings",
    "bookings_recorded",
    "customer_kinds",
    "customer_types",
    "customers",
    "customers_with_bookings",
    "effective_rules",
    "eligibilities",
    "flag_numbers",
    "kind_changes",
    "kind_settings",
    "marked_new_customers",
    "markers",
    "merge_plans",
    "merge_reports",
    "money",
    "money_fields",
    "names",
    "new_customers",
    "rule_sources",
    "sales_channels",
    "selections",
    "settings",
    "status_flags",
    "texts",
]

customer_kinds = st.sampled_from(CustomerKind)
customer_types = st.sampled_from(CustomerType)
booking_kinds = st.sampled_from(BookingKind)
flag_numbers = st.integers(min_value=1, max_value=STATUS_FLAG_COUNT)

_LETTERS = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Nd", "Zs", "Pd", "Po"),
    exclude_characters="\x1f",
)
_GERMAN = st.sampled_from(list("aäbcdeéfghijklmnoöpqrsßtuüvwxyzAÄÖÜ -.'"))

# Strategies are immutable, so the helpers below hand out one shared instance per argument set:
# building and validating a fresh text strategy for every field of every draw made generation
# of a populated store several times slower.


@functools.cache
def texts(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Single-line text: letters (German and others), digits, spaces, punctuation."""
    return st.text(st.one_of(_GERMAN, _LETTERS), min_size=min_size, max_size=max_size)


@functools.cache
def names() -> st.SearchStrategy[str]:
    """Non-blank names such as "Müller-Lüdenscheidt" or "Ołeś"."""
    return texts(min_size=1, max_size=25).filter(lambda s: s.strip() != "")


@functools.cache
def money(max_value: Decimal = Decimal("1000000.00")) -> st.SearchStrategy[Decimal]:
    """Non-negative EUR amounts with exactly two decimals."""
    return st.integers(min_value=0, max_value=int(max_value * 100)).map(
        lambda c: (Decimal(c) / 100).quantize(Decimal("0.01"))
    )


@functools.cache
def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware UTC datetimes between 2000 and 2100."""
    return st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by design
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    )


def status_flags(labels: KindSettings | None = None) -> st.SearchStrategy[StatusFlags]:
    """Status flags; with ``labels``, only flags labelled there (so they may be set)."""
    if labels is not None:
        return _flags_among(tuple(sorted(labels.status_labels)))
    return _ANY_FLAGS


_ANY_FLAGS = st.integers(min_value=0, max_value=(1 << STATUS_FLAG_COUNT) - 1).map(StatusFlags)


@functools.lru_cache(maxsize=512)  # keyed by drawn settings: keep it bounded
def _flags_among(allowed: tuple[int, ...]) -> st.SearchStrategy[StatusFlags]:
    if not allowed:
        return st.just(StatusFlags())
    return st.sets(st.sampled_from(allowed)).map(StatusFlags.of)


@functools.lru_cache(maxsize=512)  # keyed by drawn settings: keep it bounded
def _category_of(categories: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(categories)


@st.composite
def kind_settings(
    draw: st.DrawFn, *, template_customer: int | None = None, debtor_ranges: bool = False
) -> KindSettings:
    """Settings of one kind: categories, labels, code labels, debtor offset, fees, switches.

    Debtor ranges are left open and the template customer is None unless asked for, because
    both depend on customers that a settings strategy cannot know.

    Args:
        template_customer: The template customer's number to set.
        debtor_ranges: Also draw a debtor range (either end may stay open), e.g. for round trips.
    """
    debtor_min = debtor_max = None
    if debtor_ranges:
        debtor_min = draw(st.none() | st.integers(1, 500_000))
        debtor_max = draw(st.none() | st.integers(debtor_min or 1, 1_000_000))
    return KindSettings(
        categories=tuple(draw(st.lists(names(), max_size=5, unique=True))),
        status_labels=draw(st.dictionaries(flag_numbers, names(), max_size=8)),
        code1_label=draw(names()),
        code2_label=draw(names()),
        debtor_offset=draw(st.sampled_from([0, 10000, 20000, 50000, 90000])),
        debtor_min=debtor_min,
        debtor_max=debtor_max,
        template_customer=template_customer,
        dunning_fee=draw(money(Decimal("100.00"))),
        deposit_prompt=draw(st.booleans()),
        renumber_on_kind_change=draw(st.booleans()),
    )


@st.composite
def settings(draw: st.DrawFn, *, debtor_offsets: st.SearchStrategy[int] | None = None) -> Settings:
    """Complete settings with every kind configured (no template customers).

    Args:
        debtor_offsets: Where each kind's debtor offset comes from. The default keeps kinds
            apart like a real chart of accounts; small offsets (``st.integers(0, 5)``) make
            accounts of different kinds collide, which exercises the uniqueness checks.
    """
    kinds = {kind: draw(kind_settings()) for kind in CustomerKind}
    if debtor_offsets is not None:
        kinds = {k: attrs.evolve(ks, debtor_offset=draw(debtor_offsets)) for k, ks in kinds.items()}
    return Settings(
        debtor_base=draw(st.sampled_from([0, 10000, 100000])),
        anonymization_delay_days=draw(st.sampled_from([0, 1, 28, 42, 90])),
        kinds=kinds,
    )


_POSTAL_CODES = st.from_regex(r"[0-9]{5}", fullmatch=True) | st.just("")
_EMAILS = st.emails() | st.just("")
_PHONES = st.from_regex(r"\+49 [0-9]{3,4} [0-9]{4,8}", fullmatch=True) | st.just("")
_NOTES = st.text(st.one_of(_GERMAN, _LETTERS, st.just("\n")), max_size=60)
_SALUTATIONS = st.sampled_from(["", "Frau", "Herr", "Firma", "Divers"])
_COUNTRIES = st.sampled_from(["", "DE", "AT", "CH"])
_BIRTH_DATES = st.none() | st.dates(date(1920, 1, 1), date(2020, 12, 31))
_COMMISSION_SCHEMES = st.none() | st.sampled_from(["PROV-A", "PROV-B", "Staffel 3"])
_FEE_SCHEDULES = st.none() | st.sampled_from(["FEE-1", "FEE-2", "Service plus"])


@st.composite
def new_customers(
    draw: st.DrawFn,
    *,
    kind: CustomerKind | None = None,
    settings: Settings | None = None,
) -> NewCustomer:
    """Registration data; with ``settings``, category and flags fit the kind's lists."""
    chosen = draw(customer_kinds) if kind is None else kind
    ks = (settings or Settings()).kind(chosen)
    category = draw(_category_of(ks.categories)) if ks.categories else None
    return NewCustomer(
        kind=chosen,
        last_name=draw(names()),
        customer_type=draw(customer_types),
        first_name=draw(texts()),
        salutation=draw(_SALUTATIONS),
        company=draw(texts()),
        street=draw(texts()),
        postal_code=draw(_POSTAL_CODES),
        city=draw(texts()),
        country=draw(_COUNTRIES),
        email=draw(_EMAILS),
        phone=draw(_PHONES),
        birth_date=draw(_BIRTH_DATES),
        code1=draw(texts(max_size=12)),
        code2=draw(texts(max_size=12)),
        notes=draw(_NOTES),
        category=category,
        status=draw(status_flags(ks)),
        commission_scheme=draw(_COMMISSION_SCHEMES),
        fee_schedule=draw(_FEE_SCHEDULES),
    )


@st.composite
def customers(
    draw: st.DrawFn,
    *,
    kind: CustomerKind | None = None,
    settings: Settings | None = None,
    number: int | None = None,
) -> Customer:
    """Stored customers, as a store returns them: number, account, timestamps, version.

    Some are merged tombstones or anonymized, as a real store holds them.
    """
    new = draw(new_customers(kind=kind, settings=settings))
    chosen = number if number is not None else draw(st.integers(1, 10_000_000))
    created = draw(aware_datetimes())
    updated = created + draw(st.timedeltas(timedelta(0), timedelta(days=3000)))
    state = draw(st.sampled_from(["active", "active", "merged", "anonymized"]))
    merged_into = draw(st.integers(1, 10_000_000)) if state == "merged" else None
    anonymized_at = updated if state == "anonymized" else None
    return Customer(
        number=chosen,
        debtor_account=(settings or Settings()).debtor_base + chosen + draw(st.integers(0, 90000)),
        created_at=created,
        updated_at=updated,
        merged_into=merged_into,
        anonymized_at=anonymized_at,
        version=draw(st.integers(1, 1000)),
        **attrs.asdict(new, recurse=False),
    )


@functools.cache
def sales_channels() -> st.SearchStrategy[SalesChannel]:
    """Own channels and external partners."""
    return st.builds(
        SalesChannel,
        name=st.sampled_from(["own", "Website", "Filiale", "Telefon", "Booking.com", "Holidu"]),
        is_external=st.booleans(),
    )


_POINTS_OF_SALE = st.sampled_from(["AG1", "AG2", "AG3"])


@st.composite
def bookings(
    draw: st.DrawFn,
    *,
    customer: int | None = None,
    point_of_sale: str | st.SearchStrategy[str] | None = None,
    around: date | None = None,
    reference: str | None = None,
) -> Booking:
    """Offers and firm bookings, own and external, on several points of sale.

    Args:
        customer: The customer number, else drawn.
        point_of_sale: A fixed agency id or a strategy for one; else "AG1".."AG3".
        around: Departures cluster around this day's 42-day boundary (D - 60 .. D + 20), so
            "too recent" and "old enough" both occur; else any day 2000..2040.
        reference: A fixed booking reference, else drawn.
    """
    if isinstance(point_of_sale, str):
        pos: st.SearchStrategy[str] = st.just(point_of_sale)
    else:
        pos = point_of_sale if point_of_sale is not None else _POINTS_OF_SALE
    if around is not None:
        departure = around + timedelta(days=draw(st.integers(-60, 20)))
    else:
        departure = draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    return Booking(
        reference=reference or draw(_REFERENCES),
        customer=customer if customer is not None else draw(st.integers(1, 10_000_000)),
        kind=draw(booking_kinds),
        departure=departure,
        point_of_sale=draw(pos),
        channel=draw(sales_channels()),
        open_amount=draw(money(Decimal("20000.00"))),
    )


@st.composite
def selections(draw: st.DrawFn) -> Selection:
    """Selections over every filter, mostly narrow enough to be interesting."""
    return Selection(
        kind=draw(st.none() | customer_kinds),
        customer_type=draw(st.none() | customer_types),
        category=draw(st.none() | names()),
        status_all=draw(st.frozensets(flag_numbers, max_size=3)),
        status_any=draw(st.frozensets(flag_numbers, max_size=3)),
        code1=draw(st.none() | texts(max_size=6)),
        code2=draw(st.none() | texts(max_size=6)),
        name=draw(st.none() | texts(max_size=6)),
        anonymized=draw(st.none() | st.booleans()),
        include_merged=draw(st.booleans()),
    )


# -- customers with their bookings --------------------------------------------------------------

_REFERENCES = st.from_regex(r"[A-Z]{2}-[0-9]{6}", fullmatch=True)


@st.composite
def customers_with_bookings(
    draw: st.DrawFn,
    *,
    settings: Settings | None = None,
    min_size: int = 1,
    max_size: int = 5,
    max_bookings: int = 4,
    around: date | None = None,
    point_of_sale: str | st.SearchStrategy[str] | None = None,
) -> list[tuple[NewCustomer, tuple[Booking, ...]]]:
    """Registration data with the bookings of each customer; references are unique.

    The bookings of the ``i``-th draft (counted from 0) name customer number ``i + 1``: register
    the drafts in the order given into an empty store, then record the bookings.

    Args:
        settings: Categories and flags of the drafts fit these settings.
        min_size: Fewest customers.
        max_size: Most customers.
        max_bookings: Most bookings per customer.
        around: As for :func:`bookings`: departures cluster around this day's 42-day boundary.
        point_of_sale: As for :func:`bookings`.
    """
    drafts = draw(st.lists(new_customers(settings=settings), min_size=min_size, max_size=max_size))
    counts = [draw(st.integers(0, max_bookings)) for _ in drafts]
    references = iter(
        draw(st.lists(_REFERENCES, min_size=sum(counts), max_size=sum(counts), unique=True))
    )
    return [
        (
            draft,
            tuple(
                draw(
                    bookings(
                        customer=number,
                        point_of_sale=point_of_sale,
                        around=around,
                        reference=next(references),
                    )
                )
                for _ in range(count)
            ),
        )
        for number, (draft, count) in enumerate(zip(drafts, counts, strict=True), start=1)
    ]


# -- personal data markers (privacy properties) -------------------------------------------------

#: The personal text fields :func:`marked_new_customers` fills with markers.
MARKED_FIELDS: tuple[str, ...] = tuple(
    f for f in PERSONAL_FIELDS if f not in ("birth_date", "category", "status")
)

_MARKER_LETTERS = st.characters(codec="utf-8", categories=("Lu", "Ll"))


@functools.cache
def markers() -> st.SearchStrategy[str]:
    """Text that is certainly unique in a store: "mk" and 8 letters, umlauts and others included.

    Plant markers in personal fields, then search any output for them: a marker found where it
    should not be is personal data that survived.
    """
    return st.text(_MARKER_LETTERS, min_size=8, max_size=8).map(lambda letters: "mk" + letters)


@st.composite
def marked_new_customers(
    draw: st.DrawFn,
    *,
    kind: CustomerKind | None = None,
    settings: Settings | None = None,
) -> NewCustomer:
    """Registration data whose every personal text field holds a different :func:`markers` text.

    Birth dates lie before 2000 and category and flags come from the kind's lists, so none of
    them can be mistaken for a timestamp or a setting.
    """
    new = draw(new_customers(kind=kind, settings=settings))
    planted = draw(
        st.lists(markers(), min_size=len(MARKED_FIELDS), max_size=len(MARKED_FIELDS), unique=True)
    )
    changes: dict[str, Any] = dict(zip(MARKED_FIELDS, planted, strict=True))
    changes["birth_date"] = draw(st.dates(date(1920, 1, 1), date(1999, 12, 31)))
    return attrs.evolve(new, **changes)


# -- values the rules return --------------------------------------------------------------------


def money_fields() -> st.SearchStrategy[MoneyField]:
    """Mail-merge money fields: an amount and its de_DE text."""
    return money().map(lambda amount: MoneyField(amount, rules.format_eur(amount)))


@st.composite
def rule_sources(draw: st.DrawFn) -> RuleSource:
    """Effective rules: own, from template customer N, or none."""
    origin = draw(st.sampled_from(RuleOrigin))
    if origin is RuleOrigin.NONE:
        return RuleSource(None, origin)
    rule = draw(st.sampled_from(["PROV-A", "PROV-B", "FEE-1", "Service plus"]))
    if origin is RuleOrigin.OWN:
        return RuleSource(rule, origin)
    return RuleSource(rule, origin, draw(st.integers(1, 10_000_000)))


def effective_rules() -> st.SearchStrategy[EffectiveRules]:
    """Commission scheme and fee schedule of a customer, each with its source."""
    return st.builds(
        EffectiveRules,
        customer=st.integers(1, 10_000_000),
        commission_scheme=rule_sources(),
        fee_schedule=rule_sources(),
    )


@st.composite
def blockers(draw: st.DrawFn, *, reference: str | None = None) -> Blocker:
    """A blocking firm booking: one or more reasons in enum order, a date for TOO_RECENT."""
    chosen = draw(st.sets(st.sampled_from(BlockReason), min_size=1))
    reasons = tuple(r for r in BlockReason if r in chosen)
    allowed_from = (
        draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
        if BlockReason.TOO_RECENT in reasons
        else None
    )
    return Blocker(reference or draw(_REFERENCES), reasons, allowed_from)


@st.composite
def eligibilities(draw: st.DrawFn) -> Eligibility:
    """Eligible, or blocked by bookings ordered by reference, with eligible_from as R9 says."""
    if draw(st.booleans()):
        return Eligibility(eligible=True)
    references = sorted(draw(st.lists(_REFERENCES, min_size=1, max_size=4, unique=True)))
    found = tuple(draw(blockers(reference=r)) for r in references)
    only_time = all(b.reasons == (BlockReason.TOO_RECENT,) for b in found)
    eligible_from = max(b.allowed_from for b in found if b.allowed_from) if only_time else None
    return Eligibility(eligible=False, blockers=found, eligible_from=eligible_from)


@st.composite
def kind_changes(draw: st.DrawFn, *, old_kind: CustomerKind | None = None) -> KindChange:
    """What a kind change did: the customer after it, and what was dropped or renumbered."""
    old = draw(customer_kinds) if old_kind is None else old_kind
    new_kind = draw(customer_kinds)
    customer = draw(customers(kind=new_kind))
    customer = attrs.evolve(customer, merged_into=None, anonymized_at=None)
    changed = new_kind is not old
    renumbered = changed and old is CustomerKind.PROSPECT and draw(st.booleans())
    old_account = (
        customer.debtor_account + draw(st.integers(1, 90000))
        if renumbered
        else customer.debtor_account
    )
    return KindChange(
        customer=customer,
        old_kind=old,
        new_kind=new_kind,
        dropped_category=draw(st.none() | names()) if changed else None,
        dropped_status=draw(status_flags()) if changed else StatusFlags(),
        old_debtor_account=old_account,
        new_debtor_account=customer.debtor_account,
    )


@st.composite
def bookings_recorded(draw: st.DrawFn) -> BookingRecorded:
    """What recording a booking did: first capture, deposit prompt, prospect conversion."""
    booking = draw(bookings())
    first_capture = booking.is_firm and draw(st.booleans())
    conversion = None
    if first_capture and draw(st.booleans()):
        conversion = draw(kind_changes(old_kind=CustomerKind.PROSPECT))
        booking = attrs.evolve(booking, customer=conversion.customer.number)
    return BookingRecorded(
        booking=booking,
        first_capture=first_capture,
        deposit_prompt=first_capture and draw(st.booleans()),
        conversion=conversion,
    )


@st.composite
def anonymization_reports(draw: st.DrawFn) -> AnonymizationReport:
    """A customer after anonymization, first time (fields listed) or again (no-op)."""
    customer = attrs.evolve(draw(customers()), merged_into=None, anonymized_at=None)
    anonymous, cleared = rules.anonymized(customer, draw(aware_datetimes()))
    if draw(st.booleans()):
        return AnonymizationReport(anonymous, already_anonymized=True)
    return AnonymizationReport(anonymous, already_anonymized=False, fields_cleared=cleared)


_FILLABLE = (*MARKED_FIELDS, "birth_date", "category", "commission_scheme", "fee_schedule")


@st.composite
def merge_plans(draw: st.DrawFn) -> MergePlan:
    """A merge plan: master, distinct duplicates, their bookings, accounts and fills."""
    numbers = draw(st.lists(st.integers(1, 10_000_000), min_size=2, max_size=5, unique=True))
    master, duplicates = numbers[0], tuple(numbers[1:])
    fields = draw(st.lists(st.sampled_from(_FILLABLE), unique=True, max_size=5))
    return MergePlan(
        master=master,
        duplicates=duplicates,
        bookings=tuple(sorted(draw(st.lists(_REFERENCES, unique=True, max_size=5)))),
        retired_debtor_accounts={d: 10000 + d for d in duplicates},
        filled_fields={f: draw(st.sampled_from(duplicates)) for f in fields},
        united_status=draw(status_flags()),
        templates=tuple(k for k in CustomerKind if k in draw(st.sets(customer_kinds))),
        references=draw(
            st.dictionaries(
                st.sampled_from(["invoices.customer_no", "letters.recipient", "crm"]),
                st.integers(0, 1000),
            )
        ),
    )


@st.composite
def merge_reports(draw: st.DrawFn) -> MergeReport:
    """What a merge did: the plan, the master afterwards, the bookings moved, when."""
    plan = draw(merge_plans())
    master = attrs.evolve(draw(customers(number=plan.master)), merged_into=None, anonymized_at=None)
    return MergeReport(
        plan=plan,
        master=master,
        bookings_moved=len(plan.bookings),
        merged_at=draw(aware_datetimes()),
    )
