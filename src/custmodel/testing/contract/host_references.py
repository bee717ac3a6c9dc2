"""Host references: what merges report for the store's registered host references (R8)."""

from __future__ import annotations

from typing import ClassVar

from custmodel.testing.contract._base import _ContractBase

__all__ = ["HostReferenceContract"]


class HostReferenceContract(_ContractBase):
    """A merge counts and moves the rows of every host reference the store registered."""

    __test__: ClassVar[bool] = False

    def test_a_merge_without_registered_references_moves_none(self) -> None:
        """Where no host row points at the duplicates, plan, report and record list each
        registered host reference (see ``host_references``) with 0, and no other."""
        report = self.merge_book().merge(1, [2])
        none = self.no_references_moved()
        assert (none, none, none) == (
            report.plan.references,
            report.references_moved,
            report.record.references_moved,
        )
