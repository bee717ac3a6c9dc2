"""Input from outside: JSON data into the objects CustomerBook takes, or one typed error."""

from __future__ import annotations

import inspect
import json
import math
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import custmodel
import custmodel.model
from custmodel import (
    Booking,
    Customer,
    CustomerBook,
    CustomerKind,
    DeparturePeriod,
    InvalidInputError,
    KindSettings,
    LetterTemplate,
    NewCustomer,
    RetentionRule,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
)
from custmodel.serialization import (
    INPUT_TYPES,
    dumps,
    loads,
    make_converter,
    structure_input,
)
from custmodel.testing import strategies as cst

#: A text that must never appear in an error message: it stands for a person's data.
MARKER = "Mxyzptlk"

_NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

#: One valid object of every input type, as JSON data.
EXAMPLES: dict[type[Any], Any] = {
    cls: json.loads(dumps(value))
    for cls, value in {
        NewCustomer: NewCustomer(CustomerKind.PRIVATE, "Muster", first_name="Erika"),
        Customer: Customer(
            number=3,
            kind=CustomerKind.PRIVATE,
            debtor_account=10003,
            last_name="Muster",
            created_at=_NOW,
            updated_at=_NOW,
        ),
        Booking: Booking("VG-1", 3, "booking", date(2027, 5, 1), "AG1", open_amount="12.50"),
        SalesChannel: SalesChannel.external("Booking.com"),
        Selection: Selection(kind=CustomerKind.PRIVATE, status_all=frozenset({2})),
        Settings: Settings().with_kind(
            CustomerKind.PRIVATE, KindSettings(categories=("A",), status_labels={2: "VIP"})
        ),
        KindSettings: KindSettings(status_labels={2: "VIP"}, dunning_fee=Decimal("5.00")),
        RetentionRule: RetentionRule.prospect_idle(24),
        DeparturePeriod: DeparturePeriod.year(2027),
        StatusFlags: StatusFlags.of([1, 5]),
        LetterTemplate: LetterTemplate.parse("Guten Tag {Kunde-Vorname}"),
    }.items()
}

#: The input types that are JSON objects (status flags are a list of numbers).
OBJECT_TYPES = [cls for cls in INPUT_TYPES if isinstance(EXAMPLES[cls], dict)]


def _names(types: list[type[Any]]) -> list[str]:
    return [cls.__name__ for cls in types]


def _outcome(data: object, cls: type[Any]) -> InvalidInputError | None:
    """The error structuring ``data`` raises, or None when it gives a ``cls``."""
    try:
        value = structure_input(data, cls)
    except InvalidInputError as error:
        return error
    assert isinstance(value, cls)
    return None


def _refusal(data: object, cls: type[Any]) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        structure_input(data, cls)
    return caught.value


def _attrs_classes_in(hint: Any) -> set[type[Any]]:
    """The attrs classes a type hint names, and those their fields name, all the way down."""
    found: set[type[Any]] = set()
    todo = [hint]
    while todo:
        current = todo.pop()
        if isinstance(current, type) and attrs.has(current) and current not in found:
            found.add(current)
            todo.extend(typing.get_type_hints(current).values())
        todo.extend(typing.get_args(current))
    return found


def _parameter_types(method: Any) -> list[Any]:
    """The types of ``method``'s parameters (not its result, which may name types imported
    for type checking only)."""
    namespace = {**vars(custmodel), **vars(custmodel.model), **method.__globals__}
    return [
        eval(p.annotation, namespace) if isinstance(p.annotation, str) else p.annotation  # noqa: S307
        for p in inspect.signature(method).parameters.values()
        if p.annotation is not inspect.Parameter.empty
    ]


def test_every_object_a_book_method_takes_is_an_input_type() -> None:
    """A new book method that takes a custmodel object makes the object an input type."""
    taken: set[type[Any]] = set()
    for name, method in inspect.getmembers(CustomerBook, inspect.isfunction):
        if not name.startswith("_"):
            for hint in _parameter_types(method):
                taken |= _attrs_classes_in(hint)

    assert taken <= set(INPUT_TYPES)
    assert {NewCustomer, Booking, Selection, Settings, LetterTemplate} <= taken


def test_every_input_type_has_an_example_here() -> None:
    """The tests below cover every input type."""
    assert set(INPUT_TYPES) == set(EXAMPLES)


@pytest.mark.parametrize("cls", INPUT_TYPES, ids=_names(list(INPUT_TYPES)))
def test_an_example_structures_to_the_object_it_was_made_from(cls: type[Any]) -> None:
    """JSON data as dumps writes it comes back as the object."""
    value = structure_input(EXAMPLES[cls], cls)

    assert EXAMPLES[cls] == json.loads(dumps(value))


_STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {
    NewCustomer: cst.new_customers(),
    Booking: cst.bookings(),
    Selection: cst.selections(),
    Settings: cst.settings(),
    DeparturePeriod: cst.departure_periods(),
}


@pytest.mark.parametrize("cls", list(_STRATEGIES), ids=_names(list(_STRATEGIES)))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_object_survives_the_request_path(cls: type[Any], data: st.DataObject) -> None:
    """An object sent as a JSON body is structured back into an equal object."""
    value = data.draw(_STRATEGIES[cls])
    body = json.loads(json.dumps(make_converter().unstructure(value)))

    assert value == structure_input(body, cls)


@pytest.mark.parametrize("cls", OBJECT_TYPES, ids=_names(OBJECT_TYPES))
def test_an_unknown_key_is_refused_by_its_path(cls: type[Any]) -> None:
    """A key that is no field is refused, naming it; it is not dropped silently."""
    error = _refusal({**EXAMPLES[cls], "colour": "red"}, cls)

    assert ((("$.colour", "unknown field"),), "$.colour: unknown field") == (
        error.problems,
        str(error),
    )


def test_an_unknown_key_in_a_list_element_is_refused_by_its_path() -> None:
    """The path goes into the list and the nested object."""
    booking = EXAMPLES[Booking]
    bad = {**booking, "channel": {"name": "Web", "is_external": False, "fee": "1.00"}}

    error = _refusal([booking, bad], list[Booking])

    assert "$[1].channel.fee: unknown field" == str(error)


def _required(cls: type[Any]) -> list[str]:
    return [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING]


_REQUIRED = [(cls, name) for cls in OBJECT_TYPES for name in _required(cls)]


@pytest.mark.parametrize(
    ("cls", "name"), _REQUIRED, ids=[f"{c.__name__}.{n}" for c, n in _REQUIRED]
)
def test_a_missing_required_field_is_named(cls: type[Any], name: str) -> None:
    """Leaving out a field without default names it."""
    data = {key: value for key, value in EXAMPLES[cls].items() if key != name}

    assert f"$.{name}: required field missing" == str(_refusal(data, cls))


WRONG_TYPES = [
    (NewCustomer, "last_name", 5, "expected text"),
    (NewCustomer, "last_name", None, "expected text"),
    (NewCustomer, "last_name", ["Muster"], "expected text"),
    (NewCustomer, "kind", "person", "must be one of: private, corporate, travel_agency, prospect"),
    (NewCustomer, "status", "1", "expected a list of flag numbers"),
    (NewCustomer, "birth_date", 19700101, "expected a date as text (YYYY-MM-DD)"),
    (Booking, "customer", "3", "expected a whole number"),
    (Booking, "customer", True, "expected a whole number"),
    (Booking, "customer", 3.0, "expected a whole number"),
    (Booking, "customer", 10**40, "must be a whole number from 1 to 2**63 - 1"),
    (Booking, "customer", math.nan, "expected a whole number"),
    (Booking, "customer", None, "expected a whole number"),
    (Booking, "departure", "2027-13-01", "not a date (YYYY-MM-DD)"),
    (Booking, "channel", ["Web"], "expected an object"),
    (Booking, "channel", "Web", "expected an object"),
    (Selection, "include_merged", 1, "expected true or false"),
    (Selection, "anonymized", "yes", "expected true or false"),
    (Selection, "status_all", {"2": True}, "expected a list"),
    (Settings, "kinds", [], "expected an object"),
    (KindSettings, "categories", "ABC", "expected a list"),
    (KindSettings, "status_labels", [[2, "VIP"]], "expected an object"),
    (Customer, "created_at", "2026-12-01T09:30:00", "timestamps must carry a time zone"),
    (Customer, "created_at", 1764581400, "expected a timestamp as text (ISO 8601)"),
    (RetentionRule, "period", "24", "expected a whole number"),
    (DeparturePeriod, "start", 2027, "expected a date as text (YYYY-MM-DD)"),
    (LetterTemplate, "literals", "Guten Tag", "expected a list"),
]


@pytest.mark.parametrize(
    ("cls", "name", "value", "expected"),
    WRONG_TYPES,
    ids=[f"{c.__name__}.{n}={v!r}"[:60] for c, n, v, _ in WRONG_TYPES],
)
def test_a_value_of_the_wrong_json_type_is_refused_by_its_path(
    cls: type[Any], name: str, value: object, expected: str
) -> None:
    """No coercion: a string for a number, a bool for a number, a list for an object..."""
    error = _refusal({**EXAMPLES[cls], name: value}, cls)

    assert f"$.{name}: {expected}" == str(error)


@pytest.mark.parametrize("cls", INPUT_TYPES, ids=_names(list(INPUT_TYPES)))
@pytest.mark.parametrize("data", [None, "text", 12, True, 1.5, [[]], {"": None}])
def test_the_wrong_kind_of_document_is_refused_at_the_root(cls: type[Any], data: object) -> None:
    """A body that is no object at all (or for status flags: no list) is one problem at $."""
    error = _refusal(data, cls)

    assert all(path.startswith("$") for path, _ in error.problems)
    assert error.problems


MONEY = [
    (Booking, "open_amount", "-1.00", "must not be negative"),
    (Booking, "open_amount", "1.005", "has at most two decimals (whole cents)"),
    (Booking, "open_amount", "NaN", "must be a finite amount"),
    (Booking, "open_amount", "Infinity", "must be a finite amount"),
    (Booking, "open_amount", 1.5, 'expected money as text ("12.50"), not a float'),
    (Booking, "revenue", "10000000000000.00", "must not exceed 9999999999999.99 EUR"),
    (Booking, "revenue", f"{MARKER} 12", "not an amount of money"),
    (KindSettings, "dunning_fee", "-5", "must not be negative"),
]


@pytest.mark.parametrize(
    ("cls", "name", "value", "expected"), MONEY, ids=[f"{n}={v!r}" for _, n, v, _ in MONEY]
)
def test_a_money_error_in_a_body_names_its_field(
    cls: type[Any], name: str, value: object, expected: str
) -> None:
    """Which amount of a body is wrong, and why, without repeating it."""
    error = _refusal({**EXAMPLES[cls], name: value}, cls)

    assert f"$.{name}: {expected}" == str(error)


def test_a_money_error_deep_in_the_settings_names_its_path() -> None:
    """The path goes through the kind's key into its settings."""
    data = EXAMPLES[Settings]
    data["kinds"]["private"]["dunning_fee"] = "-5.00"

    error = _refusal(data, Settings)

    assert "$.kinds['private'].dunning_fee: must not be negative" == str(error)


_DAY = date(2027, 5, 1)


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        (
            lambda: Booking("R", 1, "booking", _DAY, "AG", open_amount=Decimal("-1")),
            "open_amount",
            "open_amount must not be negative",
        ),
        (
            lambda: Booking("R", 1, "booking", _DAY, "AG", revenue=Decimal("1.001")),
            "revenue",
            "revenue has at most two decimals (whole cents)",
        ),
        (
            lambda: Booking("R", 1, "booking", _DAY, "AG", revenue=1.5),  # type: ignore[arg-type]
            "revenue",
            "revenue must be a Decimal, an int or a string, not a float",
        ),
        (
            lambda: Booking("R", 1, "booking", _DAY, "AG", open_amount=Decimal("NaN")),
            "open_amount",
            "open_amount must be a finite amount",
        ),
        (
            lambda: KindSettings(dunning_fee=Decimal("1E+14")),
            "dunning_fee",
            "dunning_fee must not exceed 9999999999999.99 EUR",
        ),
    ],
    ids=["negative", "sub-cent", "float", "nan", "too-large"],
)
def test_a_bad_amount_given_to_a_constructor_names_its_field(
    build: Any, field: str, message: str
) -> None:
    """Building a booking or settings in Python names the money field at fault too."""
    with pytest.raises(InvalidInputError) as caught:
        build()

    assert (field, message) == (caught.value.field, str(caught.value))


def test_every_problem_is_reported_in_the_order_of_the_fields() -> None:
    """Several problems come in one message, always the same, in the order of the fields."""
    data = {
        **EXAMPLES[Booking],
        "zone": "B",
        "open_amount": "-1.00",
        "kind": "maybe",
        "customer": "3",
        "channel": {"name": "", "is_external": "no"},
    }

    first, second = _refusal(data, Booking), _refusal(dict(reversed(data.items())), Booking)

    assert (
        "$.customer: expected a whole number; $.kind: must be one of: offer, booking; "
        "$.channel.name: must not be empty; $.channel.is_external: expected true or false; "
        "$.open_amount: must not be negative; $.zone: unknown field"
    ) == str(first)
    assert first.problems == second.problems


def test_a_check_of_several_fields_names_the_object() -> None:
    """A period that ends before it starts is wrong as a whole: the path is the object's."""
    error = _refusal({"start": "2027-02-01", "end": "2027-01-01"}, DeparturePeriod)

    assert (("$", "the period starts (2027-02-01) after it ends (2027-01-01)"),) == error.problems


#: Values, never keys: a key of the body may appear in a path (it is the client program's
#: word for a field, a kind or a flag number, not what a person typed).
_MARKED_VALUES = [MARKER, MARKER * 100, [MARKER], {"x": MARKER}, {"name": MARKER}, [[MARKER]]]
#: A template's placeholders are field names of the letter, named by the error by design.
_FIELDS = [
    (cls, f.name)
    for cls in OBJECT_TYPES
    for f in attrs.fields(cls)
    if (cls, f.name) != (LetterTemplate, "fields")
]


@pytest.mark.parametrize(("cls", "name"), _FIELDS, ids=[f"{c.__name__}.{n}" for c, n in _FIELDS])
def test_no_value_given_appears_in_the_message(cls: type[Any], name: str) -> None:
    """A refused value is never repeated: it may be a name typed into the wrong field."""
    errors = [_outcome({**EXAMPLES[cls], name: value}, cls) for value in _MARKED_VALUES]
    refused = [error for error in errors if error is not None]

    assert refused
    assert not [e for e in refused if MARKER in str(e) or MARKER in repr(e.problems)]


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["private", "booking", "2027-05-01", "2026-12-01T09:30:00+00:00", "1.00"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def _garbled(draw: st.DrawFn, cls: type[Any]) -> object:
    """Arbitrary JSON, or the example with one field's value replaced by arbitrary JSON."""
    example = EXAMPLES[cls]
    if not isinstance(example, dict) or draw(st.booleans()):
        return draw(_JSON)
    name = draw(st.sampled_from(sorted(example)))
    return {**example, name: draw(_JSON)}


@pytest.mark.parametrize("cls", INPUT_TYPES, ids=_names(list(INPUT_TYPES)))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_gives_an_object_or_an_input_error(cls: type[Any], data: st.DataObject) -> None:
    """Whatever JSON arrives, the answer is the object or InvalidInputError, nothing else."""
    error = _outcome(data.draw(_garbled(cls)), cls)

    assert error is None or all(path.startswith("$") and what for path, what in error.problems)
    assert error is None or error.problems


def test_loads_raises_the_same_typed_error() -> None:
    """loads names the path as structure_input does, and refuses text that is no JSON."""
    text = json.dumps({**EXAMPLES[Booking], "customer": "3"})

    with pytest.raises(InvalidInputError, match=r"^\$\.customer: expected a whole number$"):
        loads(text, Booking)
    with pytest.raises(InvalidInputError, match=r"^not JSON \(line 1, column 2\)$"):
        loads("{" + MARKER, Booking)
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        loads(b'"\xff"', Booking)
    with pytest.raises(InvalidInputError, match="a number is too long"):
        loads('{"customer": 1' + "0" * 5000 + "}", Booking)
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        loads("[" * 100_000 + "]" * 100_000, Booking)


def test_a_lenient_converter_takes_text_for_numbers_but_no_unknown_keys() -> None:
    """make_converter(strict=False) reads CSV cells ("3"), and still refuses unknown keys."""
    lenient = make_converter(strict=False)
    data = {**EXAMPLES[Booking], "customer": "3"}

    assert 3 == structure_input(data, Booking, lenient).customer
    with pytest.raises(InvalidInputError, match=r"^\$\.colour: unknown field$"):
        structure_input({**data, "colour": "red"}, Booking, lenient)


def test_a_converter_may_drop_unknown_keys_when_asked() -> None:
    """forbid_extra_keys=False ignores keys that are no field, as cattrs does by default."""
    tolerant = make_converter(forbid_extra_keys=False)

    booking = structure_input({**EXAMPLES[Booking], "colour": "red"}, Booking, tolerant)

    assert "VG-1" == booking.reference
