"""Where personal data could show in an error, and how a planted marker is recognised there."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["error_texts", "exception_chain", "leaked", "spellings"]


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """Every exception reachable from ``error``: its cause and context, theirs, and exceptions
    held in attributes (SQLAlchemy's ``orig``), each once."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        held = [current.__cause__, current.__context__, *vars(current).values()]
        todo.extend(item for item in held if isinstance(item, BaseException))


def error_texts(error: BaseException) -> list[str]:
    """What a traceback, a logger or an error tracker can show of ``error`` and its chain:
    messages, reprs, arguments and attributes (SQLAlchemy's ``params`` and ``statement``)."""
    return [
        text
        for each in exception_chain(error)
        for text in (str(each), repr(each), *map(repr, each.args), *map(repr, vars(each).values()))
    ]


def spellings(marker: str) -> set[str]:
    """``marker`` as typed, and escaped as ``repr``, ``ascii`` or ``unicode_escape`` show it."""
    return {
        marker,
        ascii(marker)[1:-1],
        marker.encode("unicode_escape").decode("ascii"),
        marker.lower(),
    }


def leaked(markers: Iterable[str], texts: Iterable[str]) -> set[str]:
    """The markers that show in any of ``texts``, in any spelling."""
    texts = list(texts)
    return {m for m in markers if any(s in text for s in spellings(m) for text in texts)}
