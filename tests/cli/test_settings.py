"""``custmodel settings``: show and change the settings of the book and of each kind."""

from __future__ import annotations

from decimal import Decimal

from custmodel import CustomerKind
from tests.cli.conftest import Cli, CountedCli, one_line


def test_show_prints_every_kind(cli: Cli) -> None:
    """show without --kind prints the book's settings and every kind's."""
    shown = cli.ok("settings", "show").stdout
    assert ["Kind private", "Kind corporate", "Kind travel_agency", "Kind prospect"] == [
        line.strip() for line in shown.splitlines() if line.strip().startswith("Kind ")
    ]
    assert "Debtor base" in shown


def test_show_json_of_one_kind(cli: Cli) -> None:
    """show --kind --json gives that kind's settings."""
    data = cli.json("settings", "show", "--kind", "private")
    assert (["A", "B"], {"1": "VIP", "2": "Newsletter"}, "5.00") == (
        data["categories"],
        data["status_labels"],
        data["dunning_fee"],
    )


def test_set_changes_every_per_kind_setting(cli: Cli) -> None:
    """set --kind changes code labels, debtor offset and range, fee, prompt and renumbering."""
    cli.ok(
        "settings set --kind travel_agency --code1-label Kooperation --code2-label Filialsystem"
        " --debtor-offset 70000 --debtor-min 80000 --debtor-max 89999 --dunning-fee 7.50"
        " --deposit-prompt --renumber"
    )
    with cli.book() as book:
        kind = book.settings.kind(CustomerKind.TRAVEL_AGENCY)
    assert ("Kooperation", "Filialsystem", 70000, 80000, 89999, Decimal("7.50"), True, True) == (
        kind.code1_label, kind.code2_label, kind.debtor_offset, kind.debtor_min,
        kind.debtor_max, kind.dunning_fee, kind.deposit_prompt, kind.renumber_on_kind_change,
    )  # fmt: skip


def test_set_no_options_clear_range_template_and_switches(cli: Cli) -> None:
    """--no-debtor-range, --no-template, --no-deposit-prompt and --no-renumber clear them."""
    cli.ok("customer", "register", "prospect", "Vorlage")
    cli.ok("settings set --kind prospect --template 1 --debtor-min 1")
    data = cli.json(
        "settings set --kind prospect --no-template --no-debtor-range --no-deposit-prompt"
        " --no-renumber"
    )
    assert (None, None, False, False) == (
        data["template_customer"],
        data["debtor_min"],
        data["deposit_prompt"],
        data["renumber_on_kind_change"],
    )


def test_set_book_wide_settings(cli: Cli) -> None:
    """--debtor-base and --anonymization-delay change the book's settings."""
    data = cli.json("settings set --debtor-base 20000 --anonymization-delay 30")
    assert (20000, 30) == (data["debtor_base"], data["anonymization_delay_days"])
    assert "debtor account 20001." in cli.ok("customer", "register", "private", "X").stdout


def test_set_book_wide_and_kind_settings_together(cli: Cli) -> None:
    """A book-wide and a kind setting in one call are both stored."""
    cli.ok("settings set --debtor-base 20000 --kind private --dunning-fee 1")
    with cli.book() as book:
        settings = book.settings
    assert (20000, Decimal("1.00")) == (
        settings.debtor_base,
        settings.kind(CustomerKind.PRIVATE).dunning_fee,
    )


def test_set_per_kind_option_without_kind_is_a_usage_error(cli: Cli) -> None:
    """A per-kind option without --kind exits with 2 and names --kind."""
    result = cli("settings", "set", "--dunning-fee", "5.00")
    assert (2, True) == (result.exit_code, "--kind" in one_line(result.stderr))


def test_set_without_any_setting_is_a_usage_error(cli: Cli) -> None:
    """set with nothing to change exits with 2."""
    assert 2 == cli("settings", "set", "--kind", "private").exit_code


def test_set_a_template_of_another_kind_is_refused(cli: Cli) -> None:
    """A template customer of another kind is a bad value: exit 2, nothing stored."""
    cli.ok("customer", "register", "private", "Müller")
    result = cli("settings", "set", "--kind", "corporate", "--template", "1")
    assert 2 == result.exit_code
    with cli.book() as book:
        assert None is book.settings.kind(CustomerKind.CORPORATE).template_customer


def test_categories_replace_the_list(cli: Cli) -> None:
    """categories sets the kind's list; given none, it empties it."""
    assert "Categories of private: A, B, C." == (
        cli.ok("settings", "categories", "private", "A", "B", "C").stdout.strip()
    )
    assert [] == cli.json("settings", "categories", "corporate")


def test_a_refused_category_change_names_the_category_by_position(cli: Cli) -> None:
    """The refusal counts and numbers the categories; it never repeats a category's name."""
    cli.ok("settings", "categories", "private", "A", "Mxyzptlk", "B")
    cli.ok("customer register private Müller --category Mxyzptlk")

    result = cli("settings", "categories", "private", "A")

    assert (
        "error: category 2 of the 3 of kind private is carried by 1 customers; move them to "
        "another category first"
    ) == one_line(result.stderr)


def test_categories_cannot_drop_one_still_carried(cli: Cli) -> None:
    """Removing a category customers carry exits with 2 and keeps the list."""
    cli.ok("customer register private Müller --category B")
    result = cli("settings", "categories", "private", "A")
    assert (2, "carried by 1 customers" in result.stderr) == (result.exit_code, True)
    with cli.book() as book:
        assert ("A", "B") == book.settings.kind(CustomerKind.PRIVATE).categories


def test_label_rename_reports_how_many_customers_carry_the_flag(cli: Cli) -> None:
    """Renaming a label keeps the customers' flags and reports how many carry it (R2)."""
    cli.ok("customer", "register", "private", "Müller", "--flag", "2")
    cli.ok("customer", "register", "private", "Weber", "--flag", "2")
    shown = cli.ok("settings", "label", "private", "2", "Weihnachtskarte").stdout
    assert "2 customers carry flag 2; selections use the number" in shown
    assert {"kind": "private", "flag": 2, "label": "Neu", "carriers": 2} == (
        cli.json("settings", "label", "private", "2", "Neu")
    )


def test_label_delete_keeps_the_flags_on_customers(cli: Cli) -> None:
    """--delete removes the label; the flag stays on the customer."""
    cli.ok("customer", "register", "private", "Müller", "--flag", "1")
    data = cli.json("settings", "label", "private", "1", "--delete")
    with cli.book() as book:
        assert (None, 1, True) == (data["label"], data["carriers"], 1 in book.get(1).status)
        assert 1 not in book.settings.kind(CustomerKind.PRIVATE).status_labels


def test_label_needs_a_label_or_delete_but_not_both(cli: Cli) -> None:
    """Neither a label nor --delete, or both, exits with 2."""
    assert (2, 2) == (
        cli("settings", "label", "private", "1").exit_code,
        cli("settings", "label", "private", "1", "X", "--delete").exit_code,
    )


def test_label_of_flag_33_is_a_usage_error(cli: Cli) -> None:
    """A flag number outside 1..32 exits with 2."""
    assert 2 == cli("settings", "label", "private", "33", "X").exit_code


def test_set_book_wide_and_kind_settings_is_one_transaction(
    counted: CountedCli,
) -> None:
    """Book-wide and kind settings are read and written in one write transaction."""
    cli, store = counted, counted.store

    cli.ok("settings set --debtor-base 20000 --kind private --dunning-fee 1")

    assert (1, 0) == (store.calls["write transaction"], store.calls["read transaction"])


def test_a_bad_kind_setting_leaves_the_book_wide_ones_unchanged(cli: Cli) -> None:
    """A template that does not exist refuses the whole call: the debtor base stays."""
    result = cli("settings set --debtor-base 20000 --kind private --template 99")
    with cli.book() as book:
        settings = book.settings
    assert (2, 10000, None) == (
        result.exit_code,
        settings.debtor_base,
        settings.kind(CustomerKind.PRIVATE).template_customer,
    )


def test_retention_sets_and_shows_a_kinds_rules(cli: Cli) -> None:
    """settings retention KIND sets the rules given, keeps the others and shows them as JSON."""
    cli.ok("settings retention private --prospect-idle-months 24 --last-departure-years 10")
    cli.ok("settings retention private --last-departure-years 8")
    assert [
        {"basis": "prospect_idle", "period": 24},
        {"basis": "last_departure", "period": 8},
    ] == cli.json("settings retention private")


def test_retention_drops_a_rule(cli: Cli) -> None:
    """--no-prospect-idle removes that rule only."""
    cli.ok("settings retention corporate --prospect-idle-months 24 --last-departure-years 10")
    data = cli.json("settings retention corporate --no-prospect-idle")
    assert [{"basis": "last_departure", "period": 10}] == data


def test_retention_refuses_a_period_of_zero(cli: Cli) -> None:
    """A period of 0 months is refused and nothing is stored."""
    assert 0 != cli("settings retention private --prospect-idle-months 0").exit_code
    assert [] == cli.json("settings retention private")
