"""The host application's data: vetoes against anonymization and erasers run with it (R9)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

import pytest

from custmodel.book import CustomerBook
from custmodel.errors import InvalidInputError, NotEligibleError
from custmodel.model import Eligibility, ErasureState, ErasureSweep, HostVeto, SweepItem
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import AGENCY, SETTINGS, TODAY, _draft

__all__ = ["HostDataContract"]

#: A reason a host gives; it must show in eligibility, never in an exception's message.
REASON = "offene Reklamation 4711"


class _Calls:
    """A host's veto or eraser for the tests: answers as told and records each call."""

    def __init__(self, vetoed: Mapping[int, str] | None = None, rows: int = 2) -> None:
        self.calls: list[frozenset[int]] = []
        self.vetoed = dict(vetoed or {})
        self.rows = rows

    def veto(self, customers: frozenset[int]) -> Mapping[int, str]:
        self.calls.append(customers)
        return self.vetoed

    def erase(self, customers: frozenset[int]) -> int:
        self.calls.append(customers)
        return self.rows * len(customers)


def _failing_eraser(customers: frozenset[int]) -> int:
    """An eraser whose host fails."""
    del customers
    raise RuntimeError("the host's archive is down")


class HostDataContract(_ContractBase):
    """A host's vetoes keep customers from anonymization; its erasers run in the anonymizing
    transaction, and a failing one leaves the customer as it was."""

    __test__: ClassVar[bool] = False

    def requested_book(self, count: int = 3) -> CustomerBook:
        """Customers 1..count without bookings, each with an open erasure request."""
        book = self.book(SETTINGS)
        book.register_many(_draft(last_name=f"Kunde {n}") for n in range(1, count + 1))
        for number in range(1, count + 1):
            book.request_erasure(number, TODAY - timedelta(days=1))
        return book

    # -- the port ---------------------------------------------------------------------------

    def test_erase_host_data_lists_every_registration_with_zero_rows(self) -> None:
        """Customers the host keeps nothing of: every registration is listed with 0."""
        self.book(SETTINGS).register_many([_draft()])
        with self.store.transaction() as tx:
            assert (self.no_host_rows(), self.no_host_rows()) == (
                tx.erase_host_data([1]),
                tx.erase_host_data([]),
            )

    def test_host_vetoes_list_only_vetoed_customers_that_were_asked(self) -> None:
        """host_vetoes gives the vetoed of the customers asked, each veto once, by source."""
        self.book(SETTINGS).register_many([_draft(), _draft(), _draft()])
        self.add_host_veto("claims", _Calls({1: REASON, 3: "x", 7: "y"}).veto)
        self.add_host_veto("audit", _Calls({1: "Prüfung"}).veto)
        with self.store.transaction(write=False) as tx:
            found = tx.host_vetoes([1, 2])
            assert {} == tx.host_vetoes([])
        assert {1: (HostVeto("audit", "Prüfung"), HostVeto("claims", REASON))} == found

    # -- vetoes ------------------------------------------------------------------------------

    def test_a_host_veto_makes_a_customer_not_eligible(self) -> None:
        """A vetoed customer is not eligible, with no eligible-from day; others are."""
        book = self.requested_book(2)
        host = _Calls({1: REASON})
        self.add_host_veto("claims", host.veto)
        found = book.eligibility(1, AGENCY)
        assert (
            Eligibility(False, vetoes=(HostVeto("claims", REASON),)),
            "not eligible - vetoed by claims: " + REASON,
            Eligibility(True),
        ) == (found, found.explain(), book.eligibility(2, AGENCY))

    def test_anonymize_refuses_a_vetoed_customer_without_the_reason_in_the_message(
        self,
    ) -> None:
        """NotEligibleError names the veto's source; its reason is on the eligibility only."""
        book = self.requested_book(1)
        self.add_host_veto("claims", _Calls({1: REASON}).veto)
        eraser = _Calls()
        self.add_host_eraser("letters", eraser.erase)
        refused = self.assert_refused(NotEligibleError, lambda: book.anonymize(1, AGENCY))
        assert ((HostVeto("claims", REASON),), [], False) == (
            refused.eligibility.vetoes,
            eraser.calls,
            REASON in str(refused) or REASON in repr(refused.args),
        )
        assert "claims" in str(refused)

    def test_a_vetoed_request_is_blocked(self) -> None:
        """The erasure request of a vetoed customer is BLOCKED, with the veto in its status."""
        book = self.requested_book(2)
        host = _Calls({2: REASON})
        self.add_host_veto("claims", host.veto)
        statuses = {s.request.customer: s for s in book.erasure_requests(AGENCY)}
        assert (ErasureState.DUE, ErasureState.BLOCKED, (HostVeto("claims", REASON),)) == (
            statuses[1].state,
            statuses[2].state,
            statuses[2].eligibility.vetoes,
        )
        assert [frozenset({1, 2})] == host.calls

    def test_the_sweep_asks_the_vetoes_once_a_batch_and_spares_the_vetoed(self) -> None:
        """Each batch asks the vetoes once for its customers; vetoed ones stay as they were."""
        book = self.requested_book(3)
        host = _Calls({2: REASON})
        self.add_host_veto("claims", host.veto)
        dry = book.anonymize_due(AGENCY, dry_run=True, batch_size=2)
        before = book.get(2)
        sweep = book.anonymize_due(AGENCY, batch_size=2)
        items = (SweepItem(1, request=1), SweepItem(3, request=3))
        assert (
            ErasureSweep(True, 2, 0, 2, (1, 3), vetoed=(2,), items=items),
            ErasureSweep(False, 2, 2, 2, (1, 3), vetoed=(2,), items=items),
            before,
        ) == (dry, sweep, book.get(2))
        assert [frozenset({1, 2}), frozenset({3})] * 2 == host.calls

    def test_a_veto_whose_reason_is_no_short_text_is_refused(self) -> None:
        """An empty or overlong reason is refused, without the reason in the message."""
        book = self.requested_book(1)
        reasons = {1: "y" * 201}
        self.add_host_veto("claims", lambda customers: reasons)
        long = self.assert_refused(InvalidInputError, lambda: book.anonymize(1, AGENCY))
        reasons[1] = " "
        blank = self.assert_refused(InvalidInputError, lambda: book.eligibility(1, AGENCY))
        assert ("y" * 201 not in str(long), "reason" in str(blank)) == (True, True)

    # -- erasers -----------------------------------------------------------------------------

    def test_anonymize_erases_the_host_data_and_reports_the_rows(self) -> None:
        """The eraser gets the anonymized customer; the report lists every registration."""
        book = self.requested_book(2)
        eraser = _Calls(rows=3)
        self.add_host_eraser("letters", eraser.erase)
        report = book.anonymize(1, AGENCY)
        again = book.anonymize(1, AGENCY)
        assert ({**self.no_host_rows(), "letters": 3}, {}, [frozenset({1})]) == (
            dict(report.host_rows),
            dict(again.host_rows),
            eraser.calls,
        )

    def test_the_sweep_erases_the_host_data_of_the_anonymized(self) -> None:
        """Each batch erases the host data of the customers it anonymized, and sums the rows."""
        book = self.requested_book(3)
        eraser = _Calls(rows=1)
        self.add_host_eraser("letters", eraser.erase)
        sweep = book.anonymize_due(AGENCY, batch_size=2)
        assert ({"letters": 3}, [frozenset({1, 2}), frozenset({3})]) == (
            dict(sweep.host_rows),
            eraser.calls,
        )

    def test_a_failing_eraser_leaves_the_customer_as_it_was(self) -> None:
        """If an eraser raises, nothing is anonymized, alone or by the sweep."""
        book = self.requested_book(2)
        self.add_host_eraser("archive", _failing_eraser)
        self.assert_refused(RuntimeError, lambda: book.anonymize(1, AGENCY))
        self.assert_refused(RuntimeError, lambda: book.anonymize_due(AGENCY))

    def test_an_eraser_that_returns_no_row_count_is_refused(self) -> None:
        """An eraser must return the rows it erased; anything else refuses the anonymization."""
        book = self.requested_book(1)
        self.add_host_eraser("archive", lambda customers: -1)
        refused = self.assert_refused(InvalidInputError, lambda: book.anonymize(1, AGENCY))
        assert "archive" in str(refused)

    @pytest.mark.parametrize("name", ["", "  "])
    def test_registrations_need_a_name(self, name: str) -> None:
        """A veto or an eraser without a name is refused."""
        with pytest.raises(InvalidInputError):
            self.add_host_veto(name, _Calls().veto)
        with pytest.raises(InvalidInputError):
            self.add_host_eraser(name, _Calls().erase)
