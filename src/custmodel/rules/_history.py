"""The change history's rules: what a change records, and what anonymization leaves of it."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from custmodel.model._customer import Customer, customer_fields
from custmodel.model._flags import StatusFlags
from custmodel.model._history import FieldChange, HistoryAction, HistoryEntry, HistoryStamp
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings

__all__ = [
    "customer_changes",
    "erased_entry",
    "personal_selection",
    "settings_changes",
    "stamped_entries",
    "status_change",
    "value_text",
]

#: Fields a change of a customer records besides its own fields (number, version, updated_at
#: and created_at are bookkeeping; merged_into and anonymized_at have actions of their own but
#: are recorded as well).
_STORED_FIELDS = (
    "kind",
    "customer_type",
    "debtor_account",
    "merged_into",
    "anonymized_at",
    "advertising_objections",
)

#: The filters of a selection that hold text a person typed about a person.
_PERSONAL_FILTERS = ("name", "code1", "code2")


def value_text(value: object) -> str | None:
    """Return ``value`` as an entry shows it: None stays None, text stays text, dates and
    times in ISO format, enum members by value, sets as their sorted items joined by ", ",
    sequences in order, a small value object as ``field=value`` pairs, anything else by
    ``str``."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StatusFlags):
        return ", ".join(map(str, sorted(value)))
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(value_text(v)) for v in value))
    if isinstance(value, list | tuple):
        return ("; " if value and attrs.has(type(value[0])) else ", ").join(
            str(value_text(v)) for v in value
        )
    kind = type(value)
    if attrs.has(kind):
        return " ".join(
            f"{a.name}={value_text(getattr(value, a.name))}" for a in attrs.fields(kind)
        )
    return str(value)


def status_change(flag: int, on: bool) -> FieldChange:
    """The change of one status flag: ``status.N`` from "off" to "on", or back."""
    return FieldChange(f"status.{flag}", "off" if on else "on", "on" if on else "off")


def stamped_entries(
    numbers: Iterable[int], stamp: HistoryStamp, flag: int | None = None, on: bool = True
) -> list[HistoryEntry]:
    """The entry a bulk operation writes for each customer of ``numbers``, with ``stamp``'s
    time, actor and operation: REGISTERED, or with ``flag`` the change of that flag (set when
    ``on``, else cleared). Stores write them with the customers they insert or change."""
    if flag is None:
        return [
            HistoryEntry(
                at=stamp.at, action=HistoryAction.REGISTERED, customer=n, actor=stamp.actor
            )
            for n in numbers
        ]
    action = HistoryAction.STATUS_SET if on else HistoryAction.STATUS_CLEARED
    changes = (status_change(flag, on),)
    return [
        HistoryEntry(
            at=stamp.at,
            action=action,
            customer=n,
            actor=stamp.actor,
            changes=changes,
            operation=stamp.operation,
            flag=flag,
        )
        for n in numbers
    ]


def _fields() -> tuple[str, ...]:
    own = tuple(f.name for f in customer_fields() if f.name != "status")
    return (*_STORED_FIELDS[:3], *own, *_STORED_FIELDS[3:])


_CUSTOMER_FIELDS = _fields()


def customer_changes(before: Customer, after: Customer) -> tuple[FieldChange, ...]:
    """The fields in which ``after`` differs from ``before``, status flags one by one."""
    changes: list[FieldChange] = []
    for name in _CUSTOMER_FIELDS:
        old = value_text(getattr(before, name))
        new = value_text(getattr(after, name))
        if old != new:
            changes.append(FieldChange(name, old, new))
    for flag in sorted(set(before.status) ^ set(after.status)):
        changes.append(status_change(flag, flag in after.status))
    return tuple(changes)


def _flattened(prefix: str, value: Any) -> Iterator[tuple[str, str | None]]:
    if attrs.has(type(value)) and prefix.count(".") < 2:
        # Settings and kind settings, field by field; smaller values (a retention rule) whole.
        value = {a.name: getattr(value, a.name) for a in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        for key in sorted(value, key=lambda k: str(value_text(k))):
            yield from _flattened(f"{prefix}.{value_text(key)}" if prefix else str(key), value[key])
        return
    yield prefix, value_text(value)


def settings_changes(old: Settings, new: Settings) -> tuple[FieldChange, ...]:
    """The settings that differ, named by path (``debtor_base``,
    ``kinds.private.dunning_fee``, ``kinds.private.status_labels.7``)."""
    before = dict(_flattened("", old))
    after = dict(_flattened("", new))
    return tuple(
        FieldChange(name, before.get(name), after.get(name))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    )


def erased_entry(entry: HistoryEntry, when: datetime) -> HistoryEntry:
    """``entry`` without personal data: personal fields keep their names without values, a
    bulk run's selection loses its name and code filters. An entry without personal values is
    returned as it is."""
    changes = tuple(
        FieldChange(c.field) if c.personal and (c.old, c.new) != (None, None) else c
        for c in entry.changes
    )
    selection = entry.selection
    if selection is not None and any(getattr(selection, f) is not None for f in _PERSONAL_FILTERS):
        selection = attrs.evolve(selection, name=None, code1=None, code2=None)
    if changes == entry.changes and selection is entry.selection:
        return entry
    return attrs.evolve(entry, changes=changes, selection=selection, erased_at=when)


def personal_selection(selection: Selection) -> dict[str, str]:
    """The name and code filters of ``selection`` that are set (personal data)."""
    return {
        name: value for name in _PERSONAL_FILTERS if (value := getattr(selection, name)) is not None
    }
