"""Garbage arguments for every public method of CustomerBook, for the bad-input tests."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from custmodel.book import CustomerBook
from custmodel.errors import CustmodelError
from custmodel.model import (
    Booking,
    BookingKind,
    Customer,
    DeparturePeriod,
    HistoryEntry,
    KindSettings,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatisticsDimension,
)
from custmodel.testing import strategies as cst
from custmodel.testing.contract._shared import (
    AGENCY,
    FIRM,
    NOW,
    TODAY,
)
from custmodel.testing.snapshots import history_without_ids

# -- garbage arguments for every public method of CustomerBook ------------------------------------
#
# The bad-input section at the end of StoreContract drives each public method of CustomerBook
# with these. Objects the caller would build (selections, drafts, bookings, settings, an edited
# customer) are described by _Make and built only when the call runs, so that a refusal while
# building one counts as the outcome of the call.


@attrs.frozen
class _Make:
    """A value built at call time: ``build(**kwargs)``, or ``build(book, **kwargs)``."""

    build: Callable[..., Any]
    kwargs: dict[str, Any] = attrs.field(factory=dict, hash=False)
    with_book: bool = False

    def make(self, book: CustomerBook) -> Any:
        kwargs = {name: _made(value, book) for name, value in self.kwargs.items()}
        return self.build(book, **kwargs) if self.with_book else self.build(**kwargs)


def _made(value: Any, book: CustomerBook) -> Any:
    """Return ``value`` with every :class:`_Make` in it (also in lists and dicts) built."""
    if isinstance(value, _Make):
        return value.make(book)
    if isinstance(value, list):
        return [_made(item, book) for item in value]
    if isinstance(value, dict):
        return {key: _made(item, book) for key, item in value.items()}
    return value


def _edited(book: CustomerBook, number: Any, changes: dict[str, Any]) -> Customer:
    """Customer ``number`` as stored, with ``changes``: what a caller hands to ``update``."""
    return attrs.evolve(book.get(number), **changes)


def _sometimes(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` or, now and then, any garbage value."""
    return strategy | _GARBAGE


_NUMBER_VALUES = st.sampled_from(
    [0, -1, 1, 2, 3, 4, 5, 6, 99, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]
)
_TEXT_VALUES = st.sampled_from(
    [
        "",
        " ",
        "Muster",
        "K-1",
        "VG-1",
        "A",
        "AG1",
        "%",
        "_",
        "\x00",
        "K-1\x00",
        "a\tb",
        "a\nb",
        "\x1f",
        "\x7f",
        "\x85",
        "\ud800",
        "x" * 70_000,
        "\U0001f600" * 17_000,
        "ä" * 300,
    ]
) | st.text(max_size=4)
_MONEY_VALUES = st.sampled_from(
    [
        Decimal("0"),
        Decimal("12.50"),
        Decimal("-1"),
        Decimal("0.001"),
        Decimal("1e26"),
        Decimal("1e-1000"),
        Decimal("9e999999"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("92233720368547758.07"),
        Decimal("92233720368547758.08"),
        Decimal("9999999999999.99"),
        Decimal("10000000000000.00"),
        10**17,
        2**70,
        "1e30",
        "12,50",
        1.5,
    ]
)
_DAY_VALUES = st.sampled_from(
    [
        TODAY,
        TODAY - timedelta(days=400),
        date.min,
        date.max,
        datetime(2025, 1, 1),  # noqa: DTZ001 - a naive datetime is the garbage here
        NOW,
        "2025-01-01",
        20250101,
    ]
)
_WRONG_TYPES: st.SearchStrategy[object] = st.sampled_from(
    [None, True, False, 1.5, float("nan"), "1", b"1", Decimal("1"), (), [], {}, frozenset({1})]
)
_GARBAGE = _WRONG_TYPES | _NUMBER_VALUES | _TEXT_VALUES | _MONEY_VALUES | _DAY_VALUES
_NUMBERS = _sometimes(_NUMBER_VALUES | st.sampled_from([1, 2, 3, 4, 5]))
_TEXTS = _sometimes(_TEXT_VALUES)
# A signalling NaN cannot be hashed, so it stays out of the garbage that sets are drawn from.
_MONEY = _sometimes(_MONEY_VALUES | st.just(Decimal("sNaN")))
_DAYS = _sometimes(_DAY_VALUES)
_FLAGS = _sometimes(st.sampled_from([0, 1, 2, 3, 32, 33, -1, 2**63]))
_BOOLS = _sometimes(st.booleans())
# Entry ids after a rollback differ between stores (an engine's autoincrement may skip one), so
# a history is read from its start, or refused.
_AFTER = _WRONG_TYPES | st.sampled_from([0, -1, 2**63, 2**64, -(2**63) - 1, 10**30])
_KINDS = _sometimes(cst.customer_kinds | st.sampled_from(["private", "bogus"]))
_TYPES = _sometimes(cst.customer_types | st.sampled_from(["walk_in", "bogus"]))


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _keys(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` without the unhashable values, for set members and mapping keys."""
    return strategy.filter(_hashable)


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments: any subset of ``fields``."""
    return st.fixed_dictionaries({}, optional=fields)


def _made_by(build: Callable[..., Any], **fields: st.SearchStrategy[Any]) -> Any:
    return st.builds(_Make, st.just(build), _optional(**fields))


_SELECTIONS = (
    st.none()
    | _GARBAGE
    | _made_by(
        Selection,
        kind=st.none() | _KINDS,
        customer_type=st.none() | _TYPES,
        category=st.none() | _TEXTS,
        status_all=st.frozensets(_keys(_FLAGS), max_size=2) | _FLAGS,
        status_any=st.lists(_FLAGS, max_size=2) | _FLAGS,
        code1=st.none() | _TEXTS,
        code2=st.none() | _TEXTS,
        name=st.none() | _TEXTS,
        anonymized=st.none() | _BOOLS,
        include_merged=_BOOLS,
    )
)
_CUSTOMER_TEXTS = dict.fromkeys(
    (
        "first_name",
        "salutation",
        "company",
        "street",
        "postal_code",
        "city",
        "country",
        "email",
        "phone",
        "code1",
        "code2",
        "notes",
        "category",
        "commission_scheme",
        "fee_schedule",
    ),
    _TEXTS,
)
_DRAFT_FIELDS = _optional(
    customer_type=_TYPES,
    birth_date=st.none() | _DAYS,
    status=st.lists(_FLAGS, max_size=2) | _GARBAGE,
    **_CUSTOMER_TEXTS,
)
_DRAFTS = _GARBAGE | st.builds(
    lambda kind, last_name, fields: _Make(
        NewCustomer, {"kind": kind, "last_name": last_name, **fields}
    ),
    _KINDS,
    _TEXTS,
    _DRAFT_FIELDS,
)
_CHANNELS = _GARBAGE | st.builds(
    lambda name, fields: _Make(SalesChannel, {"name": name, **fields}),
    _TEXTS,
    _optional(is_external=_BOOLS),
)
#: A booking's fields but its reference and customer, which every booking command keeps apart.
_BOOKING_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "kind": _sometimes(st.sampled_from(BookingKind)),
    "departure": _DAYS,
    "point_of_sale": _TEXTS,
    "channel": _CHANNELS,
    "open_amount": _MONEY,
    "revenue": st.none() | _MONEY,
    "travel_type": st.none() | _TEXTS,
    "destination": st.none() | _TEXTS,
}
_BOOKINGS = _GARBAGE | st.builds(
    lambda fields: _Make(
        Booking,
        {
            "reference": "VG-9",
            "customer": 1,
            "kind": FIRM,
            "departure": TODAY,
            "point_of_sale": AGENCY,
            **fields,
        },
    ),
    _optional(reference=_TEXTS, customer=_NUMBERS, **_BOOKING_FIELDS),
)
_EDITED = st.builds(
    lambda number, changes: _Make(_edited, {"number": number, "changes": changes}, with_book=True),
    _NUMBERS,
    _optional(
        last_name=_TEXTS,
        customer_type=_TYPES,
        birth_date=st.none() | _DAYS,
        status=st.lists(_FLAGS, max_size=2),
        version=_NUMBERS,
        kind=_KINDS,
        debtor_account=_NUMBERS,
        merged_into=st.none() | _NUMBERS,
        anonymized_at=st.none() | _DAYS,
        **_CUSTOMER_TEXTS,
    ),
)
_KIND_CHANGES = _optional(
    categories=st.lists(_TEXTS, max_size=3) | _GARBAGE,
    status_labels=st.dictionaries(_keys(_FLAGS), _TEXTS, max_size=2) | _GARBAGE,
    code1_label=_TEXTS,
    code2_label=_TEXTS,
    debtor_offset=_NUMBERS,
    debtor_min=st.none() | _NUMBERS,
    debtor_max=st.none() | _NUMBERS,
    template_customer=st.none() | _NUMBERS,
    dunning_fee=_MONEY,
    deposit_prompt=_BOOLS,
    renumber_on_kind_change=_BOOLS,
    colour=_GARBAGE,
)
_SETTINGS = _GARBAGE | _made_by(
    Settings,
    debtor_base=_NUMBERS,
    anonymization_delay_days=_NUMBERS,
    kinds=st.dictionaries(
        _keys(_KINDS),
        _GARBAGE
        | st.builds(
            lambda fields: _Make(KindSettings, dict(fields)),
            _KIND_CHANGES.filter(lambda fields: "colour" not in fields),
        ),
        max_size=2,
    ),
)
_PERIODS = (
    st.none() | _GARBAGE | _made_by(DeparturePeriod, start=st.none() | _DAYS, end=st.none() | _DAYS)
)
_DIMENSIONS = _sometimes(
    st.sampled_from(StatisticsDimension)
    | st.lists(st.sampled_from(StatisticsDimension), max_size=3)
    | st.sampled_from(["kind", "bogus"])
)
_OPEN_AMOUNTS = st.none() | _GARBAGE | st.dictionaries(_keys(_NUMBERS), _MONEY, max_size=2)
_TEMPLATES = _sometimes(
    st.sampled_from(["Hallo {Kunde-Name}", "{OP-Betrag+Mahngebühr}", "{", "{Unbekannt}", "x"])
)
_DUPLICATES = _GARBAGE | st.lists(_NUMBERS, max_size=3)
#: The seeded bookings' references (see ``_seed_bad_input``), an unknown one, and garbage.
_REFERENCES = _sometimes(st.sampled_from(["VG-1", "VG-2", "VG-404"])) | _TEXTS
_AGENCIES = _TEXTS | st.just(AGENCY)
_MODES = _sometimes(st.sampled_from(["off", "warn", "refuse", "WARN"]))
_THRESHOLDS = st.none() | _sometimes(st.sampled_from([0.5, 0.85, 1.0, 0.0, 1.5, float("nan")]))


def _call(
    args: st.SearchStrategy[tuple[Any, ...]] | None = None,
    **kwargs: st.SearchStrategy[Any],
) -> st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Positional arguments drawn from ``args`` (none), and any subset of the keywords."""
    return st.tuples(st.just(()) if args is None else args, _optional(**kwargs))


#: Contact channels, one or a list, and garbage.
_CONTACT_CHANNELS = (
    _GARBAGE
    | st.sampled_from(["letter", "sms", "fax"])
    | st.lists(st.sampled_from(["email", "phone", "x"]))
)


#: Public method (or property) of CustomerBook -> strategy of its (args, kwargs). The bad-input
#: test fails for a public method missing here, so a new one is driven with garbage too.
_GARBAGE_CALLS: dict[str, st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "store": _call(),
    "settings": _call(),
    "configure": _call(st.tuples(_SETTINGS), replace=_GARBAGE | st.booleans()),
    "update_kind_settings": st.tuples(st.tuples(_KINDS), _KIND_CHANGES),
    "update_settings": _call(
        per_kind=st.none() | _GARBAGE | st.dictionaries(_keys(_KINDS), _KIND_CHANGES, max_size=2),
        debtor_base=_NUMBERS,
        anonymization_delay_days=_NUMBERS,
        colour=_GARBAGE,
    ),
    "rename_status_label": _call(st.tuples(_KINDS, _FLAGS, st.none() | _TEXTS)),
    "register": st.tuples(
        st.tuples(_KINDS, _TEXTS),
        st.builds(
            lambda fields, check: {**fields, **check},
            _DRAFT_FIELDS,
            _optional(duplicates=_MODES, duplicate_threshold=_THRESHOLDS),
        ),
    ),
    "register_many": _call(
        st.tuples(st.lists(_DRAFTS, max_size=2) | _GARBAGE),
        duplicates=_MODES,
        duplicate_threshold=_THRESHOLDS,
    ),
    "register_draft": _call(
        st.tuples(_DRAFTS),
        duplicates=_MODES,
        duplicate_threshold=_THRESHOLDS,
    ),
    "get": _call(st.tuples(_NUMBERS)),
    "resolve": _call(st.tuples(_NUMBERS)),
    "resolve_debtor_account": _call(
        st.tuples(_sometimes(st.sampled_from([10001, 30002, 10003, 10**15])))
    ),
    "find_by_code1": _call(st.tuples(_TEXTS)),
    "select": _call(st.tuples(_SELECTIONS), limit=st.none() | _NUMBERS, after=st.none() | _NUMBERS),
    "count": _call(st.tuples(_SELECTIONS)),
    "iter_customers": _call(st.tuples(_SELECTIONS), batch_size=_NUMBERS),
    "iter_bookings": _call(st.tuples(_SELECTIONS), batch_size=_NUMBERS),
    "statistics": _call(st.tuples(_SELECTIONS, _DIMENSIONS, _PERIODS)),
    "update": _call(st.tuples(_EDITED | _GARBAGE)),
    "change_kind": _call(st.tuples(_NUMBERS, _KINDS), keep_status=_BOOLS),
    "change_type": _call(st.tuples(_NUMBERS, _TYPES)),
    "set_status": _call(st.tuples(_SELECTIONS, _FLAGS), on=_BOOLS),
    "record_booking": _call(st.tuples(_BOOKINGS), convert_to=_KINDS, keep_status=_BOOLS),
    "update_booking": st.tuples(
        st.tuples(_REFERENCES),
        _optional(
            convert_to=_KINDS,
            keep_status=_BOOLS,
            customer=_NUMBERS,
            colour=_GARBAGE,
            **_BOOKING_FIELDS,
        ),
    ),
    "move_booking": _call(st.tuples(_REFERENCES, _NUMBERS), convert_to=_KINDS, keep_status=_BOOLS),
    "get_booking": _call(st.tuples(_TEXTS)),
    "bookings": _call(st.tuples(_NUMBERS)),
    "effective_rules": _call(st.tuples(_NUMBERS)),
    "profile": _call(st.tuples(_NUMBERS)),
    "dunning_fields": _call(st.tuples(_NUMBERS, _MONEY)),
    "letters": _call(
        st.tuples(_SELECTIONS, _TEMPLATES),
        open_amounts=_OPEN_AMOUNTS,
        owing_only=_BOOLS,
        batch_size=_NUMBERS,
        purpose=_GARBAGE | st.sampled_from(["advertising", "contract"]),
        channel=_CONTACT_CHANNELS,
        due_by=st.none() | _DAYS,
        days_before_departure=_NUMBERS,
    ),
    "write_merge_data": _call(
        # Never a path: the test must not write files.
        st.tuples(_SELECTIONS, st.just(_Make(io.StringIO)) | st.sampled_from([None, 5, b"1"])),
        fields=st.none() | _GARBAGE | st.lists(st.sampled_from(["Kunde-Name", "Bogus"])),
        open_amounts=_OPEN_AMOUNTS,
        owing_only=_BOOLS,
        delimiter=_sometimes(st.sampled_from([";", ",", "\t", "|"])),
        batch_size=_NUMBERS,
        due_by=st.none() | _DAYS,
        days_before_departure=_NUMBERS,
    ),
    "plan_merge": _call(st.tuples(_NUMBERS, _DUPLICATES), fill_blanks=_BOOLS, unite_status=_BOOLS),
    "merge": _call(
        st.tuples(_NUMBERS, _DUPLICATES),
        fill_blanks=_BOOLS,
        unite_status=_BOOLS,
        actor=st.none() | _TEXTS,
    ),
    "merge_history": _call(st.tuples(st.none() | _NUMBERS)),
    "history": _call(st.tuples(_NUMBERS), after=_AFTER, limit=st.none() | _NUMBERS),
    "settings_history": _call(st.tuples(), after=_AFTER, limit=st.none() | _NUMBERS),
    "acting": _call(st.tuples(st.none() | _TEXTS)),
    "actor": _call(),
    "iter_history": _call(st.tuples(st.none() | _NUMBERS), batch_size=_NUMBERS),
    "eligibility": _call(st.tuples(_NUMBERS, _AGENCIES, st.none() | _DAYS)),
    "anonymize": _call(st.tuples(_NUMBERS, _AGENCIES, st.none() | _DAYS)),
    "request_erasure": _call(st.tuples(_NUMBERS, _DAYS)),
    "erasure_requests": _call(st.tuples(_AGENCIES, st.none() | _DAYS), include_done=_BOOLS),
    "request_access": _call(st.tuples(_NUMBERS, _DAYS)),
    "requests": _call(st.tuples(_AGENCIES), day=st.none() | _DAYS, include_done=_BOOLS),
    "access_report": _call(st.tuples(_NUMBERS), answer=_BOOLS, today=st.none() | _DAYS),
    "access_letter": _call(
        st.tuples(_NUMBERS, st.none() | _TEXTS), answer=_BOOLS, today=st.none() | _DAYS
    ),
    "anonymize_due": _call(
        st.tuples(_AGENCIES, st.none() | _DAYS), dry_run=_BOOLS, batch_size=_NUMBERS
    ),
    "record_marketing_choice": st.tuples(
        st.tuples(
            _NUMBERS, _CONTACT_CHANNELS, _GARBAGE | st.sampled_from(["consent", "objection"])
        ),
        st.fixed_dictionaries({"given_on": _DAYS, "source": _TEXTS}, optional={"note": _TEXTS}),
    ),
    "object_to_advertising": st.tuples(
        st.tuples(_NUMBERS, _CONTACT_CHANNELS),
        st.fixed_dictionaries({"given_on": _DAYS, "source": _TEXTS}, optional={"note": _TEXTS}),
    ),
    "marketing_choices": _call(st.tuples(_NUMBERS)),
    "mark_distinct": _call(st.tuples(_NUMBERS, _NUMBERS), actor=st.none() | _TEXTS),
    "unmark_distinct": _call(st.tuples(_NUMBERS, _NUMBERS)),
    "distinct_marks": _call(st.tuples(st.none() | _NUMBERS)),
    "find_duplicates": _call(
        st.tuples(st.none() | _NUMBERS),
        threshold=_sometimes(st.sampled_from([0.5, 0.85, 1.0, 0.0, 1.5, float("nan")])),
    ),
}


def _failure_text(error: BaseException) -> str:
    """What went wrong, with hypothesis' falsifying example; each failure of a group."""
    if isinstance(error, BaseExceptionGroup):
        return "\n".join(_failure_text(inner) for inner in error.exceptions)
    notes = "\n".join(getattr(error, "__notes__", ()))
    return f"{type(error).__name__}: {str(error)[:500]}\n{notes[:2000]}"


def _outcome(book: CustomerBook, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What calling ``book.<name>(*args, **kwargs)`` gave: its result, or the refusal's class.

    Iterators are consumed. The store is left out of the result (each book has its own);
    anything but a custmodel error propagates, which fails the test.
    """
    try:
        attribute = getattr(book, name)
        if name == "store":
            return ("ok", None)
        if not callable(attribute):
            return ("ok", attribute)
        result = attribute(*_made(list(args), book), **_made(kwargs, book))
        if isinstance(result, Iterator):
            result = list(result)
        if isinstance(result, CustomerBook):
            return ("ok", result.actor)
        if isinstance(result, list) and result and isinstance(result[0], HistoryEntry):
            return ("ok", history_without_ids(result))
        return ("ok", result)
    except CustmodelError as error:
        return ("refused", type(error))
