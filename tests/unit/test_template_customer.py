"""R5: the template customer (Stammkunde) lends its commission and fee rules to its kind."""

from __future__ import annotations

import pytest

from custmodel import (
    CustomerBook,
    CustomerKind,
    EffectiveRules,
    KindSettings,
    MergeRefusedError,
    RuleOrigin,
    RuleSource,
    Settings,
    TemplateCustomerError,
)
from tests.booksupport import make_book, snapshot


def _book_with_template(
    commission: str | None = "PROV-T", fee: str | None = "FEE-T"
) -> tuple[CustomerBook, int]:
    book = make_book()
    template = book.register(
        CustomerKind.PRIVATE, "Stammkunde", commission_scheme=commission, fee_schedule=fee
    ).number
    book.update_kind_settings(CustomerKind.PRIVATE, template_customer=template)
    return book, template


def test_customer_without_own_rules_inherits_both_from_the_template() -> None:
    """Gelten für alle anderen Kunden dieser Kundenart die gleichen Bedingungen."""
    book, template = _book_with_template()
    number = book.register(CustomerKind.PRIVATE, "Kunde").number

    expected = EffectiveRules(
        customer=number,
        commission_scheme=RuleSource("PROV-T", RuleOrigin.TEMPLATE, template),
        fee_schedule=RuleSource("FEE-T", RuleOrigin.TEMPLATE, template),
    )
    assert expected == book.effective_rules(number)


def test_own_commission_scheme_wins_over_the_template() -> None:
    """Own rules make the template's be ignored."""
    book, _ = _book_with_template()
    number = book.register(CustomerKind.PRIVATE, "Kunde", commission_scheme="PROV-A").number

    assert RuleSource("PROV-A", RuleOrigin.OWN) == book.effective_rules(number).commission_scheme


def test_commission_and_fee_fall_back_independently() -> None:
    """Own commission scheme, but the fee schedule still comes from the template."""
    book, template = _book_with_template()
    number = book.register(CustomerKind.PRIVATE, "Kunde", commission_scheme="PROV-A").number

    assert RuleSource("FEE-T", RuleOrigin.TEMPLATE, template) == (
        book.effective_rules(number).fee_schedule
    )


def test_own_fee_schedule_wins_while_commission_is_inherited() -> None:
    """The other way round: own fee schedule, inherited commission scheme."""
    book, template = _book_with_template()
    number = book.register(CustomerKind.PRIVATE, "Kunde", fee_schedule="FEE-A").number

    rules = book.effective_rules(number)

    assert (
        RuleSource("PROV-T", RuleOrigin.TEMPLATE, template),
        RuleSource("FEE-A", RuleOrigin.OWN),
    ) == (rules.commission_scheme, rules.fee_schedule)


def test_without_template_and_own_rules_there_are_none() -> None:
    """No own rules and no template: none."""
    book = make_book()
    number = book.register(CustomerKind.PRIVATE, "Kunde").number

    none = RuleSource(None, RuleOrigin.NONE)
    assert EffectiveRules(number, none, none) == book.effective_rules(number)


def test_template_without_a_fee_schedule_lends_none() -> None:
    """A template that has no fee schedule leaves the fee at none."""
    book, _ = _book_with_template(fee=None)
    number = book.register(CustomerKind.PRIVATE, "Kunde").number

    assert RuleSource(None, RuleOrigin.NONE) == book.effective_rules(number).fee_schedule


def test_template_applies_only_to_its_own_kind() -> None:
    """The private template does not lend rules to corporate customers."""
    book, _ = _book_with_template()
    number = book.register(CustomerKind.CORPORATE, "Firma").number

    none = RuleSource(None, RuleOrigin.NONE)
    assert EffectiveRules(number, none, none) == book.effective_rules(number)


def test_rule_source_says_where_a_rule_comes_from() -> None:
    """The source reads as own / template N / none."""
    sources = [
        RuleSource("PROV-A", RuleOrigin.OWN),
        RuleSource("PROV-T", RuleOrigin.TEMPLATE, 7),
        RuleSource(None, RuleOrigin.NONE),
    ]

    assert ["PROV-A (own)", "PROV-T (template 7)", "none"] == [str(s) for s in sources]


def test_unknown_template_customer_is_refused() -> None:
    """The template customer must exist."""
    book = make_book()

    with pytest.raises(TemplateCustomerError):
        book.update_kind_settings(CustomerKind.PRIVATE, template_customer=99)


def test_template_customer_of_another_kind_is_refused() -> None:
    """The template customer must be of the kind it serves."""
    book = make_book()
    firm = book.register(CustomerKind.CORPORATE, "Firma").number

    with pytest.raises(TemplateCustomerError):
        book.update_kind_settings(CustomerKind.PRIVATE, template_customer=firm)


def test_merged_template_customer_is_refused() -> None:
    """The template customer must be active, not a merged duplicate."""
    book = make_book()
    master = book.register(CustomerKind.PRIVATE, "Test").number
    duplicate = book.register(CustomerKind.PRIVATE, "Test").number
    book.merge(master, [duplicate])

    with pytest.raises(TemplateCustomerError):
        book.configure(
            Settings().with_kind(CustomerKind.PRIVATE, KindSettings(template_customer=duplicate))
        )


def test_refused_template_setting_changes_nothing() -> None:
    """A refused template customer leaves the settings as they were."""
    book = make_book()
    firm = book.register(CustomerKind.CORPORATE, "Firma").number
    before = snapshot(book)

    with pytest.raises(TemplateCustomerError):
        book.update_kind_settings(CustomerKind.PRIVATE, template_customer=firm)

    assert before == snapshot(book)


def test_template_setting_follows_a_merge_to_the_master() -> None:
    """A template customer merged into a master of its kind hands the role to the master."""
    book, template = _book_with_template()
    master = book.register(CustomerKind.PRIVATE, "Stammkunde").number

    book.merge(master, [template])

    assert master == book.settings.kind(CustomerKind.PRIVATE).template_customer


def test_merge_plan_names_the_kinds_whose_template_moves() -> None:
    """The plan says which kinds' template setting would follow to the master."""
    book, template = _book_with_template()
    master = book.register(CustomerKind.PRIVATE, "Stammkunde").number

    assert (CustomerKind.PRIVATE,) == book.plan_merge(master, [template]).templates


def test_customers_inherit_from_the_master_after_the_template_merged() -> None:
    """After the merge, customers without own rules get the master's rules."""
    book, template = _book_with_template()
    master = book.register(CustomerKind.PRIVATE, "Stammkunde", commission_scheme="PROV-M").number
    number = book.register(CustomerKind.PRIVATE, "Kunde").number

    book.merge(master, [template])

    assert RuleSource("PROV-M", RuleOrigin.TEMPLATE, master) == (
        book.effective_rules(number).commission_scheme
    )


def test_merging_the_template_into_a_master_of_another_kind_is_refused() -> None:
    """The setting cannot follow to a master of another kind, so the merge is refused."""
    book, template = _book_with_template()
    master = book.register(CustomerKind.CORPORATE, "Firma").number

    with pytest.raises(MergeRefusedError):
        book.merge(master, [template])


def test_refused_template_merge_changes_nothing() -> None:
    """The refused merge leaves customers, bookings and settings as they were."""
    book, template = _book_with_template()
    master = book.register(CustomerKind.CORPORATE, "Firma").number
    before = snapshot(book)

    with pytest.raises(MergeRefusedError):
        book.merge(master, [template])

    assert before == snapshot(book)


def test_template_customer_cannot_change_kind() -> None:
    """A kind change would leave its kind with an unfit template, so it is refused."""
    book, template = _book_with_template()

    with pytest.raises(TemplateCustomerError):
        book.change_kind(template, CustomerKind.CORPORATE)
