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

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from custmodel.model import (
    STATUS_FLAG_COUNT,
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    CustomerType,
    KindSettings,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
)

__all__ = [
    "aware_datetimes",
    "booking_kinds",
    "bookings",
    "customer_kinds",
    "customer_types",
    "customers",
    "flag_numbers",
    "kind_settings",
    "money",
    "names",
    "new_customers",
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


def texts(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Single-line text: letters (German and others), digits, spaces, punctuation."""
    return st.text(st.one_of(_GERMAN, _LETTERS), min_size=min_size, max_size=max_size)


def names() -> st.SearchStrategy[str]:
    """Non-blank names such as "Müller-Lüdenscheidt" or "Ołeś"."""
    return texts(min_size=1, max_size=25).filter(lambda s: s.strip() != "")


def money(max_value: Decimal = Decimal("1000000.00")) -> st.SearchStrategy[Decimal]:
    """Non-negative EUR amounts with exactly two decimals."""
    return st.integers(min_value=0, max_value=int(max_value * 100)).map(
        lambda c: (Decimal(c) / 100).quantize(Decimal("0.01"))
    )


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
        allowed = sorted(labels.status_labels)
        if not allowed:
            return st.just(StatusFlags())
        return st.sets(st.sampled_from(allowed)).map(StatusFlags.of)
    return st.integers(min_value=0, max_value=(1 << STATUS_FLAG_COUNT) - 1).map(StatusFlags)


@st.composite
def kind_settings(draw: st.DrawFn, *, template_customer: int | None = None) -> KindSettings:
    """Settings of one kind: categories, labels, code labels, debtor offset, fees, switches.

    Debtor ranges are left open and the template customer is None unless given, because both
    depend on customers that a settings strategy cannot know.
    """
    return KindSettings(
        categories=tuple(draw(st.lists(names(), max_size=5, unique=True))),
        status_labels=draw(st.dictionaries(flag_numbers, names(), max_size=8)),
        code1_label=draw(names()),
        code2_label=draw(names()),
        debtor_offset=draw(st.sampled_from([0, 10000, 20000, 50000, 90000])),
        template_customer=template_customer,
        dunning_fee=draw(money(Decimal("100.00"))),
        deposit_prompt=draw(st.booleans()),
        renumber_on_kind_change=draw(st.booleans()),
    )


@st.composite
def settings(draw: st.DrawFn) -> Settings:
    """Complete settings with every kind configured (no template customers)."""
    return Settings(
        debtor_base=draw(st.sampled_from([0, 10000, 100000])),
        anonymization_delay_days=draw(st.sampled_from([0, 1, 28, 42, 90])),
        kinds={kind: draw(kind_settings()) for kind in CustomerKind},
    )


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
    category = draw(st.none() | st.sampled_from(ks.categories)) if ks.categories else None
    return NewCustomer(
        kind=chosen,
        last_name=draw(names()),
        customer_type=draw(customer_types),
        first_name=draw(texts()),
        salutation=draw(st.sampled_from(["", "Frau", "Herr", "Firma", "Divers"])),
        company=draw(texts()),
        street=draw(texts()),
        postal_code=draw(st.from_regex(r"[0-9]{5}", fullmatch=True) | st.just("")),
        city=draw(texts()),
        country=draw(st.sampled_from(["", "DE", "AT", "CH"])),
        email=draw(st.emails() | st.just("")),
        phone=draw(st.from_regex(r"\+49 [0-9]{3,4} [0-9]{4,8}", fullmatch=True) | st.just("")),
        birth_date=draw(st.none() | st.dates(date(1920, 1, 1), date(2020, 12, 31))),
        code1=draw(texts(max_size=12)),
        code2=draw(texts(max_size=12)),
        notes=draw(st.text(st.one_of(_GERMAN, _LETTERS, st.just("\n")), max_size=60)),
        category=category,
        status=draw(status_flags(ks)),
        commission_scheme=draw(st.none() | st.sampled_from(["PROV-A", "PROV-B", "Staffel 3"])),
        fee_schedule=draw(st.none() | st.sampled_from(["FEE-1", "FEE-2", "Service plus"])),
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


def sales_channels() -> st.SearchStrategy[SalesChannel]:
    """Own channels and external partners."""
    return st.builds(
        SalesChannel,
        name=st.sampled_from(["own", "Website", "Filiale", "Telefon", "Booking.com", "Holidu"]),
        is_external=st.booleans(),
    )


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
        pos = point_of_sale or st.sampled_from(["AG1", "AG2", "AG3"])
    if around is not None:
        departure = around + timedelta(days=draw(st.integers(-60, 20)))
    else:
        departure = draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    return Booking(
        reference=reference or draw(st.from_regex(r"[A-Z]{2}-[0-9]{6}", fullmatch=True)),
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
