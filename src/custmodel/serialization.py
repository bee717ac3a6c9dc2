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
"""

from __future__ import annotations

import enum
import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, TypeVar

import cattrs
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

from custmodel import rules
from custmodel.errors import CustmodelError, InvalidInputError, InvalidSettingsError
from custmodel.model import (
    AccessReport,
    ContactChannel,
    HistoryEntry,
    Settings,
    StatisticsKey,
    StatusFlags,
)

__all__ = [
    "ACCESS_REPORT_FORMAT",
    "ACCESS_REPORT_SCHEMA",
    "ACCESS_REPORT_VERSION",
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
]

T = TypeVar("T")


def _structure_decimal(value: Any, _type: type) -> Decimal:
    if isinstance(value, float):
        raise InvalidInputError("money must be written as a string, not a float")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        # The value may be any text a person typed (a name in the wrong column): not repeated.
        raise InvalidInputError("not an amount of money") from None


def _structure_datetime(value: Any, _type: type) -> datetime:
    result = datetime.fromisoformat(value)
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


def make_converter() -> JsonConverter:
    """Return a new converter that turns custmodel objects into JSON-ready data and back.

    Round trip: ``conv.structure(conv.unstructure(x), type(x)) == x`` for every public type.
    """
    conv = _make_json_converter()
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, lambda v, _t: date.fromisoformat(v))
    conv.register_unstructure_hook(StatusFlags, lambda flags: list(flags))
    conv.register_structure_hook(StatusFlags, lambda v, _t: StatusFlags.of(int(n) for n in v))
    conv.register_structure_hook(StatisticsKey, _structure_statistics_key)
    conv.register_unstructure_hook_func(_is_channel_set, _unstructure_channels)
    return conv


def dumps(obj: object, converter: JsonConverter | None = None) -> str:
    """Serialize a custmodel object to JSON text."""
    conv = converter or make_converter()
    return json.dumps(conv.unstructure(obj), ensure_ascii=False, sort_keys=True)


def loads(text: str | bytes, cls: type[T], converter: JsonConverter | None = None) -> T:
    """Read an object of type ``cls`` from JSON text written by :func:`dumps`."""
    conv = converter or make_converter()
    return conv.structure(json.loads(text), cls)


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


def _path(where: str) -> str:
    """A cattrs path (``$.kinds['private'].debtor_offset``) as ``kinds.private.debtor_offset``."""
    dotted = re.sub(r"\[(?:'([^']*)'|(\d+))\]", lambda m: f".{m[1] or m[2]}", where)
    return "settings" + dotted.removeprefix("$")


def _settings_problem(error: BaseException, _type: type | None) -> str:
    # Settings hold no personal data, but a wrong value is still not repeated: the path says
    # where it is.
    if isinstance(error, CustmodelError):
        return str(error)
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(_type, type) and issubclass(_type, enum.Enum):
        return f"must be one of: {', '.join(str(member.value) for member in _type)}"
    return "not a valid value" + (
        f" (expected {_type.__name__})" if isinstance(_type, type) else ""
    )


def _unknown_keys(given: object, known: object, where: str) -> list[str]:
    """The paths of keys in ``given`` that reading left out of ``known`` (its re-written form)."""
    if isinstance(given, dict) and isinstance(known, dict):
        found = []
        for key, value in given.items():
            if key not in known:
                found.append(f"{where}.{key}")
            else:
                found += _unknown_keys(value, known[key], f"{where}.{key}")
        return found
    if isinstance(given, list) and isinstance(known, list):
        return [
            path
            for index, (item, back) in enumerate(zip(given, known, strict=False))
            for path in _unknown_keys(item, back, f"{where}.{index}")
        ]
    return []


def read_settings_document(data: object, converter: JsonConverter | None = None) -> Settings:
    """Return the :class:`~custmodel.Settings` a document of :func:`settings_document` holds.

    Everything is checked before anything is returned: the format and version, every value
    (as :class:`~custmodel.Settings` checks it) and that no key is unknown.

    Raises:
        InvalidSettingsError: naming each wrong field by its path
            (``settings.kinds.private.debtor_offset: not a valid value``).
    """
    if not isinstance(data, dict):
        raise InvalidSettingsError("a settings document is a JSON object")
    unknown = [key for key in data if key not in _SETTINGS_KEYS]
    if unknown:
        raise InvalidSettingsError(f"unknown fields: {', '.join(map(str, unknown))}")
    if data.get("format") != SETTINGS_FORMAT:
        raise InvalidSettingsError(f"format: a settings document says {SETTINGS_FORMAT!r}")
    if data.get("version") != SETTINGS_VERSION:
        raise InvalidSettingsError(
            f"version: this custmodel reads version {SETTINGS_VERSION} of the settings document"
        )
    if not isinstance(data.get("settings"), dict):
        raise InvalidSettingsError("settings: required, a JSON object")
    conv = converter or make_converter()
    try:
        settings = conv.structure(data["settings"], Settings)
    except (cattrs.BaseValidationError, CustmodelError, ValueError, TypeError) as error:
        messages = cattrs.transform_error(error, format_exception=_settings_problem)
        raise InvalidSettingsError(
            "; ".join(
                f"{_path(where)}: {what}"
                for what, _, where in (message.rpartition(" @ ") for message in messages)
            )
        ) from None
    unknown = _unknown_keys(
        data["settings"], settings_document(settings, conv)["settings"], "settings"
    )
    if unknown:
        raise InvalidSettingsError(f"unknown fields: {', '.join(unknown)}")
    return settings
