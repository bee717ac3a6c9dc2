"""Settings: per-kind settings, effective rules and the dunning fee (R5, R6)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import attrs
import pytest

from custmodel.book import CustomerBook
from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    InvalidCategoryError,
    TemplateCustomerError,
)
from custmodel.model import (
    KindSettings,
    RuleOrigin,
    RuleSource,
    Settings,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    PRIVATE,
    PROSPECT,
    SETTINGS,
    _Abort,
    _draft,
)

__all__ = ["SettingsContract"]


class SettingsContract(_ContractBase):
    """Settings are stored, changed in place and read under a lock; rules come from them."""

    __test__: ClassVar[bool] = False

    # -- settings (R5, R6) -------------------------------------------------------------------

    def test_a_store_without_settings_gives_jacks_defaults(self) -> None:
        """A new store has no stored settings and the book uses ``Settings()``."""
        with self.store.transaction(write=False) as tx:
            stored = tx.get_settings()
        assert (None, Settings()) == (stored, self.book().settings)

    def test_configured_settings_persist_for_a_new_book(self) -> None:
        """A new book over the same store, given no settings, sees the configured ones."""
        self.book().configure(SETTINGS)
        assert SETTINGS == CustomerBook(self.store).settings

    def test_a_book_without_settings_keeps_the_stored_ones(self) -> None:
        """Opening a book without settings does not overwrite the stored settings."""
        self.book(SETTINGS)
        self.book()
        assert SETTINGS == self.book().settings

    def test_configure_replaces_the_stored_settings(self) -> None:
        """Configuring again replaces the stored settings completely."""
        self.book(SETTINGS)
        replacement = Settings(debtor_base=20000, anonymization_delay_days=28)
        self.book(replacement)
        assert replacement == self.book().settings

    def test_update_kind_settings_persists(self) -> None:
        """A changed kind setting is stored; the other kinds stay."""
        self.book(SETTINGS).update_kind_settings(CORPORATE, dunning_fee=Decimal("7.50"))
        expected = SETTINGS.with_kind(
            CORPORATE, attrs.evolve(SETTINGS.kind(CORPORATE), dunning_fee=Decimal("7.50"))
        )
        assert expected == self.book().settings

    def test_every_setting_round_trips(self) -> None:
        """Settings with every field set read back equal, category order included."""
        book = self.book(SETTINGS)
        book.register(CORPORATE, "Vorlage GmbH")
        settings = Settings(
            debtor_base=100000,
            anonymization_delay_days=90,
            kinds={
                PRIVATE: KindSettings(
                    categories=("Z", "Ä", "a", "Stammkunde (alt)"),
                    status_labels={32: "Zweiunddreißig", 1: "Eins", 17: "Größe ÄÖÜ"},
                    code1_label="Kundencode",
                    code2_label="Verband",
                    debtor_offset=7,
                    debtor_min=100001,
                    debtor_max=199999,
                    dunning_fee=Decimal("12.30"),
                    deposit_prompt=True,
                    renumber_on_kind_change=True,
                ),
                CORPORATE: KindSettings(template_customer=1, dunning_fee=Decimal("0.05")),
            },
        )
        book.configure(settings)
        assert settings == self.book().settings

    def test_a_template_customer_must_exist(self) -> None:
        """Naming an unknown template customer is refused; nothing is changed."""
        book = self.book(SETTINGS)
        self.assert_refused(
            TemplateCustomerError, lambda: book.update_kind_settings(PRIVATE, template_customer=1)
        )

    def test_a_template_customer_must_be_of_the_kind(self) -> None:
        """A corporate customer cannot be the private template; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(CORPORATE, "Firma")
        self.assert_refused(
            TemplateCustomerError,
            lambda: book.configure(SETTINGS.with_kind(PRIVATE, KindSettings(template_customer=1))),
        )

    def test_a_template_customer_must_not_be_merged(self) -> None:
        """A merged duplicate cannot be a template customer; nothing is changed."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        self.assert_refused(
            TemplateCustomerError, lambda: book.update_kind_settings(PRIVATE, template_customer=2)
        )

    def test_a_category_in_use_cannot_be_removed(self) -> None:
        """Removing a category a customer carries is refused; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", category="B")
        self.assert_refused(
            InvalidCategoryError,
            lambda: book.update_kind_settings(PRIVATE, categories=("A", "C", "D")),
        )

    def test_an_unused_category_can_be_removed(self) -> None:
        """Removing a category nobody carries is stored."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins", category="B")
        book.update_kind_settings(PRIVATE, categories=("A", "B"))
        assert ("A", "B") == self.book().settings.kind(PRIVATE).categories

    # -- effective rules (R5) -----------------------------------------------------------------

    def template_book(self) -> CustomerBook:
        """Private template 1 (PROV-T, FEE-T); customers 2 (own PROV-2), 3 (nothing)."""
        book = self.book(SETTINGS)
        book.register_many(
            [
                _draft(last_name="Vorlage", commission_scheme="PROV-T", fee_schedule="FEE-T"),
                _draft(commission_scheme="PROV-2"),
                _draft(),
                _draft(CORPORATE),
            ]
        )
        book.update_kind_settings(PRIVATE, template_customer=1)
        return book

    def test_own_rules_come_first(self) -> None:
        """A customer's own commission scheme is in force, marked as own."""
        rules = self.template_book().effective_rules(2)
        assert RuleSource("PROV-2", RuleOrigin.OWN) == rules.commission_scheme

    def test_the_template_customers_rules_fill_in(self) -> None:
        """Without own rules, the template customer's apply, marked with its number."""
        rules = self.template_book().effective_rules(3)
        assert (
            RuleSource("PROV-T", RuleOrigin.TEMPLATE, 1),
            RuleSource("FEE-T", RuleOrigin.TEMPLATE, 1),
        ) == (rules.commission_scheme, rules.fee_schedule)

    def test_commission_and_fee_are_decided_independently(self) -> None:
        """An own commission scheme does not stop the template's fee schedule."""
        rules = self.template_book().effective_rules(2)
        assert RuleSource("FEE-T", RuleOrigin.TEMPLATE, 1) == rules.fee_schedule

    def test_without_template_no_rules_apply(self) -> None:
        """A kind without a template customer gives no rules to customers without own ones."""
        rules = self.template_book().effective_rules(4)
        none = RuleSource(None, RuleOrigin.NONE)
        assert (none, none) == (rules.commission_scheme, rules.fee_schedule)

    def test_effective_rules_of_a_merged_customer_raise_already_merged(self) -> None:
        """A tombstone has no rules of its own: AlreadyMergedError."""
        book = self.template_book()
        book.merge(2, [3])
        with pytest.raises(AlreadyMergedError):
            book.effective_rules(3)

    # -- dunning fee (R6) ---------------------------------------------------------------------

    def test_dunning_fields_add_the_kinds_fee_to_the_open_amount(self) -> None:
        """Fee 2.50 and open amount 1234.50 give 1.237,00 € as OP-Betrag+Mahngebühr."""
        book = self.book(SETTINGS)
        book.update_kind_settings(CORPORATE, dunning_fee=Decimal("2.50"))
        book.register(CORPORATE, "Firma")
        fields = book.dunning_fields(1, Decimal("1234.50"))
        assert (Decimal("2.50"), "2,50 €", Decimal("1237.00"), "1.237,00 €") == (
            fields["Kunde-Mahngebühr"].amount,
            fields["Kunde-Mahngebühr"].text,
            fields["OP-Betrag+Mahngebühr"].amount,
            fields["OP-Betrag+Mahngebühr"].text,
        )

    def test_the_dunning_fee_is_the_fee_of_the_customers_kind(self) -> None:
        """A private customer gets the private fee, not the corporate one."""
        book = self.book(SETTINGS)
        book.update_kind_settings(CORPORATE, dunning_fee=Decimal("2.50"))
        book.register(PRIVATE, "Privat")
        assert (
            Decimal("0.00") == book.dunning_fields(1, Decimal("10.00"))["Kunde-Mahngebühr"].amount
        )

    def test_anonymized_customers_get_no_dunning_fields(self) -> None:
        """Anonymized customers receive no letters: AnonymizedCustomerError."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.anonymize(1, AGENCY)
        with pytest.raises(AnonymizedCustomerError):
            book.dunning_fields(1, Decimal("10.00"))

    # -- settings written in place, read under a lock ------------------------------------------

    def put_each(self, *settings: Settings) -> Settings | None:
        """Put ``settings`` in order, one transaction each; return what is stored then."""
        for each in settings:
            with self.store.transaction() as tx:
                tx.put_settings(each)
        with self.store.transaction(write=False) as tx:
            return tx.get_settings()

    def test_put_settings_twice_keeps_the_second(self) -> None:
        """Settings put over stored ones read back as the second, every changed field kept."""
        second = attrs.evolve(
            SETTINGS.with_kind(
                CORPORATE,
                attrs.evolve(
                    SETTINGS.kind(CORPORATE),
                    categories=("Key account", "Neu"),
                    status_labels={5: "Messe"},
                    dunning_fee=Decimal("7.50"),
                    deposit_prompt=True,
                ),
            ),
            debtor_base=20000,
        )
        assert second == self.put_each(SETTINGS, second)

    def test_put_settings_of_the_stored_settings_changes_nothing(self) -> None:
        """Putting the settings that are stored again reads back the same settings."""
        with self.store.transaction() as tx:
            tx.put_settings(SETTINGS)
            tx.put_settings(SETTINGS)
        with self.store.transaction(write=False) as tx:
            assert SETTINGS == tx.get_settings()

    def test_put_settings_takes_back_a_kind_changed_before(self) -> None:
        """A kind changed and then put as it was before reads back as before."""
        changed = SETTINGS.with_kind(PROSPECT, KindSettings())
        assert SETTINGS == self.put_each(SETTINGS, changed, SETTINGS)

    def test_put_settings_rolled_back_keeps_the_stored_settings(self) -> None:
        """Settings put in a transaction that raised leave the stored settings as they were."""
        with self.store.transaction() as tx:
            tx.put_settings(SETTINGS)

        def put_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.put_settings(Settings(debtor_base=30000))
                raise _Abort

        with pytest.raises(_Abort):
            put_then_fail()
        with self.store.transaction(write=False) as tx:
            assert SETTINGS == tx.get_settings()

    def test_get_settings_under_a_lock_reads_the_stored_settings(self) -> None:
        """Reads with a share or an update lock give what a read without a lock gives."""
        with self.store.transaction() as tx:
            tx.put_settings(SETTINGS)
        with self.store.transaction() as tx:
            locked = (tx.get_settings(lock="share"), tx.get_settings(lock="update"))
        with self.store.transaction(write=False) as tx:
            read = (tx.get_settings(lock="share"), tx.get_settings())
        assert ((SETTINGS, SETTINGS), (SETTINGS, SETTINGS)) == (locked, read)

    def test_get_settings_under_a_lock_is_none_before_any_were_put(self) -> None:
        """A locked read of a store without settings gives None, and settings can be put."""
        with self.store.transaction() as tx:
            before = tx.get_settings(lock="update")
            tx.put_settings(SETTINGS)
        with self.store.transaction(write=False) as tx:
            assert (None, SETTINGS) == (before, tx.get_settings())

    def test_update_kind_settings_keeps_the_other_fields_and_kinds(self) -> None:
        """Changing one kind's dunning fee leaves every other setting as it was."""
        book = self.book(SETTINGS)

        book.update_kind_settings(CORPORATE, dunning_fee=Decimal("7.50"))

        expected = SETTINGS.with_kind(
            CORPORATE, attrs.evolve(SETTINGS.kind(CORPORATE), dunning_fee=Decimal("7.50"))
        )
        assert expected == self.book().settings
