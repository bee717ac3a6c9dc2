"""The change history methods of :class:`custmodel.CustomerBook`: reading what was changed.

A part of the facade kept in a module of its own; :class:`~custmodel.CustomerBook` inherits
it, and every method delegates to a use case as the rest of the book does.
"""

from __future__ import annotations

from collections.abc import Iterator

from custmodel._book_part import BookPart
from custmodel._usecases import _common, history
from custmodel._usecases.reading import resolve
from custmodel.errors import InvalidInputError
from custmodel.model._history import HistoryEntry, HistoryQuery
from custmodel.storage.ports import StoreTransaction

__all__ = ["HistoryMethods"]


def _limit(value: int | None) -> int | None:
    """``value`` if it is a page size (1 to 2**63 - 1) or None."""
    return None if value is None else _common.number(value, "limit")


def _after(value: int) -> int:
    """``value`` if it is an entry id to read after (0 for the first page)."""
    if value == 0 and not isinstance(value, bool) and isinstance(value, int):
        return 0
    try:
        return _common.number(value, "after")
    except InvalidInputError:
        raise InvalidInputError(
            "after is the id of the last entry read: a whole number from 0 to 2**63 - 1"
        ) from None


class HistoryMethods(BookPart):
    """The change history; see :class:`custmodel.CustomerBook`."""

    def history(
        self, number: int, *, after: int = 0, limit: int | None = None
    ) -> list[HistoryEntry]:
        """Return the change history of customer ``number``, oldest entry first.

        A merged duplicate's number gives its master's history, which holds the histories of
        every customer merged into it: each entry names the customer it changed. Read page
        by page with ``after`` (the last id read) and ``limit``.

        Raises:
            CustomerNotFoundError: no customer has that number.
        """
        _common.number(number)
        query = HistoryQuery(after=_after(after), limit=_limit(limit))

        def read(tx: StoreTransaction) -> list[HistoryEntry]:
            master = resolve(tx, number).number
            return tx.history(
                HistoryQuery(customers=[master], after=query.after, limit=query.limit)
            )

        return self._run(read, write=False)

    def settings_history(self, *, after: int = 0, limit: int | None = None) -> list[HistoryEntry]:
        """Return the book's own history, oldest first: changes of the settings and of status
        labels, and the summary of every "Status setzen" run (its selection, flag and count).
        """
        query = HistoryQuery(book=True, after=_after(after), limit=_limit(limit))
        return self._run(lambda tx: tx.history(query), write=False)

    def iter_history(
        self, number: int | None = None, *, batch_size: int = 1000
    ) -> Iterator[HistoryEntry]:
        """Yield every entry of the history (with ``number``, that customer's), oldest first.

        Reads ``batch_size`` entries per transaction, so an export of the whole history keeps
        memory flat; entries written while it runs may or may not be yielded.
        """
        size = _common.batch_size(batch_size)
        customers = None
        if number is not None:
            _common.number(number)
            customers = [self._run(lambda tx: resolve(tx, number).number, write=False)]
        return history.history_pages(self._run, HistoryQuery(customers=customers), size)
