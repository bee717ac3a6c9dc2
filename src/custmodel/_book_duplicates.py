"""The duplicate methods of :class:`custmodel.CustomerBook`: find them, mark pairs that are none.

A part of the facade kept in a module of its own; :class:`~custmodel.CustomerBook` inherits
it, and every method delegates to a use case as the rest of the book does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from custmodel._book_part import BookPart
from custmodel._marks import DistinctMark, check_actor
from custmodel._usecases import _common, marks, reading
from custmodel.dedupe import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from custmodel.dedupe import DuplicateGroup

__all__ = ["DuplicateMethods"]


class DuplicateMethods(BookPart):
    """Finding duplicates and the "not a duplicate" marks; see :class:`custmodel.CustomerBook`."""

    def find_duplicates(
        self, number: int | None = None, *, threshold: float = DEFAULT_THRESHOLD
    ) -> list[DuplicateGroup]:
        """Find customers that are probably the same party, best candidates first.

        German-aware (umlauts, ß, titles, company suffixes, Kölner Phonetik); each group says
        why its customers matched and feeds :meth:`plan_merge` directly
        (``book.plan_merge(group.master, group.duplicates)``). Needs ``custmodel[dedupe]``.

        Args:
            number: Only the matches of this customer; None searches the whole store.
            threshold: The lowest pair score that counts as a match (0..1).

        Raises:
            MissingExtraError: without the ``dedupe`` extra.
        """
        if number is not None:
            _common.number(number)
        reading.threshold(threshold)
        return self._run(lambda tx: reading.find_duplicates(tx, number, threshold), write=False)

    def mark_distinct(self, first: int, second: int, *, actor: str | None = None) -> DistinctMark:
        """Mark two customers as different parties: no later duplicate search pairs them.

        The mark holds the two numbers, when, and ``actor`` (a user id; the book's actor when
        not given): no personal data. Marking a pair again keeps and returns the first mark.
        When one of them is merged into a master later, the mark moves to the master.

        Raises:
            InvalidInputError: the same number twice, or a bad actor.
            CustomerNotFoundError: a customer does not exist.
            AlreadyMergedError: a customer was merged (mark its master instead).
        """
        check_actor(actor)
        marker = self._journal.actor if actor is None else actor
        return self._run(lambda tx: marks.mark_distinct(tx, first, second, marker, self._now))

    def unmark_distinct(self, first: int, second: int) -> bool:
        """Remove the "not a duplicate" mark of two customers; return whether there was one.

        Raises:
            InvalidInputError, CustomerNotFoundError, AlreadyMergedError: as for
                :meth:`mark_distinct`.
        """
        return self._run(lambda tx: marks.unmark_distinct(tx, first, second))

    def distinct_marks(self, number: int | None = None) -> list[DistinctMark]:
        """Return the "not a duplicate" marks by pair; with ``number``, those naming it.

        Raises:
            CustomerNotFoundError: ``number`` names no customer.
        """
        if number is not None:
            _common.number(number)
        return self._run(lambda tx: marks.distinct_marks(tx, number), write=False)
