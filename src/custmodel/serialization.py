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

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, TypeVar

from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

from custmodel import rules
from custmodel.errors import InvalidInputError
from custmodel.model import (
    AccessReport,
    ContactChannel,
    HistoryEntry,
    StatisticsKey,
    StatusFlags,
)

__all__ = [
    "ACCESS_REPORT_FORMAT",
    "ACCESS_REPORT_SCHEMA",
    "ACCESS_REPORT_VERSION",
    "access_report_json",
    "access_report_schema",
    "dumps",
    "history_entry_json",
    "loads",
    "make_converter",
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
