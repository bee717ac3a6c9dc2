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

import calendar
import functools
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from custmodel import rules
from custmodel._entrycheck import Registration
from custmodel._marks import DistinctMark
from custmodel.dedupe._types import DuplicateCandidate
from custmodel.letters import FIELDS, LetterTemplate, render_letter
from custmodel.model import (
    MAX_RETENTION_PERIOD,
    PERSONAL_FIELDS,
    STATUS_FLAG_COUNT,
    AccessReport,
    AnonymizationReport,
    Blocker,
    BlockReason,
    Booking,
    BookingKind,
    BookingMoved,
    BookingRecorded,
    ContactChannel,
    Customer,
    CustomerKind,
    CustomerProfile,
    CustomerType,
    DeparturePeriod,
    EffectiveRules,
    Eligibility,
    ErasureRequest,
    ErasureRequestRecorded,
    ErasureState,
    ErasureStatus,
    ErasureSweep,
    FieldChange,
    FieldShape,
    HistoryAction,
    HistoryEntry,
    HistoryQuery,
    HistoryStamp,
    HostVeto,
    KindChange,
    KindSettings,
    LabelledCode,
    Letter,
    MarketingChoice,
    MarketingChoiceKind,
    MarketingChoicesRecorded,
    MergeDataWritten,
    MergePlan,
    MergeRecord,
    MergeReport,
    MoneyField,
    NewCustomer,
    ProfileFlag,
    Purpose,
    RequestKind,
    RequestRecorded,
    RequestStatus,
    RetentionBasis,
    RetentionReason,
    RetentionRule,
    RetentionScan,
    RuleOrigin,
    RuleSource,
    SalesChannel,
    Selection,
    Settings,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    StatusFlags,
    SubjectRequest,
    SweepItem,
)

__all__ = [
    "MARKED_FIELDS",
    "access_reports",
    "anonymization_reports",
    "aware_datetimes",
    "block_reasons",
    "blockers",
    "booking_kinds",
    "bookings",
    "bookings_moved",
    "bookings_recorded",
    "contact_channels",
    "customer_kinds",
    "customer_profiles",
    "customer_types",
    "customers",
    "customers_with_bookings",
    "departure_periods",
    "distinct_marks",
    "duplicate_groups",
    "effective_rules",
    "eligibilities",
    "erasure_requests",
    "erasure_requests_recorded",
    "erasure_states",
    "erasure_statuses",
    "erasure_sweeps",
    "field_changes",
    "field_shapes",
    "flag_numbers",
    "history_actions",
    "history_entries",
    "history_queries",
    "history_stamps",
    "host_vetoes",
    "kind_changes",
    "kind_settings",
    "labelled_codes",
    "letter_templates",
    "letters",
    "marked_new_customers",
    "markers",
    "marketing_choice_kinds",
    "marketing_choices",
    "marketing_choices_recorded",
    "merge_data_written",
    "merge_plans",
    "merge_records",
    "merge_reports",
    "money",
    "money_fields",
    "names",
    "new_customers",
    "profile_flags",
    "purposes",
    "registrations",
    "request_kinds",
    "request_statuses",
    "requests_recorded",
    "retention_bases",
    "retention_reasons",
    "retention_rules",
    "retention_scans",
    "rule_origins",
    "rule_sources",
    "sales_channels",
    "selections",
    "settings",
    "statistics",
    "statistics_dimensions",
    "statistics_keys",
    "statistics_rows",
    "status_flags",
    "subject_requests",
    "sweep_items",
    "texts",
]

customer_kinds = st.sampled_from(CustomerKind)
customer_types = st.sampled_from(CustomerType)
booking_kinds = st.sampled_from(BookingKind)
flag_numbers = st.integers(min_value=1, max_value=STATUS_FLAG_COUNT)
contact_channels = st.sampled_from(ContactChannel)
marketing_choice_kinds = st.sampled_from(MarketingChoiceKind)
purposes = st.sampled_from(Purpose)
history_actions = st.sampled_from(HistoryAction)

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
        retention=draw(retention_rules()),
    )


#: Every :class:`RetentionBasis`.
retention_bases = st.sampled_from(RetentionBasis)


def retention_rules(*, min_size: int = 0) -> st.SearchStrategy[tuple[RetentionRule, ...]]:
    """A kind's retention rules: none, one or both bases, with short and long periods.

    Args:
        min_size: At least this many rules (at most 2, one of each basis).
    """
    rules = st.lists(_retention_rule(), min_size=min_size, max_size=2, unique_by=lambda r: r.basis)
    return rules.map(tuple)


def _retention_rule() -> st.SearchStrategy[RetentionRule]:
    periods = st.integers(1, 36) | st.integers(1, MAX_RETENTION_PERIOD)
    return st.builds(RetentionRule, retention_bases, periods)


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

    Some are merged tombstones or anonymized, as a real store holds them; some objected to
    advertising on some channels (``advertising_objections``).
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
        advertising_objections=draw(st.frozensets(contact_channels)),
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
# Small vocabularies, so that statistics meet the same travel type or destination often; now
# and then any text, and None (not recorded).
_TRAVEL_TYPES = (
    st.none()
    | st.sampled_from(["Pauschalreise", "Kreuzfahrt", "Städtereise", "Ferienhaus", "Flug"])
    | names()
)
_DESTINATIONS = (
    st.none()
    | st.sampled_from(["Mallorca", "Kreta", "Türkei", "Ostsee", "Österreich", "mallorca"])
    | names()
)


@st.composite
def bookings(
    draw: st.DrawFn,
    *,
    customer: int | None = None,
    point_of_sale: str | st.SearchStrategy[str] | None = None,
    around: date | None = None,
    reference: str | None = None,
    kind: BookingKind | None = None,
    external: bool | None = None,
    min_departure: date | None = None,
    max_departure: date | None = None,
) -> Booking:
    """Offers and firm bookings, own and external, on several points of sale, with revenue,
    travel type and destination (each also None: not recorded).

    Args:
        customer: The customer number, else drawn.
        point_of_sale: A fixed agency id or a strategy for one; else "AG1".."AG3".
        around: Departures cluster around this day's 42-day boundary (D - 60 .. D + 20), so
            "too recent" and "old enough" both occur; else any day 2000..2040.
        reference: A fixed booking reference, else drawn.
        kind: Only offers (``BookingKind.OFFER``) or only firm bookings, else both.
        external: True for external sales partners only, False for own channels only.
        min_departure: The earliest departure (not with ``around``).
        max_departure: The latest departure (not with ``around``).

    Raises:
        InvalidArgument: for ``around`` together with a departure bound.
    """
    if isinstance(point_of_sale, str):
        pos: st.SearchStrategy[str] = st.just(point_of_sale)
    else:
        pos = point_of_sale if point_of_sale is not None else _POINTS_OF_SALE
    if around is not None:
        if min_departure is not None or max_departure is not None:
            raise InvalidArgument("pass either around or min_departure/max_departure")
        departure = around + timedelta(days=draw(st.integers(-60, 20)))
    else:
        departure = draw(
            st.dates(min_departure or date(2000, 1, 1), max_departure or date(2040, 12, 31))
        )
    channel = draw(sales_channels())
    if external is not None:
        channel = attrs.evolve(channel, is_external=external)
    return Booking(
        reference=reference or draw(_REFERENCES),
        customer=customer if customer is not None else draw(st.integers(1, 10_000_000)),
        kind=kind if kind is not None else draw(booking_kinds),
        departure=departure,
        point_of_sale=draw(pos),
        channel=channel,
        open_amount=draw(money(Decimal("20000.00"))),
        revenue=draw(st.none() | money(Decimal("50000.00"))),
        travel_type=draw(_TRAVEL_TYPES),
        destination=draw(_DESTINATIONS),
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
        advertising=draw(st.none() | contact_channels),
    )


# -- objections and consents to advertising ---------------------------------------------------


@st.composite
def marketing_choices(draw: st.DrawFn, *, customer: int | None = None) -> MarketingChoice:
    """Stored ledger entries: an objection or a consent on a channel, with its proof.

    Args:
        customer: Every entry names this customer, else one is drawn.
    """
    return MarketingChoice(
        id=draw(st.integers(1, 10_000_000)),
        customer=draw(st.integers(1, 10_000_000)) if customer is None else customer,
        channel=draw(contact_channels),
        choice=draw(marketing_choice_kinds),
        given_on=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        recorded_at=draw(aware_datetimes()),
        source=draw(texts(max_size=40)),
        note=draw(st.text(st.one_of(_GERMAN, _LETTERS, st.just("\n")), max_size=60)),
    )


@st.composite
def marketing_choices_recorded(draw: st.DrawFn) -> MarketingChoicesRecorded:
    """What recording a choice did: one entry per channel, the active customer after it."""
    customer = attrs.evolve(draw(customers()), merged_into=None, anonymized_at=None)
    channels = draw(st.lists(contact_channels, min_size=1, max_size=4, unique=True))
    entry = draw(marketing_choices(customer=customer.number))
    choices = tuple(attrs.evolve(entry, id=entry.id + i, channel=c) for i, c in enumerate(channels))
    objections = rules.current_objections(choices) | customer.advertising_objections
    if entry.choice is MarketingChoiceKind.CONSENT:
        objections -= frozenset(channels)
    return MarketingChoicesRecorded(
        choices, attrs.evolve(customer, advertising_objections=objections)
    )


def merge_data_written() -> st.SearchStrategy[MergeDataWritten]:
    """What writing a mail-merge data file did: rows written, customers left out, and the
    numbers of handed-over open amounts credited to a master or held by nobody."""
    numbers = st.integers(1, 10**6)
    merged = st.lists(st.tuples(numbers, numbers).filter(lambda pair: pair[0] != pair[1]))
    return st.builds(
        MergeDataWritten,
        st.integers(0, 100_000),
        st.integers(0, 100_000),
        merged.map(lambda pairs: tuple(sorted(dict(pairs).items()))),
        st.lists(numbers, unique=True).map(lambda found: tuple(sorted(found))),
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
    kind: CustomerKind | None = None,
    min_departure: date | None = None,
    max_departure: date | None = None,
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
        kind: Every customer is of this kind, else drawn for each.
        min_departure: As for :func:`bookings`.
        max_departure: As for :func:`bookings`.
    """
    drafts = draw(
        st.lists(new_customers(kind=kind, settings=settings), min_size=min_size, max_size=max_size)
    )
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
                        min_departure=min_departure,
                        max_departure=max_departure,
                    )
                )
                for _ in range(count)
            ),
        )
        for number, (draft, count) in enumerate(zip(drafts, counts, strict=True), start=1)
    ]


# -- statistics ---------------------------------------------------------------------------------

statistics_dimensions = st.sampled_from(StatisticsDimension)


@st.composite
def departure_periods(draw: st.DrawFn) -> DeparturePeriod:
    """Periods open on either side, both, or neither; a single day now and then."""
    start = draw(st.none() | st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    if start is not None and draw(st.booleans()):
        return DeparturePeriod(start, start + timedelta(days=draw(st.integers(0, 800))))
    return DeparturePeriod(start, draw(st.none() | st.dates(start or date(2000, 1, 1))))


_KEY_TEXTS = st.sampled_from(["A", "B", "Key account", "Mallorca", "Kreuzfahrt", "K-1"]) | names()


def _statistics_values(dimension: StatisticsDimension) -> st.SearchStrategy[Any]:
    """Values a key of ``dimension`` holds (see :class:`StatisticsKey`)."""
    if dimension is StatisticsDimension.KIND:
        return customer_kinds
    if dimension is StatisticsDimension.CUSTOMER_TYPE:
        return customer_types
    if dimension is StatisticsDimension.STATUS_FLAG:
        return st.none() | flag_numbers
    if dimension is StatisticsDimension.DEPARTURE_YEAR:
        return st.integers(2000, 2040)
    if dimension in (StatisticsDimension.CODE1, StatisticsDimension.CODE2):
        return st.just("") | _KEY_TEXTS
    return st.none() | _KEY_TEXTS


@st.composite
def statistics_keys(
    draw: st.DrawFn, *, dimension: StatisticsDimension | None = None
) -> StatisticsKey:
    """A key of one dimension, with labels per kind where the dimension has them.

    Args:
        dimension: The dimension, else drawn.
    """
    dimension = dimension or draw(statistics_dimensions)
    value = draw(_statistics_values(dimension))
    labels: dict[CustomerKind, str] = {}
    labelled = dimension in (StatisticsDimension.CODE1, StatisticsDimension.CODE2)
    if labelled or (dimension is StatisticsDimension.STATUS_FLAG and value is not None):
        labels = draw(st.dictionaries(customer_kinds, names(), max_size=3))
    return StatisticsKey(dimension, value, labels)


@st.composite
def statistics_rows(
    draw: st.DrawFn, *, group_by: tuple[StatisticsDimension, ...] | None = None
) -> StatisticsRow:
    """A row: a key over ``group_by`` (else over drawn dimensions), counts and revenue.

    Bookings and revenue are consistent with the customers: a row without customers has none.
    """
    if group_by is None:
        group_by = tuple(draw(st.lists(statistics_dimensions, max_size=3, unique=True)))
    key = tuple(draw(statistics_keys(dimension=d)) for d in group_by)
    customers = draw(st.integers(0, 500))
    firm_bookings = draw(st.integers(0, 2000)) if customers else 0
    return StatisticsRow(
        key=key,
        customers=customers,
        firm_bookings=firm_bookings,
        offers=draw(st.integers(0, 2000)) if customers else 0,
        revenue=draw(money()) if firm_bookings else Decimal("0.00"),
    )


@st.composite
def statistics(draw: st.DrawFn) -> Statistics:
    """A statistics result: one to three dimensions, rows with distinct keys, totals."""
    group_by = tuple(draw(st.lists(statistics_dimensions, min_size=1, max_size=3, unique=True)))
    rows = draw(
        st.lists(
            statistics_rows(group_by=group_by),
            max_size=6,
            unique_by=lambda row: row.values,
        )
    )
    return Statistics(
        group_by=group_by,
        period=draw(departure_periods()),
        rows=rows,
        totals=draw(statistics_rows(group_by=())),
    )


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


def host_vetoes(*, source: str | None = None) -> st.SearchStrategy[HostVeto]:
    """A host application's veto: the name it was registered under and its short reason."""
    return st.builds(
        HostVeto,
        source=names() if source is None else st.just(source),
        reason=names(),
    )


@st.composite
def eligibilities(draw: st.DrawFn) -> Eligibility:
    """Eligible, or blocked by bookings ordered by reference and by host vetoes ordered by
    source, with eligible_from as R9 says (only when time alone blocks)."""
    if draw(st.booleans()):
        return Eligibility(eligible=True)
    references = sorted(draw(st.lists(_REFERENCES, max_size=4, unique=True)))
    found = tuple(draw(blockers(reference=r)) for r in references)
    sources = sorted(draw(st.lists(names(), min_size=0 if found else 1, max_size=2, unique=True)))
    vetoes = tuple(draw(host_vetoes(source=name)) for name in sources)
    only_time = not vetoes and all(b.reasons == (BlockReason.TOO_RECENT,) for b in found)
    eligible_from = max(b.allowed_from for b in found if b.allowed_from) if only_time else None
    return Eligibility(eligible=False, blockers=found, eligible_from=eligible_from, vetoes=vetoes)


def _host_rows(*, min_rows: int = 0) -> st.SearchStrategy[dict[str, int]]:
    """Rows erased per registration of the host application ("table.column" or a name)."""
    return st.dictionaries(names(), st.integers(min_rows, 1_000_000), max_size=3).map(
        lambda rows: dict(sorted(rows.items()))
    )


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
def bookings_moved(draw: st.DrawFn) -> BookingMoved:
    """What moving a booking did: the customer it left, and a prospect's conversion."""
    booking = draw(bookings())
    conversion = None
    if booking.is_firm and draw(st.booleans()):
        conversion = draw(kind_changes(old_kind=CustomerKind.PROSPECT))
        booking = attrs.evolve(booking, customer=conversion.customer.number)
    others = st.integers(1, 10_000_000).filter(lambda n: n != booking.customer)
    return BookingMoved(booking=booking, from_customer=draw(others), conversion=conversion)


@st.composite
def anonymization_reports(draw: st.DrawFn) -> AnonymizationReport:
    """A customer after anonymization, first time (fields listed) or again (no-op)."""
    customer = attrs.evolve(draw(customers()), merged_into=None, anonymized_at=None)
    anonymous, cleared = rules.anonymized(customer, draw(aware_datetimes()))
    if draw(st.booleans()):
        return AnonymizationReport(anonymous, already_anonymized=True)
    return AnonymizationReport(
        anonymous, already_anonymized=False, fields_cleared=cleared, host_rows=draw(_host_rows())
    )


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
    """What a merge did: the plan, the master afterwards, the bookings and host references
    moved, when, and the audit record it wrote, which agrees with all of that."""
    plan = draw(merge_plans())
    master = attrs.evolve(draw(customers(number=plan.master)), merged_into=None, anonymized_at=None)
    merged_at = draw(aware_datetimes())
    references_moved = dict(plan.references)
    record = MergeRecord(
        id=draw(st.integers(1, 1_000_000)),
        merged_at=merged_at,
        master=plan.master,
        duplicates=plan.duplicates,
        bookings_moved=len(plan.bookings),
        references_moved=references_moved,
        actor=draw(_ACTORS),
    )
    return MergeReport(
        plan=plan,
        master=master,
        bookings_moved=len(plan.bookings),
        merged_at=merged_at,
        references_moved=references_moved,
        record=record,
    )


# -- merge audit and erasure requests -----------------------------------------------------------

rule_origins = st.sampled_from(RuleOrigin)
#: The shapes of the customer's own fields (``CustomerFields``).
field_shapes = st.sampled_from(FieldShape)
block_reasons = st.sampled_from(BlockReason)
erasure_states = st.sampled_from(ErasureState)

#: Who merged: a user id of the host application, or nobody named.
_ACTORS = st.none() | st.sampled_from(["sachbearbeiter-7", "jack", "Jörg.K", "batch"]) | names()


@st.composite
def distinct_marks(draw: st.DrawFn) -> DistinctMark:
    """ "Not a duplicate" marks: two different numbers, lower first, when, maybe an actor."""
    low = draw(st.integers(1, 10_000_000))
    return DistinctMark(
        low=low,
        high=draw(st.integers(low + 1, 10_000_001)),
        marked_at=draw(aware_datetimes()),
        actor=draw(_ACTORS),
    )


@st.composite
def registrations(draw: st.DrawFn) -> Registration:
    """Registrations with the duplicate check on "warn": a customer and 0..3 candidates."""
    customer = draw(customers())
    others = st.integers(1, 10_000_000).filter(lambda n: n != customer.number)
    numbers = draw(st.lists(others, max_size=3, unique=True))
    candidates = [
        DuplicateCandidate(
            number=number,
            score=draw(st.floats(0.5, 1.0)),
            comparisons=(),
            reasons=tuple(draw(st.lists(st.sampled_from(_REASONS), max_size=2, unique=True))),
        )
        for number in numbers
    ]
    return Registration(customer, tuple(sorted(candidates, key=lambda c: (-c.score, c.number))))


#: Reasons the finder gives for a match.
_REASONS = ("same e-mail", "same birth date", "same phone", "name 100%")


@st.composite
def merge_records(draw: st.DrawFn, *, master: int | None = None) -> MergeRecord:
    """Merge audit records: distinct duplicates other than the master, counts, maybe an actor.

    Args:
        master: The surviving customer's number, else drawn.
    """
    chosen = master if master is not None else draw(st.integers(1, 10_000_000))
    others = st.integers(1, 10_000_000).filter(lambda n: n != chosen)
    return MergeRecord(
        id=draw(st.integers(1, 1_000_000)),
        merged_at=draw(aware_datetimes()),
        master=chosen,
        duplicates=tuple(draw(st.lists(others, min_size=1, max_size=4, unique=True))),
        bookings_moved=draw(st.integers(0, 500)),
        references_moved=draw(
            st.dictionaries(
                st.sampled_from(["invoices.customer_no", "letters.recipient", "crm"]),
                st.integers(0, 1000),
            )
        ),
        actor=draw(_ACTORS),
    )


#: Field names of entries: customer fields (personal or not), status flags, settings paths.
_CHANGED_FIELDS = (
    st.sampled_from(
        ["last_name", "city", "category", "kind", "debtor_account", "merged_into", "departure"]
    )
    | st.builds("status.{}".format, flag_numbers)
    | st.builds(
        "kinds.{}.status_labels.{}".format, customer_kinds.map(lambda k: k.value), flag_numbers
    )
)


@st.composite
def field_changes(draw: st.DrawFn) -> FieldChange:
    """One field's change: a customer field, a status flag or a setting, old and new value
    text or None (both None: an erased personal value)."""
    values = st.none() | texts(max_size=12)
    return FieldChange(draw(_CHANGED_FIELDS), draw(values), draw(values))


@st.composite
def history_entries(draw: st.DrawFn) -> HistoryEntry:
    """Entries of every action: a customer's (with changes, related customers, a booking's
    reference) or the book's (settings, labels, a bulk run's selection, flag and count),
    sometimes erased."""
    action = draw(history_actions)
    numbers = st.integers(1, 10_000_000)
    book = action.value.endswith("_on_selection") or action in (
        HistoryAction.SETTINGS_CHANGED,
        HistoryAction.LABEL_CHANGED,
    )
    run = action.value.startswith("status_")
    return HistoryEntry(
        id=draw(st.integers(0, 1_000_000)),
        at=draw(aware_datetimes()),
        action=action,
        customer=None if book else draw(numbers),
        actor=draw(_ACTORS),
        changes=draw(st.lists(field_changes(), max_size=4)),
        operation=draw(st.none() | st.integers(1, 2**62)) if run else None,
        count=draw(st.none() | st.integers(0, 100_000)),
        selection=draw(st.none() | selections()) if book else None,
        flag=draw(st.none() | flag_numbers) if run else None,
        reference=draw(st.none() | texts(min_size=1, max_size=12)),
        related=draw(st.lists(numbers, max_size=3, unique=True)),
        erased_at=draw(st.none() | aware_datetimes()),
    )


@st.composite
def history_queries(draw: st.DrawFn) -> HistoryQuery:
    """What a store is asked for: some customers' histories, the book's, or every entry,
    a page of it."""
    customers = st.none() | st.frozensets(st.integers(1, 10_000_000), max_size=4)
    return HistoryQuery(
        customers=draw(customers),
        book=draw(st.booleans()),
        after=draw(st.integers(0, 1_000_000)),
        limit=draw(st.none() | st.integers(1, 1000)),
    )


@st.composite
def history_stamps(draw: st.DrawFn) -> HistoryStamp:
    """What a bulk status run stamps on the entry of every customer it changes."""
    return HistoryStamp(
        at=draw(aware_datetimes()), operation=draw(st.integers(1, 2**62)), actor=draw(_ACTORS)
    )


#: What a person may ask for.
request_kinds = st.sampled_from(RequestKind)


@st.composite
def subject_requests(
    draw: st.DrawFn,
    *,
    kind: RequestKind | None = None,
    customer: int | None = None,
    is_open: bool | None = None,
) -> SubjectRequest:
    """Requests of every kind: recorded on or after the day they were received, completed after.

    Args:
        kind: Only this kind, else drawn.
        customer: The customer number, else drawn.
        is_open: True for open requests only, False for completed ones only, else both.
    """
    request = draw(erasure_requests(customer=customer, is_open=is_open))
    return attrs.evolve(request, kind=draw(request_kinds) if kind is None else kind)


@st.composite
def requests_recorded(draw: st.DrawFn) -> RequestRecorded:
    """What recording a request of any kind reports: new, or a repeat that may have moved."""
    recorded = draw(erasure_requests_recorded())
    request = attrs.evolve(recorded.request, kind=draw(request_kinds))
    return RequestRecorded(request, repeated=recorded.repeated, moved_from=recorded.moved_from)


@st.composite
def request_statuses(draw: st.DrawFn) -> RequestStatus:
    """A request of any kind on a day: its deadline, overdue only while open after it, and an
    erasure state for erasure requests only."""
    kind = draw(request_kinds)
    erasure: ErasureStatus | None = None
    if kind is RequestKind.ERASURE:
        erasure = draw(erasure_statuses())
        request = erasure.request
    else:
        request = draw(subject_requests(kind=kind))
    day = request.received_on + timedelta(days=draw(st.integers(0, 400)))
    return rules.request_status(request, day, erasure)


def _entry_id(choice: MarketingChoice) -> int:
    return choice.id


@st.composite
def access_reports(draw: st.DrawFn) -> AccessReport:
    """An access report: a customer with its profile, bookings, merges and requests."""
    customer = draw(customers())
    profile = draw(customer_profiles())
    number = customer.number
    profile = attrs.evolve(profile, number=number)
    return AccessReport(
        generated_at=draw(st.datetimes(timezones=st.just(UTC))),
        as_of=draw(st.dates(date(2000, 1, 1), date(2040, 12, 31))),
        customer=customer,
        profile=profile,
        bookings=tuple(draw(st.lists(bookings(customer=number), max_size=3))),
        merges=tuple(draw(st.lists(merge_records(master=number), max_size=2))),
        requests=tuple(draw(st.lists(subject_requests(customer=number), max_size=3))),
        marketing_choices=tuple(
            draw(st.lists(marketing_choices(customer=number), max_size=3, unique_by=_entry_id))
        ),
        host_data=draw(st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 99))),
    )


@st.composite
def erasure_requests(
    draw: st.DrawFn, *, customer: int | None = None, is_open: bool | None = None
) -> ErasureRequest:
    """Erasure requests: recorded on or after the day they were received, completed after.

    Args:
        customer: The customer number, else drawn.
        is_open: True for open requests only, False for completed ones only, else both.
    """
    received_on = draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    recorded_at = datetime.combine(received_on, datetime.min.time(), tzinfo=UTC) + draw(
        st.timedeltas(timedelta(0), timedelta(days=30))
    )
    completed = draw(st.booleans()) if is_open is None else not is_open
    completed_at = (
        recorded_at + draw(st.timedeltas(timedelta(0), timedelta(days=400))) if completed else None
    )
    return ErasureRequest(
        id=draw(st.integers(1, 1_000_000)),
        customer=customer if customer is not None else draw(st.integers(1, 10_000_000)),
        received_on=received_on,
        recorded_at=recorded_at,
        completed_at=completed_at,
    )


@st.composite
def erasure_requests_recorded(draw: st.DrawFn) -> ErasureRequestRecorded:
    """What ``CustomerBook.request_erasure`` reports: a new request, or a repeat of an open
    one, which may have moved the open request's receipt day to an earlier one."""
    repeated = draw(st.booleans())
    request = draw(erasure_requests(is_open=True if repeated else None))
    moved_from = None
    if repeated and draw(st.booleans()):
        moved_from = request.received_on + timedelta(days=draw(st.integers(1, 400)))
    return ErasureRequestRecorded(request, repeated=repeated, moved_from=moved_from)


def _one_month_after(day: date) -> date:
    """The same day a month later, or that month's last day: the GDPR's answer deadline."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@st.composite
def _ineligibilities(draw: st.DrawFn, *, only_time: bool) -> Eligibility:
    """Not eligible: with ``only_time`` every blocker is TOO_RECENT (so there is an
    ``eligible_from``), else at least one blocker has another reason (so there is none)."""
    references = sorted(draw(st.lists(_REFERENCES, min_size=1, max_size=4, unique=True)))
    if only_time:
        days = st.dates(date(2000, 1, 1), date(2040, 12, 31))
        found = tuple(Blocker(r, (BlockReason.TOO_RECENT,), draw(days)) for r in references)
        eligible_from = max(b.allowed_from for b in found if b.allowed_from)
        return Eligibility(eligible=False, blockers=found, eligible_from=eligible_from)
    found = tuple(draw(blockers(reference=r)) for r in references)
    if all(b.reasons == (BlockReason.TOO_RECENT,) for b in found):
        first = found[0]
        reason = draw(
            st.sampled_from([BlockReason.NOT_POINT_OF_SALE, BlockReason.EXTERNAL_CHANNEL])
        )
        found = (attrs.evolve(first, reasons=(reason, BlockReason.TOO_RECENT)), *found[1:])
    return Eligibility(eligible=False, blockers=found)


@st.composite
def erasure_statuses(draw: st.DrawFn, *, state: ErasureState | None = None) -> ErasureStatus:
    """An erasure request with its state, as ``CustomerBook.erasure_requests`` reports it.

    DONE requests are completed; DUE ones are eligible and due on the day asked; WAITING ones
    are blocked by time only and due from their eligibility's first day; BLOCKED ones are
    blocked by something time does not heal. ``answer_by`` is one month after receipt.

    Args:
        state: Only this state, else drawn.
    """
    chosen = draw(erasure_states) if state is None else state
    request = draw(erasure_requests(is_open=chosen is not ErasureState.DONE))
    due_on = None
    if chosen is ErasureState.DONE:
        eligibility = draw(eligibilities())
    elif chosen is ErasureState.DUE:
        eligibility = Eligibility(eligible=True)
        due_on = request.received_on + timedelta(days=draw(st.integers(0, 400)))
    elif chosen is ErasureState.WAITING:
        eligibility = draw(_ineligibilities(only_time=True))
        due_on = eligibility.eligible_from
    else:
        eligibility = draw(_ineligibilities(only_time=False))
    return ErasureStatus(
        request=request,
        state=chosen,
        due_on=due_on,
        answer_by=_one_month_after(request.received_on),
        eligibility=eligibility,
    )


@st.composite
def retention_reasons(draw: st.DrawFn) -> RetentionReason:
    """Why a retention rule made a customer due: the rule and the first day it held."""
    rule = draw(_retention_rule())
    return RetentionReason(rule, draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))))


@st.composite
def retention_scans(draw: st.DrawFn) -> RetentionScan:
    """One page of a store's search for customers due by retention: agency, days, rules per
    kind (some kinds without any) and the keyset page."""
    day = draw(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
    return RetentionScan(
        acting_agency=draw(_POINTS_OF_SALE),
        cutoff=day - timedelta(days=draw(st.integers(0, 400))),
        day=day,
        retention=draw(st.dictionaries(customer_kinds, retention_rules())),
        after=draw(st.integers(0, 10_000)),
        limit=draw(st.integers(1, 1000)),
    )


@st.composite
def sweep_items(draw: st.DrawFn, number: int | None = None) -> SweepItem:
    """A customer a sweep found due: by its erasure request or by a retention rule."""
    chosen = draw(st.integers(1, 10_000_000)) if number is None else number
    if draw(st.booleans()):
        return SweepItem(chosen, request=draw(st.integers(1, 10_000_000)))
    return SweepItem(chosen, retention=draw(retention_reasons()))


@st.composite
def erasure_sweeps(draw: st.DrawFn, *, dry_run: bool | None = None) -> ErasureSweep:
    """What a sweep over the due requests did: distinct ascending customers, at most one
    batch per due customer, and no anonymization on a dry run.

    Args:
        dry_run: Only dry runs (True) or only real sweeps (False), else both.
    """
    dry = draw(st.booleans()) if dry_run is None else dry_run
    found = sorted(draw(st.sets(st.integers(1, 10_000_000), max_size=12)))
    vetoed = tuple(sorted(draw(st.sets(st.sampled_from(found), max_size=3)))) if found else ()
    due = tuple(n for n in found if n not in vetoed)
    anonymized = 0 if dry else draw(st.integers(0, len(due)))
    return ErasureSweep(
        dry_run=dry,
        due=len(due),
        anonymized=anonymized,
        batches=draw(st.integers(1, len(found))) if found else 0,
        customers=due,
        vetoed=vetoed,
        host_rows=draw(_host_rows(min_rows=1)) if anonymized else {},
        items=tuple(draw(sweep_items(n)) for n in due),
    )


# -- profiles and letters -----------------------------------------------------------------------


def profile_flags() -> st.SearchStrategy[ProfileFlag]:
    """Flags as a profile shows them: labelled or not (a deleted label), set or not."""
    return st.builds(
        ProfileFlag, number=flag_numbers, label=st.none() | names(), is_set=st.booleans()
    )


def labelled_codes() -> st.SearchStrategy[LabelledCode]:
    """Code1 or Code2 under a label."""
    return st.builds(
        LabelledCode,
        field=st.sampled_from(["code1", "code2"]),
        label=names(),
        value=texts(max_size=12),
    )


def _active(customer: Customer) -> Customer:
    """``customer`` as an active customer that was never anonymized."""
    return attrs.evolve(customer, merged_into=None, anonymized_at=None)


@st.composite
def customer_profiles(draw: st.DrawFn) -> CustomerProfile:
    """Profiles as :meth:`custmodel.CustomerBook.profile` shows them, under drawn settings.

    Some customers carry flags whose label is gone (they show unlabelled), some are
    anonymized (category, flags and codes blank).
    """
    chosen = draw(settings())
    customer = _active(draw(customers(settings=chosen)))
    if draw(st.booleans()):
        customer = attrs.evolve(customer, status=customer.status.union(draw(status_flags())))
    if draw(st.integers(0, 3)) == 0:
        customer = rules.anonymized(customer, customer.updated_at)[0]
    return rules.customer_profile(chosen, customer)


#: Literal text of templates: anything a person types, braces and line breaks included.
_TEMPLATE_TEXT = st.text(st.one_of(_GERMAN, _LETTERS, st.sampled_from("{}\n\t")), max_size=40)


@st.composite
def letter_templates(draw: st.DrawFn, *, max_fields: int = 6) -> LetterTemplate:
    """Mail-merge templates: known placeholders (each may recur) between literal texts."""
    fields = draw(st.lists(st.sampled_from(FIELDS), max_size=max_fields))
    literals = draw(st.lists(_TEMPLATE_TEXT, min_size=len(fields) + 1, max_size=len(fields) + 1))
    return LetterTemplate(tuple(literals), tuple(fields))


@st.composite
def letters(draw: st.DrawFn) -> Letter:
    """Letters rendered for active customers from drawn templates, settings and amounts."""
    chosen = draw(settings())
    customer = _active(draw(customers(settings=chosen)))
    amount = draw(st.none() | money())
    return render_letter(draw(letter_templates()), customer, chosen, amount)


# -- duplicate groups: one party, written several ways ------------------------------------------

# Each tuple holds spellings of one name that a German back office really sees: umlauts spelt
# out or not, ß or ss (and the capital ẞ), capitals, a decomposed umlaut from a Mac, variants
# that sound alike. Kölner Phonetik gives every spelling of a tuple the same code.
_LAST_NAMES: tuple[tuple[str, ...], ...] = (
    ("Müller", "Mueller", "MÜLLER", "MUELLER", "Mu\u0308ller", "Muller"),
    ("Meier", "Meyer", "Mayer", "Maier", "MEIER"),
    ("Schmidt", "Schmitt", "Schmid", "SCHMIDT"),
    ("Weiß", "Weiss", "WEISS", "WEIẞ"),
    ("Groß", "Gross", "GROSS"),
    ("Schäfer", "Schaefer", "SCHÄFER"),
    ("Köhler", "Koehler", "KÖHLER"),
    ("Strauß", "Strauss", "STRAUSS"),
    ("Hoffmann", "Hofmann", "HOFFMANN"),
    ("Becker", "Bäcker", "Baecker"),
    ("Krüger", "Krueger", "KRÜGER"),
    ("Schulze", "Schultze", "Schulz"),
    ("Müller-Lüdenscheidt", "Mueller-Luedenscheidt", "MÜLLER-LÜDENSCHEIDT"),
    ("von der Heide", "Von der Heide", "von der Heyde"),
)
# Given names with their spellings, a salutation each; titles are added now and then.
_FIRST_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Herr", ("Jürgen", "Juergen", "JÜRGEN")),
    ("Herr", ("Hans-Peter", "Hans Peter", "Hans-peter")),
    ("Herr", ("Jörg", "Joerg", "JÖRG")),
    ("Herr", ("Günther", "Guenther")),
    ("Herr", ("Björn", "Bjoern")),
    ("Frau", ("Käthe", "Kaethe")),
    ("Frau", ("Bärbel", "Baerbel", "BÄRBEL")),
    ("Frau", ("Anna", "ANNA")),
    ("Frau", ("Sigrid", "ẞigrid")),
)
_TITLES = ("Dr. ", "Prof. Dr. ", "Dipl.-Ing. ")
_COMPANIES: tuple[tuple[str, ...], ...] = (
    ("Reisebüro Sonnenschein", "Reisebuero Sonnenschein", "REISEBÜRO SONNENSCHEIN"),
    ("Fernweh Touristik", "FERNWEH TOURISTIK", "Fernweh-Touristik"),
    ("Weltenbummler Reisen", "Weltenbummler-Reisen", "WELTENBUMMLER REISEN"),
    ("Südsee Reisedienst", "Suedsee Reisedienst", "Südsee-Reisedienst"),
    ("Straßburger Busreisen", "Strassburger Busreisen", "STRASSBURGER BUSREISEN"),
)
_LEGAL_FORMS = (" GmbH", " GmbH & Co. KG", " KG", " AG", " e.K.", " e. K.")
# Postal code, spellings of the town, spellings of a street.
_PLACES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("80331", ("München", "Muenchen", "MÜNCHEN"), ("Schloßstraße", "Schlossstr.", "Schloßstr.")),
    ("50667", ("Köln", "Koeln", "KÖLN"), ("Hauptstraße", "Hauptstr.", "Hauptstrasse")),
    ("40213", ("Düsseldorf", "Duesseldorf"), ("Königsallee", "Koenigsallee", "Kö")),
    ("90402", ("Nürnberg", "Nuernberg"), ("Lindenstraße", "Lindenstr.", "Lindenstrasse")),
    ("02826", ("Görlitz", "Goerlitz"), ("Straßburgplatz", "Strassburgplatz")),
)
_AREA_CODES = ("30", "40", "89", "221", "911", "3581")
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "", "-": ""})


def _mail_local(*parts: str) -> str:
    return ".".join(unicodedata.normalize("NFC", p).casefold().translate(_ASCII) for p in parts)


@st.composite
def _phone_spellings(draw: st.DrawFn) -> tuple[str, ...]:
    """One German phone number as people write it: +49, a leading 0, a slash."""
    area = draw(st.sampled_from(_AREA_CODES))
    line = draw(st.from_regex(rf"[1-9][0-9]{{{8 - len(area)},7}}", fullmatch=True))
    return (f"+49 {area} {line}", f"0{area} {line}", f"0{area}/{line}", f"+49{area}{line}")


@st.composite
def duplicate_groups(
    draw: st.DrawFn,
    *,
    kind: CustomerKind | None = None,
    settings: Settings | None = None,
    min_size: int = 2,
    max_size: int = 4,
) -> tuple[NewCustomer, ...]:
    """Registration data of one party entered several times, spelt as people spell it.

    Persons (private customers, prospects) vary between Müller/Mueller/MÜLLER, Meier/Mayer/
    Meyer, ß/ss, with and without "Dr."; companies (corporate customers, travel agencies)
    between "GmbH" and no legal form, "Reisebüro"/"Reisebuero", capitals. Every member shares
    the party's birth date, postal code, e-mail address and phone number or leaves it blank,
    with the e-mail in other capitals and the phone written another way, and town and street
    in other spellings. The first member that would leave all four blank keeps the birth date
    (persons) or the e-mail address (companies); every other member shares at least one of the
    four with the first (one that would share none carries one the first carries). So each
    group is one party that
    :func:`custmodel.dedupe.find_duplicate_groups` finds as one group; two groups drawn
    separately may be the same party too.

    Args:
        kind: The kind of every member (and so person or company), else drawn.
        settings: Categories and flags fit these settings (drawn for each member).
        min_size: Fewest members (at least 2).
        max_size: Most members.

    Raises:
        InvalidArgument: for ``min_size`` below 2 or above ``max_size``.
    """
    if min_size < 2 or max_size < min_size:
        raise InvalidArgument("a duplicate group has 2 <= min_size <= max_size members")
    chosen = draw(customer_kinds) if kind is None else kind
    ks = (settings or Settings()).kind(chosen)
    size = draw(st.integers(min_size, max_size))
    postal_code, towns, streets = draw(st.sampled_from(_PLACES))
    house = draw(st.integers(1, 120))
    phones = draw(_phone_spellings())
    if chosen in (CustomerKind.PRIVATE, CustomerKind.PROSPECT):
        last_names = draw(st.sampled_from(_LAST_NAMES))
        salutation, first_names = draw(st.sampled_from(_FIRST_NAMES))
        title = draw(st.sampled_from(_TITLES))
        birth_date = draw(st.dates(date(1930, 1, 1), date(2008, 12, 31)))
        email = f"{_mail_local(first_names[0], last_names[0])}@web.example"
        salutations: tuple[str, ...] = (salutation, f"{salutation} {title.strip()}", "")
        company = ""
    else:
        last_names = draw(st.sampled_from(_COMPANIES))
        legal_form = draw(st.sampled_from(_LEGAL_FORMS))
        last_names = tuple(name + form for name in last_names for form in ("", legal_form))
        first_names, title = ("",), ""
        birth_date = None
        email = f"info@{_mail_local(last_names[0])}.example"
        salutations = ("Firma", "")
        company = last_names[0]

    def keys(first: dict[str, Any] | None) -> dict[str, Any]:
        """Which of the party's keys a member carries: an address, the e-mail address and the
        phone number in some spelling, the birth date; each present one is shared."""
        carried: dict[str, Any] = {
            "address": draw(st.booleans()),
            "email": draw(st.sampled_from(["", email, email.upper(), email.capitalize()])),
            "phone": draw(st.sampled_from(("", *phones))),
            "birth": draw(st.sampled_from([birth_date, None])),
        }
        if first is None:
            if not any(carried.values()):
                # A member that shares nothing but a spelling of the name is not recognisably
                # the same party; it keeps the key its kind is known by.
                if birth_date is None:
                    carried["email"] = email
                else:
                    carried["birth"] = birth_date
            return carried
        if not any(carried[key] and first[key] for key in carried):
            # Sharing a key with another member only would leave two members of the group
            # with nothing but a name in common: it carries one the first member carries.
            key = next(key for key in ("birth", "email", "phone", "address") if first[key])
            carried[key] = first[key]
        return carried

    def member(carried: dict[str, Any]) -> NewCustomer:
        last_name = draw(st.sampled_from(last_names))
        first_name = draw(st.sampled_from(first_names))
        if first_name and draw(st.integers(0, 4)) == 0:
            first_name = title + first_name
        address = bool(carried["address"])
        member_email: str = carried["email"]
        member_phone: str = carried["phone"]
        member_birth: date | None = carried["birth"]
        return NewCustomer(
            kind=chosen,
            last_name=last_name,
            customer_type=draw(customer_types),
            first_name=first_name,
            salutation=draw(st.sampled_from(salutations)),
            company=draw(st.sampled_from([company, last_name if company else ""])),
            street=f"{draw(st.sampled_from(streets))} {house}" if address else "",
            postal_code=postal_code if address else "",
            city=draw(st.sampled_from(towns)) if address else "",
            country=draw(st.sampled_from(["", "DE", "Deutschland"])),
            email=member_email,
            phone=member_phone,
            birth_date=member_birth,
            code1=draw(st.sampled_from(["", f"K-{house}"]) | texts(max_size=12)),
            code2=draw(texts(max_size=12)),
            notes=draw(_NOTES),
            category=draw(_category_of(ks.categories)) if ks.categories else None,
            status=draw(status_flags(ks)),
            commission_scheme=draw(_COMMISSION_SCHEMES),
            fee_schedule=draw(_FEE_SCHEDULES),
        )

    first = keys(None)
    return (member(first), *(member(keys(first)) for _ in range(size - 1)))
