"""Frozen model objects put together from values already checked, by generated code.

A frozen attrs class refuses attribute stores, so code that builds one of its objects without
its ``__init__`` (a row read back, a copy with one field changed) calls each slot's descriptor,
about 40 ns a field. An object of a private twin of the class, with the same memory layout and
``object``'s ``__setattr__`` and ``__delattr__``, takes the same slots by plain attribute
stores, which the interpreter writes straight into the slot (about 5 ns), and becomes an
object of the class when its ``__class__`` is assigned (about 70 ns): Python allows that
between classes of one base that add the same slots. Both methods must be ``object``'s: with
an inherited ``__delattr__`` of attrs', every store of the twin goes through Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["assembler", "assembly"]


#: The twin of each class assembled so far, None where it has none.
_TWINS: dict[type[Any], type[Any] | None] = {}


def _twin(cls: type[Any]) -> type[Any] | None:
    """Return a class of ``cls``'s memory layout whose attributes are set plainly, or None
    where the interpreter refuses to turn one of its objects into a ``cls``.

    CPython refuses for a class that adds a ``__weakref__`` slot of its own, as an attrs class
    with slots on ``object`` does (``HistoryEntry``): its layouts check finds the weak
    reference after the other slots. ``Customer`` gets its ``__weakref__`` from its base, and
    has a twin.
    """
    if cls in _TWINS:
        return _TWINS[cls]
    made = type(
        f"_Unfinished{cls.__name__}",
        cls.__bases__,
        {
            "__slots__": vars(cls)["__slots__"],
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": __name__,
            "__doc__": f"A {cls.__name__} being built by generated code; never seen outside it.",
        },
    )
    twin: type[Any] | None = made
    try:
        probe: Any = object.__new__(made)
        probe.__class__ = cls
    except TypeError:
        twin = None
    _TWINS[cls] = twin
    return twin


def assembly(
    cls: type[Any], values: dict[str, str], target: str = "c"
) -> tuple[list[str], dict[str, Any]]:
    """Return the statements that make ``target`` a new ``cls`` holding ``values``, without
    validating them, and the names those statements use.

    For code generated one line per field (the rows readers, the copiers of the model):
    ``cls`` is a frozen attrs class with slots, and ``values`` maps every field of it to the
    Python expression of its value, evaluated in that order. The caller vouches for the values:
    each is one the model accepts for its field. The statements fill an object of the class's
    twin and then make it a ``cls``, a third of the time of setting each slot through its
    descriptor, which is what they do for a class without a twin.

    Raises:
        TypeError: ``values`` does not name every field of ``cls``, each once.
    """
    names = [f.name for f in attrs.fields(cls)]
    if sorted(values) != sorted(names):
        raise TypeError(f"a {cls.__name__} is assembled from a value for each of its fields")
    namespace: dict[str, Any] = {"_new": object.__new__, "_Class": cls}
    twin = _twin(cls)
    if twin is not None:
        namespace["_Twin"] = twin
        lines = [f"{target} = _new(_Twin)"]
        lines += [f"{target}.{name} = {value}" for name, value in values.items()]
        lines.append(f"{target}.__class__ = _Class")
        return lines, namespace
    lines = [f"{target} = _new(_Class)"]
    for name, value in values.items():
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
        lines.append(f"_set_{name}({target}, {value})")
    return lines, namespace


def assembler(
    cls: type[Any], parameters: str, values: dict[str, str], names: dict[str, Any] | None = None
) -> Callable[..., Any]:
    """Return a function of ``parameters`` that returns a new ``cls`` holding ``values``, put
    together by :func:`assembly` (see there for ``values``); ``names`` are further names the
    value expressions use. The copiers of the model are made by it, once each."""
    building, namespace = assembly(cls, values, "_made")
    namespace.update(names or {})
    body = [f"    {line}" for line in building]
    source = "\n".join([f"def _assembled({parameters}):", *body, "    return _made"])
    exec(compile(source, f"<custmodel {cls.__name__} assembly>", "exec"), namespace)  # noqa: S102
    made: Callable[..., Any] = namespace["_assembled"]
    return made
