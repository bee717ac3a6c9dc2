"""What the parts of :class:`custmodel.CustomerBook` kept in modules of their own build on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from custmodel.storage.ports import StoreTransaction

if TYPE_CHECKING:
    from custmodel._usecases.history import Journal

__all__ = ["BookPart"]

T = TypeVar("T")


class BookPart:
    """A part of the facade: :class:`~custmodel.CustomerBook` inherits it and provides these."""

    if TYPE_CHECKING:
        #: Who the book's changes are recorded for, and whether they are.
        _journal: Journal

        def _run(self, operation: Callable[[StoreTransaction], T], *, write: bool = True) -> T: ...

        def _now(self) -> datetime: ...

        def _today(self, today: date | None) -> date: ...
