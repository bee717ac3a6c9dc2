"""Objections and consents to advertising: the ledger, the current objections, merges,
anonymization and the selections that leave objectors out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

import attrs
import pytest

from custmodel.errors import (
    AnonymizedCustomerError,
    CustomerNotFoundError,
    InvalidInputError,
)
from custmodel.model import (
    ContactChannel,
    MarketingChoice,
    MarketingChoiceKind,
    MergeDataWritten,
    Purpose,
    RequestKind,
    Selection,
)
from custmodel.rules import current_objections
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import AGENCY, NOW, SETTINGS, TODAY, _draft, _numbers

__all__ = ["MarketingContract"]

LETTER, EMAIL = ContactChannel.LETTER, ContactChannel.EMAIL
PHONE, SMS = ContactChannel.PHONE, ContactChannel.SMS
OBJECTION, CONSENT = MarketingChoiceKind.OBJECTION, MarketingChoiceKind.CONSENT
DAY = date(2026, 11, 3)


def _entry(customer: int, channel: ContactChannel, choice: MarketingChoiceKind) -> MarketingChoice:
    return MarketingChoice(
        id=0,
        customer=customer,
        channel=channel,
        choice=choice,
        given_on=DAY,
        recorded_at=NOW,
        source="Brief vom 3.11.",
        note="Unterschrift liegt vor",
    )


class MarketingContract(_ContractBase):
    """The ledger of advertising choices and the objections derived from it agree everywhere."""

    __test__: ClassVar[bool] = False

    def assert_ledger_agrees(self, number: int) -> None:
        """The customer's objections are what its ledger says."""
        book = self.book()
        ledger = book.marketing_choices(number)
        assert current_objections(ledger) == book.get(number).advertising_objections

    # -- the port -------------------------------------------------------------------------------

    def test_add_marketing_choices_assigns_running_ids_in_order(self) -> None:
        """Entries get running ids in the order given and are read back ordered by id."""
        self.book(SETTINGS).register_many([_draft(), _draft()])
        with self.store.transaction() as tx:
            stored = tx.add_marketing_choices(
                [_entry(2, EMAIL, OBJECTION), _entry(1, LETTER, CONSENT)]
            )
            more = tx.add_marketing_choices([_entry(1, SMS, OBJECTION)])
        assert [1, 2, 3] == [c.id for c in (*stored, *more)]
        with self.store.transaction(write=False) as tx:
            assert [*stored, *more] == tx.marketing_choices([1, 2])
            assert [stored[1], more[0]] == tx.marketing_choices([1])

    def test_add_marketing_choices_refuses_an_unknown_customer(self) -> None:
        """A choice of a customer that is not stored is refused and nothing is stored."""
        self.book(SETTINGS).register_many([_draft()])

        def add() -> None:
            with self.store.transaction() as tx:
                tx.add_marketing_choices([_entry(1, EMAIL, OBJECTION), _entry(7, SMS, CONSENT)])

        self.assert_refused(CustomerNotFoundError, add)
        with self.store.transaction(write=False) as tx:
            assert [] == tx.marketing_choices([1, 7])

    def test_move_delete_and_blank_marketing_choices(self) -> None:
        """Entries move to another customer, are deleted or blanked by id, and are counted."""
        self.book(SETTINGS).register_many([_draft(), _draft(), _draft()])
        with self.store.transaction() as tx:
            first, second, third = tx.add_marketing_choices(
                [_entry(1, EMAIL, OBJECTION), _entry(2, SMS, CONSENT), _entry(2, LETTER, OBJECTION)]
            )
            assert 2 == tx.move_marketing_choices([2], 3)
            assert 1 == tx.delete_marketing_choices([second.id, 99])
            assert 2 == tx.blank_marketing_choices([first.id, third.id])
        with self.store.transaction(write=False) as tx:
            ledger = tx.marketing_choices([1, 2, 3])
        assert [(1, 1, ""), (3, 3, "")] == [(c.id, c.customer, c.source) for c in ledger]
        assert all(c.note == "" for c in ledger)

    def test_move_marketing_choices_refuses_an_unknown_target(self) -> None:
        """Moving entries to a customer that is not stored is refused."""
        self.book(SETTINGS).register_many([_draft()])
        with pytest.raises(CustomerNotFoundError), self.store.transaction() as tx:
            tx.move_marketing_choices([1], 5)

    # -- recording ------------------------------------------------------------------------------

    def test_an_objection_sets_the_customers_objections_and_its_ledger(self) -> None:
        """Objecting by e-mail and letter records two entries and both channels on the customer."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        recorded = book.object_to_advertising(
            1, [EMAIL, LETTER], given_on=DAY, source="Webformular", note="Ticket 12"
        )
        assert [LETTER, EMAIL] == [c.channel for c in recorded.choices]
        assert frozenset({LETTER, EMAIL}) == recorded.customer.advertising_objections
        assert frozenset({LETTER, EMAIL}) == book.get(1).advertising_objections
        assert list(recorded.choices) == book.marketing_choices(1)
        assert frozenset() == book.get(2).advertising_objections
        self.assert_ledger_agrees(1)

    def test_an_objection_is_listed_as_an_answered_objection_request(self) -> None:
        """Recording an objection records an objection request, answered at once; a consent
        records none."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        number = 1
        book.record_marketing_choice(number, LETTER, CONSENT, given_on=DAY, source="Formular")
        book.object_to_advertising(number, EMAIL, given_on=DAY, source="Brief vom 3.11.")
        listed = book.requests(AGENCY, day=TODAY, include_done=True)
        assert [(RequestKind.OBJECTION, number, DAY, False)] == [
            (s.request.kind, s.request.customer, s.request.received_on, s.request.is_open)
            for s in listed
        ]

    def test_objecting_on_every_channel_is_the_default(self) -> None:
        """``object_to_advertising`` without channels objects on all four."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        book.object_to_advertising(1, given_on=DAY, source="Telefonat")
        assert frozenset(ContactChannel) == book.get(1).advertising_objections

    def test_a_later_consent_lifts_an_objection_on_its_channel_only(self) -> None:
        """Consent given after an objection lets advertising on that channel again."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        book.object_to_advertising(1, [EMAIL, SMS], given_on=DAY, source="Brief")
        book.record_marketing_choice(
            1, EMAIL, CONSENT, given_on=DAY + timedelta(days=1), source="Webformular"
        )
        assert frozenset({SMS}) == book.get(1).advertising_objections
        self.assert_ledger_agrees(1)

    def test_a_consent_given_before_the_objection_does_not_lift_it(self) -> None:
        """The day a choice was given decides, not the order it was recorded in."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        book.object_to_advertising(1, PHONE, given_on=DAY, source="Brief")
        book.record_marketing_choice(
            1, PHONE, "consent", given_on=DAY - timedelta(days=30), source="Altes Formular"
        )
        assert frozenset({PHONE}) == book.get(1).advertising_objections

    def test_a_choice_given_in_the_future_is_refused(self) -> None:
        """A choice dated after today is refused and changes nothing."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        self.assert_refused(
            InvalidInputError,
            lambda: book.object_to_advertising(
                1, given_on=TODAY + timedelta(days=1), source="Brief"
            ),
        )

    @pytest.mark.parametrize(
        ("channels", "source", "note"),
        [([], "Brief", ""), (["fax"], "Brief", ""), (EMAIL, "", ""), (EMAIL, "a\nb", "")],
    )
    def test_bad_choices_are_refused(self, channels: object, source: str, note: str) -> None:
        """No channel, an unknown one, an empty or multi-line source are refused."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        self.assert_refused(
            InvalidInputError,
            lambda: book.object_to_advertising(
                1,
                channels,  # type: ignore[arg-type]
                given_on=DAY,
                source=source,
                note=note,
            ),
        )

    def test_a_choice_for_a_merged_number_follows_to_the_master(self) -> None:
        """An objection recorded for a merged duplicate lands on its master."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        recorded = book.object_to_advertising(2, EMAIL, given_on=DAY, source="Brief")
        assert 1 == recorded.customer.number
        assert frozenset({EMAIL}) == book.get(1).advertising_objections
        assert frozenset() == book.get(2).advertising_objections

    def test_an_anonymized_customer_takes_no_choice(self) -> None:
        """Recording a choice for an anonymized customer is refused."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        book.anonymize(1, AGENCY)
        self.assert_refused(
            AnonymizedCustomerError,
            lambda: book.object_to_advertising(1, given_on=DAY, source="Brief"),
        )

    def test_update_cannot_change_the_objections(self) -> None:
        """``update`` refuses a customer whose objections differ from the stored ones."""
        book = self.book(SETTINGS)
        book.register_many([_draft()])
        book.object_to_advertising(1, EMAIL, given_on=DAY, source="Brief")
        stored = book.get(1)
        cleared = attrs.evolve(stored, advertising_objections=frozenset())
        self.assert_refused(InvalidInputError, lambda: book.update(cleared))
        renamed = book.update(attrs.evolve(stored, city="Ulm"))
        assert frozenset({EMAIL}) == renamed.advertising_objections

    # -- selections -----------------------------------------------------------------------------

    def test_a_selection_for_advertising_leaves_out_the_objectors_of_its_channel(self) -> None:
        """``Selection(advertising=EMAIL)`` leaves out who objected by e-mail, not by letter."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        book.object_to_advertising(1, EMAIL, given_on=DAY, source="Brief")
        book.object_to_advertising(2, LETTER, given_on=DAY, source="Brief")
        self.assert_selects(book, Selection(advertising=EMAIL), [2, 3])
        self.assert_selects(book, Selection(advertising=LETTER), [1, 3])
        self.assert_selects(book, Selection(advertising=SMS), [1, 2, 3])
        self.assert_selects(book, Selection(), [1, 2, 3])

    # -- merge and anonymization ----------------------------------------------------------------

    def test_an_objection_of_a_duplicate_follows_to_the_master(self) -> None:
        """The master objects wherever a party did, and its ledger says so."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        book.object_to_advertising(1, PHONE, given_on=DAY, source="Brief")
        book.object_to_advertising(2, EMAIL, given_on=DAY, source="Brief")
        book.record_marketing_choice(3, EMAIL, CONSENT, given_on=TODAY, source="Webformular")
        report = book.merge(1, [2, 3])
        assert frozenset({PHONE, EMAIL}) == report.master.advertising_objections
        assert frozenset({PHONE, EMAIL}) == book.get(1).advertising_objections
        ledger = book.marketing_choices(1)
        assert {1} == {c.customer for c in ledger}
        added = [c for c in ledger if c.source == "merge"]
        assert [(EMAIL, OBJECTION, TODAY)] == [(c.channel, c.choice, c.given_on) for c in added]
        assert frozenset() == book.get(2).advertising_objections
        self.assert_selects(book, Selection(advertising=EMAIL), [])
        self.assert_ledger_agrees(1)

    def test_anonymization_keeps_the_objection_as_numbers_and_dates(self) -> None:
        """After anonymization the customer still objects; the ledger holds no free text."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.object_to_advertising(1, [EMAIL, SMS], given_on=DAY, source="Brief", note="Akte 7")
        book.record_marketing_choice(
            1, SMS, CONSENT, given_on=DAY + timedelta(days=2), source="Formular"
        )
        book.record_marketing_choice(1, LETTER, CONSENT, given_on=DAY, source="Formular")
        book.anonymize(1, AGENCY)
        assert frozenset({EMAIL}) == book.get(1).advertising_objections
        ledger = book.marketing_choices(1)
        assert [(EMAIL, OBJECTION, DAY, "", "")] == [
            (c.channel, c.choice, c.given_on, c.source, c.note) for c in ledger
        ]
        self.assert_selects(book, Selection(advertising=EMAIL), [2])
        self.assert_ledger_agrees(1)

    def test_the_sweep_keeps_the_objection_like_anonymize(self) -> None:
        """The due sweep treats the ledger as ``anonymize`` does."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        for number in (1, 2):
            book.object_to_advertising(number, LETTER, given_on=DAY, source="Brief", note="x")
            book.record_marketing_choice(number, SMS, CONSENT, given_on=DAY, source="Formular")
            book.request_erasure(number, TODAY)
        assert 2 == book.anonymize_due(AGENCY).anonymized
        for number in (1, 2):
            assert frozenset({LETTER}) == book.get(number).advertising_objections
            ledger = book.marketing_choices(number)
            assert [(LETTER, "", "")] == [(c.channel, c.source, c.note) for c in ledger]
        assert [] == _numbers(book.select(Selection(advertising=LETTER)))

    # -- letters and data files -----------------------------------------------------------------

    def test_an_advertising_run_leaves_out_objectors_and_a_contract_run_does_not(self) -> None:
        """Advertising letters skip who objected by letter and count them; contract ones don't."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft(), _draft()])
        book.object_to_advertising(2, LETTER, given_on=DAY, source="Brief")
        book.object_to_advertising(3, EMAIL, given_on=DAY, source="Brief")
        run = book.letters(None, "{Kunde-Nummer}")
        assert 1 == run.left_out
        assert [1, 3, 4] == [letter.customer for letter in run]
        by_email = book.letters(Selection(), "{Kunde-Nummer}", channel=EMAIL)
        assert (1, [1, 2, 4]) == (by_email.left_out, [letter.customer for letter in by_email])
        contract = book.letters(None, "{Kunde-Nummer}", purpose=Purpose.CONTRACT)
        assert (0, [1, 2, 3, 4]) == (contract.left_out, [letter.customer for letter in contract])

    def test_an_advertising_data_file_leaves_out_objectors(self) -> None:
        """The data file of a campaign leaves out its channel's objectors and says how many."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        book.object_to_advertising(1, [LETTER, SMS], given_on=DAY, source="Brief")
        folder = self.request.getfixturevalue("tmp_path")
        written = book.write_merge_data(None, folder / "a.csv", fields=["Kunde-Nummer"])
        assert MergeDataWritten(2, 1) == written
        assert b"\xef\xbb\xbfKunde-Nummer\r\n2\r\n3\r\n" == (folder / "a.csv").read_bytes()
        contract = book.write_merge_data(
            None, folder / "b.csv", fields=["Kunde-Nummer"], purpose="contract"
        )
        assert MergeDataWritten(3, 0) == contract

    def test_objectors_stay_out_of_advertising_across_merge_and_anonymization(self) -> None:
        """Objection on a duplicate, merge, anonymize: the master never gets advertising."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        book.object_to_advertising(2, given_on=DAY, source="Brief", note="Akte 9")
        book.merge(1, [2])
        assert [3] == [letter.customer for letter in book.letters(None, "{Kunde-Nummer}")]
        book.anonymize(1, AGENCY)
        assert frozenset(ContactChannel) == book.get(1).advertising_objections
        self.assert_selects(book, Selection(advertising=PHONE), [3])
        run = book.letters(None, "{Kunde-Nummer}", channel=PHONE)
        assert [3] == [letter.customer for letter in run]
        assert all(c.source == c.note == "" for c in book.marketing_choices(1))
