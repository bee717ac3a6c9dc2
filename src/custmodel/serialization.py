"""JSON-ready serialization of every public custmodel type, through cattrs.

Use :func:`make_converter` to get a converter of your own (there is no shared mutable one)::

    >>> from custmodel.serialization import make_converter
    >>> from custmodel import StatusFlags
    >>> conv = make_converter()
    >>> conv.unstructure(StatusFlags.of([1, 5]))
    [1, 5]

Money becomes a string ("12.50") so no binary float ever touches it; dates and datetimes become
ISO 8601 text; status flags become the list of their numbers; enums their values; a set of
contact channels (a customer's ``advertising_objections``) the list of their values in the
channels' declared order. :func:`history_entry_json` gives an entry of the change history as
the command line's ``--json`` and ``export history`` write it.

:func:`structure_input` turns JSON data from outside (a request body) into one of the objects a
:class:`~custmodel.CustomerBook` method takes (:data:`INPUT_TYPES`), or raises
:class:`~custmodel.errors.InvalidInputError` naming the path of every field at fault::

    >>> from custmodel import Booking
    >>> from custmodel.serialization import structure_input
    >>> structure_input({"reference": "VG-1", "customer": 3, "kind": "booking",
    ...                  "departure": "2027-05-01", "point_of_sale": "AG1",
    ...                  "open_amount": "-5.00", "colour": "red"}, Booking)
    Traceback (most recent call last):
    ...
    custmodel.errors.InvalidInputError: $.open_amount: must not be negative; $.colour: unknown field
"""

from __future__ import annotations

import collections.abc
import enum
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
from cattrs import ClassValidationError, IterableValidationError
from cattrs.errors import (
    AttributeValidationNote,
    ForbiddenExtraKeysError,
    IterableValidationNote,
    StructureHandlerNotFoundError,
)
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

from custmodel import rules
from custmodel.errors import CustmodelError, InvalidInputError, InvalidSettingsError
from custmodel.letters import LetterTemplate
from custmodel.model import (
    AccessReport,
    Booking,
    ContactChannel,
    Customer,
    DeparturePeriod,
    HistoryEntry,
    KindSettings,
    NewCustomer,
    RetentionRule,
    SalesChannel,
    Selection,
    Settings,
    StatisticsKey,
    StatusFlags,
)

__all__ = [
    "ACCESS_REPORT_FORMAT",
    "ACCESS_REPORT_SCHEMA",
    "ACCESS_REPORT_VERSION",
    "INPUT_TYPES",
    "SETTINGS_FORMAT",
    "SETTINGS_VERSION",
    "access_report_json",
    "access_report_schema",
    "dumps",
    "history_entry_json",
    "loads",
    "make_converter",
    "read_settings_document",
    "settings_document",
    "structure_input",
]

T = TypeVar("T")

#: The objects a :class:`~custmodel.CustomerBook` method takes, and the ones they hold: what a
#: web application builds from a request body with :func:`structure_input`.
INPUT_TYPES: tuple[type, ...] = (
    NewCustomer,
    Customer,
    Booking,
    SalesChannel,
    Selection,
    Settings,
    KindSettings,
    RetentionRule,
    DeparturePeriod,
    StatusFlags,
    LetterTemplate,
)


def _structure_decimal(value: Any, _type: type) -> Decimal:
    if isinstance(value, float):
        raise InvalidInputError('expected money as text ("12.50"), not a float')
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInputError("not an amount of money")
    try:
        return Decimal(value)
    except InvalidOperation:
        # The value may be any text a person typed (a name in the wrong column): not repeated.
        raise InvalidInputError("not an amount of money") from None


def _structure_date(value: Any, _type: type) -> date:
    if not isinstance(value, str):
        raise InvalidInputError("expected a date as text (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError("not a date (YYYY-MM-DD)") from None


def _structure_datetime(value: Any, _type: type) -> datetime:
    if not isinstance(value, str):
        raise InvalidInputError("expected a timestamp as text (ISO 8601)")
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError("not a timestamp (ISO 8601)") from None
    if result.tzinfo is None:
        raise InvalidInputError("timestamps must carry a time zone")
    return result


def _structure_statistics_key(value: Any, _type: type) -> StatisticsKey:
    # The value's type follows from the dimension (a kind, a flag number, a text ...).
    return StatisticsKey.of(value["dimension"], value["value"], value.get("labels") or {})


def _is_channel_set(cls: Any) -> bool:
    return bool(cls == frozenset[ContactChannel])


def _unstructure_channels(channels: frozenset[ContactChannel]) -> list[str]:
    # In the declared order, so the same set always gives the same JSON.
    return [c.value for c in ContactChannel if c in channels]


# -- strict structuring: JSON's own types only, nothing coerced --------------------------------


def _one_of(cls: type[enum.Enum]) -> InvalidInputError:
    return InvalidInputError(f"must be one of: {', '.join(str(m.value) for m in cls)}")


def _strict_text(value: Any, cls: type) -> Any:
    # str's hook also serves its subclasses: the string enums (kinds, types, channels ...).
    if not isinstance(value, str):
        if isinstance(cls, type) and issubclass(cls, enum.Enum):
            raise _one_of(cls)
        raise InvalidInputError("expected text")
    return value if cls is str else _as(cls, value)


def _strict_int(value: Any, cls: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError("expected a whole number")
    return value if cls is int else _as(cls, value)


def _as(cls: type, value: object) -> Any:
    """``value`` as a ``cls`` (an enum or another subclass of str or int)."""
    try:
        return cls(value)
    except ValueError:
        if issubclass(cls, enum.Enum):
            raise _one_of(cls) from None
        raise InvalidInputError("not a valid value") from None


def _strict_bool(value: Any, _type: type) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError("expected true or false")
    return value


def _strict_flags(value: Any, _type: type) -> StatusFlags:
    if not isinstance(value, list | tuple):
        raise InvalidInputError("expected a list of flag numbers")
    return StatusFlags.of(value)


def _lax_flags(value: Any, _type: type) -> StatusFlags:
    return StatusFlags.of(int(n) for n in value)


#: What a JSON array becomes, by the origin of the annotated type.
_ARRAYS: dict[Any, Callable[[list[Any]], Any]] = {
    list: list,
    collections.abc.MutableSequence: list,
    tuple: tuple,
    collections.abc.Sequence: tuple,
    set: set,
    collections.abc.MutableSet: set,
    frozenset: frozenset,
    collections.abc.Set: frozenset,
}


def _is_array(cls: Any) -> bool:
    """A homogeneous collection: ``list[X]``, ``tuple[X, ...]``, ``frozenset[X]`` ..."""
    args = get_args(cls)
    if get_origin(cls) not in _ARRAYS:
        return False
    return len(args) == 1 or (len(args) == 2 and args[1] is Ellipsis)


def _array_hook(cls: Any, conv: JsonConverter) -> Callable[[Any, Any], Any]:
    build = _ARRAYS[get_origin(cls)]
    item_type = get_args(cls)[0]

    def structure(value: Any, _type: Any) -> Any:
        # A string or an object is iterable too, and would become its characters or keys.
        if not isinstance(value, list | tuple):
            raise InvalidInputError("expected a list")
        items, errors = [], []
        for index, item in enumerate(value):
            try:
                items.append(conv.structure(item, item_type))
            except Exception as error:
                note = IterableValidationNote(f"Structuring @ index {index}", index, item_type)
                error.__notes__ = [*getattr(error, "__notes__", []), note]
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
        return build(items)

    return structure


def _is_optional(cls: Any) -> bool:
    """``X | None``: None, or what X's own hook takes."""
    args = get_args(cls)
    return get_origin(cls) in (Union, UnionType) and len(args) == 2 and type(None) in args


def _optional_hook(cls: Any, conv: JsonConverter) -> Callable[[Any, Any], Any]:
    (other,) = (arg for arg in get_args(cls) if arg is not type(None))
    return lambda value, _type: None if value is None else conv.structure(value, other)


def _is_mapping(cls: Any) -> bool:
    return get_origin(cls) in (dict, collections.abc.Mapping) and len(get_args(cls)) == 2


#: A JSON object's key for a whole number (flag numbers): JSON keys are always text.
_NUMBER_KEY = re.compile(r"[0-9]{1,18}")


def _mapping_hook(cls: Any, conv: JsonConverter) -> Callable[[Any, Any], Any]:
    key_type, value_type = get_args(cls)

    def key_of(key: Any) -> Any:
        if key_type is int and isinstance(key, str) and _NUMBER_KEY.fullmatch(key):
            return int(key)
        return conv.structure(key, key_type)

    def structure(value: Any, _type: Any) -> Any:
        if not isinstance(value, Mapping):
            raise InvalidInputError("expected an object")
        result, errors = {}, []
        for key, item in value.items():
            try:
                result[key_of(key)] = conv.structure(item, value_type)
            except Exception as error:
                note = IterableValidationNote(f"Structuring @ key {key!r}", key, value_type)
                error.__notes__ = [*getattr(error, "__notes__", []), note]
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
        return result

    return structure


#: attrs' converter objects (attrs 24.1 and later) take more than the value: not run alone.
_CONVERTER_OBJECTS: Any = getattr(attrs, "Converter", ())


def _attrs_hook(cls: Any, conv: JsonConverter) -> Callable[[Any, Any], Any]:
    attrs.resolve_types(cls)
    structure_fields = make_dict_structure_fn(cls, conv)

    def structure(value: Any, _type: Any) -> Any:
        # A string's characters or a list's items would pass for the object's keys.
        if not isinstance(value, Mapping):
            raise InvalidInputError("expected an object")
        try:
            return structure_fields(value, cls)
        except InvalidInputError as error:
            # The class refused a value its fields were structured into: say which field.
            raise _with_field_errors(conv, cls, value, error, []) from None
        except ClassValidationError as error:
            # cattrs stopped before the class checked the fields it could structure.
            raise _with_field_errors(conv, cls, value, error, list(error.exceptions)) from None

    return structure


def _with_field_errors(
    conv: JsonConverter,
    cls: Any,
    data: Mapping[str, Any],
    error: Exception,
    found: list[Exception],
) -> Exception:
    """``error`` with one error more for each field whose own checks refuse its value.

    A field's own checks are its converter and validator, run on their own, for the fields
    ``found`` (the errors cattrs found) does not name already. The class's checks of several
    fields together (a period that ends before it starts) leave ``error`` as it is.
    """
    fields = attrs.fields(cls)
    named = {_noted_field(e) for e in found}
    errors = list(found)
    for field in fields:
        if field.init and field.alias in data and field.name not in named:
            refused = _field_error(conv, cls, field, data[field.alias])
            if refused is not None:
                errors.append(refused)
    if len(errors) == len(found):
        return error
    # The class's own refusal (cattrs may hold it, unnamed) is among those named now.
    errors = [e for e in errors if _noted_field(e) or isinstance(e, ForbiddenExtraKeysError)]
    order = {field.name: index for index, field in enumerate(fields)}
    # In the order of the fields; unknown keys (no field) last.
    errors.sort(key=lambda e: order.get(_noted_field(e) or "", len(order)))
    return ClassValidationError(f"While structuring {cls.__qualname__}", errors, cls)


def _noted_field(error: BaseException) -> str | None:
    for note in getattr(error, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return note.name
    return None


def _field_error(
    conv: JsonConverter, cls: Any, field: attrs.Attribute[Any], raw: Any
) -> InvalidInputError | None:
    """The refusal of ``raw`` by ``field``'s own converter and validator, or None."""
    try:
        value = conv.structure(raw, field.type)  # type: ignore[arg-type] # resolved: typed
        if callable(field.converter) and not isinstance(field.converter, _CONVERTER_OBJECTS):
            value = field.converter(value)
        if field.validator is not None:
            field.validator(None, field, value)
    except InvalidInputError as refused:
        message = str(refused)
        rest = message.removeprefix(f"{field.name} ")
        if rest.startswith(("must ", "is ", "has ")):
            message = rest  # the path names the field already
        error = InvalidInputError(message, field=field.name)
        note = AttributeValidationNote(
            f"Structuring class {cls.__qualname__} @ attribute {field.name}",
            field.name,
            field.type,
        )
        error.__notes__ = [note]
        return error
    except Exception:
        return None
    return None


def make_converter(*, strict: bool = True, forbid_extra_keys: bool = True) -> JsonConverter:
    """Return a new converter that turns custmodel objects into JSON-ready data and back.

    Round trip: ``conv.structure(conv.unstructure(x), type(x)) == x`` for every public type.

    Args:
        strict: Take JSON's own types only: text for text, a whole number (not ``true``,
            ``1.5`` or ``"1"``) for a number, ``true``/``false`` for a flag, a list for a list.
            False converts as Python would (``int("12")``), for sources whose every cell is
            text, such as CSV files.
        forbid_extra_keys: Refuse a key that is no field of the object, rather than drop it.

    Errors: :func:`structure_input` turns whatever the converter raises into one
    :class:`~custmodel.errors.InvalidInputError` naming every field at fault.
    """
    conv = _make_json_converter(forbid_extra_keys=forbid_extra_keys)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(StatusFlags, lambda flags: list(flags))
    conv.register_structure_hook(StatusFlags, _strict_flags if strict else _lax_flags)
    conv.register_structure_hook(StatisticsKey, _structure_statistics_key)
    conv.register_unstructure_hook_func(_is_channel_set, _unstructure_channels)
    conv.register_structure_hook_factory(attrs.has, lambda cls: _attrs_hook(cls, conv))
    if strict:
        conv.register_structure_hook(str, _strict_text)
        conv.register_structure_hook(int, _strict_int)
        conv.register_structure_hook(bool, _strict_bool)
        conv.register_structure_hook_factory(_is_optional, lambda cls: _optional_hook(cls, conv))
        conv.register_structure_hook_factory(_is_array, lambda cls: _array_hook(cls, conv))
        conv.register_structure_hook_factory(_is_mapping, lambda cls: _mapping_hook(cls, conv))
    return conv


# -- input from outside: one typed error naming every path at fault ---------------------------


#: The longest key of the input a path repeats (a key is no value, but may be anything).
_LONGEST_KEY = 40


def _member(path: str, name: object) -> str:
    text = str(name)
    if text.isidentifier() and len(text) <= _LONGEST_KEY:
        return f"{path}.{text}"
    return _index(path, text)


def _index(path: str, index: object) -> str:
    if isinstance(index, str) and len(index) > _LONGEST_KEY:
        index = index[:_LONGEST_KEY] + "..."
    return f"{path}[{index!r}]"


def _problems(error: BaseException, path: str) -> Iterator[tuple[str, str]]:
    """Every problem within ``error`` as (path, what is wrong), never repeating a value."""
    if isinstance(error, ClassValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            yield from _problems(inner, _member(path, note.name))
        for inner in without:
            yield from _problems(inner, path)
    elif isinstance(error, IterableValidationError):
        with_items, rest = error.group_exceptions()
        for inner, item in with_items:
            yield from _problems(inner, _index(path, item.index))
        for inner in rest:
            yield from _problems(inner, path)
    elif isinstance(error, ForbiddenExtraKeysError):
        for name in sorted(error.extra_fields):
            yield _member(path, name), "unknown field"
    elif isinstance(error, CustmodelError):
        # custmodel's messages name fields and numbers, never a value a person typed.
        yield path, str(error)
    elif isinstance(error, KeyError):
        yield path, "required field missing"
    else:
        # Python's and cattrs' own messages may repeat the value: only the path is told.
        yield path, "not a valid value"


def structure_input(data: object, cls: type[T], converter: JsonConverter | None = None) -> T:
    """Return ``data``, JSON data from outside (a parsed request body), as a ``cls``.

    ``cls`` is one of :data:`INPUT_TYPES` (:class:`~custmodel.NewCustomer`,
    :class:`~custmodel.Booking`, :class:`~custmodel.Selection`, :class:`~custmodel.Settings`
    ...) or any other custmodel type, or a list of them (``list[NewCustomer]``). The data must
    use JSON's own types (see :func:`make_converter`'s ``strict``): money as text (``"12.50"``),
    dates as ``"2027-05-01"``, enums as their values.

    Raises:
        InvalidInputError: naming the path of every field at fault, in the order of the
            fields: ``$.channel.name: must not be empty; $.colour: unknown field``. A path
            starts at ``$`` (``data`` itself), ``.name`` goes into an object's field and
            ``[2]`` into a list's item (``['3']`` into an object used as a mapping). The
            message says what was expected, never the value given; ``problems`` holds the
            pairs of path and problem. Nothing else escapes: no cattrs error group, no
            ``KeyError`` or ``TypeError``.
    """
    conv = converter or make_converter()
    try:
        return conv.structure(data, cls)
    except StructureHandlerNotFoundError:
        raise  # ``cls`` is no type custmodel structures: a mistake in the program, not the data
    except Exception as error:
        raise _input_error(error) from None


def _input_error(error: BaseException) -> InvalidInputError:
    problems = tuple(dict.fromkeys(_problems(error, "$")))
    message = "; ".join(f"{path}: {what}" for path, what in problems)
    return InvalidInputError(message, problems=problems)


def dumps(obj: object, converter: JsonConverter | None = None) -> str:
    """Serialize a custmodel object to JSON text."""
    conv = converter or make_converter()
    return json.dumps(conv.unstructure(obj), ensure_ascii=False, sort_keys=True)


def loads(text: str | bytes, cls: type[T], converter: JsonConverter | None = None) -> T:
    """Read an object of type ``cls`` from JSON text written by :func:`dumps`.

    Raises:
        InvalidInputError: the text is no JSON, or the data no ``cls``; as
            :func:`structure_input` raises it.
    """
    try:
        data = json.loads(text)
    except UnicodeDecodeError:
        raise InvalidInputError("not JSON: the bytes are not UTF-8") from None
    except json.JSONDecodeError as error:
        # Where it stopped, not what it read there.
        raise InvalidInputError(f"not JSON (line {error.lineno}, column {error.colno})") from None
    except ValueError:  # Python's own limit: a number of more than 4,300 digits
        raise InvalidInputError("not JSON that custmodel reads: a number is too long") from None
    except RecursionError:
        raise InvalidInputError("not JSON that custmodel reads: nested too deeply") from None
    return structure_input(data, cls, converter)


#: The ``format`` of the access report's JSON document (GDPR Art. 20 portability).
ACCESS_REPORT_FORMAT = "custmodel.access-report"
#: The version of its published structure; a change that breaks readers raises it.
ACCESS_REPORT_VERSION = 1
#: The JSON Schema (draft 2020-12) of that version, shipped in the package.
ACCESS_REPORT_SCHEMA = "schemas/access-report-v1.json"


def access_report_schema() -> dict[str, Any]:
    """Return the JSON Schema of the access report's document (version 1), as shipped."""
    text = resources.files("custmodel").joinpath(ACCESS_REPORT_SCHEMA).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def access_report_json(
    report: AccessReport, converter: JsonConverter | None = None
) -> dict[str, Any]:
    """Return ``report`` as the published, versioned JSON document (GDPR Art. 20).

    The keys come in a stable order: ``format``, ``version``, ``generated_at``, ``customer``
    (``record``: every stored field; ``classification``: kind, type, category, flags and codes
    under the labels of the kind), ``bookings``, ``merges`` (the duplicates merged into the
    customer), ``requests`` (every kind, with ``answer_by``), ``marketing_choices`` and
    ``host_data`` (rows per registered host reference). ``access_report_schema()`` describes
    it; ``json.dumps`` writes it.
    """
    conv = converter or make_converter()
    document = {
        "format": ACCESS_REPORT_FORMAT,
        "version": ACCESS_REPORT_VERSION,
        "generated_at": report.generated_at.isoformat(),
        "customer": {
            "record": conv.unstructure(report.customer),
            "classification": conv.unstructure(report.profile),
        },
        "bookings": conv.unstructure(list(report.bookings)),
        "merges": [
            {
                "id": m.id,
                "merged_at": m.merged_at.isoformat(),
                "duplicates": list(m.duplicates),
                "bookings_moved": m.bookings_moved,
                "references_moved": dict(sorted(m.references_moved.items())),
                "actor": m.actor,
            }
            for m in report.merges
        ],
        "requests": [
            {
                "id": r.id,
                "kind": r.kind.value,
                "received_on": r.received_on.isoformat(),
                "answer_by": rules.answer_by(r.received_on).isoformat(),
                "recorded_at": r.recorded_at.isoformat(),
                "completed_at": None if r.completed_at is None else r.completed_at.isoformat(),
            }
            for r in report.requests
        ],
        "marketing_choices": [
            {
                "id": c.id,
                "channel": c.channel.value,
                "choice": c.choice.value,
                "given_on": c.given_on.isoformat(),
                "recorded_at": c.recorded_at.isoformat(),
                "source": c.source,
                "note": c.note,
            }
            for c in report.marketing_choices
        ],
        "host_data": dict(sorted(report.host_data.items())),
    }
    # Through JSON once, so enums are their values and the result is plain JSON data.
    plain: dict[str, Any] = json.loads(json.dumps(document, ensure_ascii=False))
    return plain


def history_entry_json(
    entry: HistoryEntry, converter: JsonConverter | None = None
) -> dict[str, Any]:
    """Return ``entry`` of the change history as plain JSON data, its keys in field order.

    ``id``, ``at`` (ISO 8601, UTC), ``action`` (its value), ``customer`` (null for the book's
    own entries), ``actor``, ``changes`` (``field``, ``old``, ``new``; both values null for a
    personal field anonymization erased), ``operation``, ``count``, ``selection`` (a bulk
    run's filters, as :class:`~custmodel.Selection` serializes), ``flag``, ``reference``,
    ``related`` and ``erased_at``. It reads back with
    ``make_converter().structure(data, HistoryEntry)``.

    Example:
        >>> from datetime import datetime, timezone
        >>> from custmodel import FieldChange, HistoryEntry
        >>> entry = HistoryEntry(id=7, at=datetime(2026, 12, 1, tzinfo=timezone.utc),
        ...                      action="updated", customer=3, actor="anna",
        ...                      changes=[FieldChange("category", "A", "B")])
        >>> data = history_entry_json(entry)
        >>> data["action"], data["changes"]
        ('updated', [{'field': 'category', 'old': 'A', 'new': 'B'}])
    """
    conv = converter or make_converter()
    # Through JSON once, so the action is its value and the result is plain JSON data.
    data: dict[str, Any] = json.loads(json.dumps(conv.unstructure(entry), ensure_ascii=False))
    return data


#: The ``format`` of the settings document: everything a store's settings hold.
SETTINGS_FORMAT = "custmodel.settings"
#: The version of its structure; a change that breaks readers raises it.
SETTINGS_VERSION = 1
_SETTINGS_KEYS = ("format", "version", "settings")


def settings_document(settings: Settings, converter: JsonConverter | None = None) -> dict[str, Any]:
    """Return ``settings`` as a versioned JSON document, to set up another store from it.

    The document is ``{"format": "custmodel.settings", "version": 1, "settings": {...}}``;
    ``settings`` holds every field of :class:`~custmodel.Settings`: debtor base,
    anonymization delay and, per kind, categories, status labels, Code1/Code2 labels, debtor
    offset and range, template customer, dunning fee, deposit prompt, renumbering and
    retention rules. :func:`read_settings_document` reads it back.

    Example:
        >>> from custmodel import Settings
        >>> document = settings_document(Settings())
        >>> document["format"], document["version"], document["settings"].get("debtor_base")
        ('custmodel.settings', 1, 10000)
        >>> read_settings_document(document) == Settings()
        True
    """
    conv = converter or make_converter()
    document = {
        "format": SETTINGS_FORMAT,
        "version": SETTINGS_VERSION,
        "settings": conv.unstructure(settings),
    }
    # Through JSON once, so kinds and flag numbers are the keys JSON has: plain JSON data.
    plain: dict[str, Any] = json.loads(json.dumps(document, ensure_ascii=False))
    return plain


def read_settings_document(data: object, converter: JsonConverter | None = None) -> Settings:
    """Return the :class:`~custmodel.Settings` a document of :func:`settings_document` holds.

    Everything is checked before anything is returned: the format and version, every value
    (as :class:`~custmodel.Settings` checks it) and that no key is unknown.

    Raises:
        InvalidSettingsError: naming each wrong field by its path from the document's root,
            as :func:`structure_input` does
            (``$.settings.kinds['private'].debtor_offset: expected a whole number``).
    """
    if not isinstance(data, dict):
        raise InvalidSettingsError("$: a settings document is a JSON object")
    unknown = [key for key in data if key not in _SETTINGS_KEYS]
    if unknown:
        raise InvalidSettingsError(
            "; ".join(f"$.{str(key)[:40]}: unknown field" for key in unknown)
        )
    if data.get("format") != SETTINGS_FORMAT:
        raise InvalidSettingsError(f"$.format: a settings document says {SETTINGS_FORMAT!r}")
    if data.get("version") != SETTINGS_VERSION:
        raise InvalidSettingsError(
            f"$.version: this custmodel reads version {SETTINGS_VERSION} of the settings document"
        )
    if not isinstance(data.get("settings"), dict):
        raise InvalidSettingsError("$.settings: required, a JSON object")
    try:
        return structure_input(data["settings"], Settings, converter)
    except InvalidInputError as error:
        # Paths from the document's root, as the reader of the file sees them.
        problems = tuple((f"$.settings{path[1:]}", what) for path, what in error.problems)
        raise InvalidSettingsError(
            "; ".join(f"{path}: {what}" for path, what in problems), problems=problems
        ) from None
