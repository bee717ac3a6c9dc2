"""``custmodel customer``: register, show, find, select, set-status, change kind and type."""

from __future__ import annotations

import pytest

from custmodel import CustomerKind, CustomerType, Selection
from tests.cli.conftest import Cli, one_line


def test_register_prints_number_and_debtor_account(cli: Cli) -> None:
    """register names the new customer's number and debtor account (base + offset + number)."""
    result = cli.ok("customer", "register", "corporate", "Reisewelt GmbH")
    assert (
        "Registered customer 1 (corporate, walk_in), debtor account 60001." == result.stdout.strip()
    )


def test_register_stores_every_field_option(cli: Cli) -> None:
    """Every field option of register ends up on the stored customer."""
    data = cli.json(
        "customer register private Müller --type regular --first-name Jürgen --salutation Herr"
        " --company ACME --street 'Königsallee 1' --postal-code 40212 --city Düsseldorf"
        " --country DE --email j@example.org --phone '+49 211 1' --birth-date 1970-05-31"
        " --code1 K-4711 --code2 X --notes Notiz --category A --flag 1 --flag 2"
        " --commission-scheme P1 --fee-schedule F1"
    )
    with cli.book() as book:
        stored = book.get(1)
    expected = (
        CustomerType.REGULAR, "Jürgen", "Herr", "ACME", "Königsallee 1", "40212", "Düsseldorf",
        "DE", "j@example.org", "+49 211 1", "1970-05-31", "K-4711", "X", "Notiz", "A",
        frozenset({1, 2}), "P1", "F1",
    )  # fmt: skip
    assert expected == (
        stored.customer_type, stored.first_name, stored.salutation, stored.company,
        stored.street, stored.postal_code, stored.city, stored.country, stored.email,
        stored.phone, stored.birth_date.isoformat() if stored.birth_date else None,
        stored.code1, stored.code2, stored.notes, stored.category, stored.status.numbers,
        stored.commission_scheme, stored.fee_schedule,
    )  # fmt: skip
    assert 1 == data["number"]


def test_register_with_a_category_outside_the_kinds_list_is_a_usage_error(cli: Cli) -> None:
    """A category the kind does not list exits with 2, one line, and registers nobody."""
    result = cli("customer register private Müller --category Z")
    assert 2 == result.exit_code
    assert one_line(result.stderr).startswith("error: ")
    with cli.book() as book:
        assert 0 == book.count(Selection(include_merged=True))


def test_register_with_a_malformed_birth_date_leaves_the_value_out(cli: Cli) -> None:
    """A bad --birth-date exits with 2 and the error line does not repeat the date."""
    result = cli("customer register private Müller --birth-date 31.05.1970")
    assert 2 == result.exit_code
    assert "31.05.1970" not in result.stderr
    assert "--birth-date" in one_line(result.stderr)


def test_show_lists_fields_with_the_kinds_labels_and_the_effective_rules(cli: Cli) -> None:
    """show labels Code1 and flags as the kind names them and gives the effective rules."""
    cli.ok("customer register private Müller --code1 K-1 --flag 1 --commission-scheme P1")
    shown = cli.ok("customer", "show", "1").stdout
    assert "Mitgliedsnummer (Code1)" in shown
    assert "1 VIP" in shown
    assert "P1 (own)" in shown


def test_show_json_holds_the_customer_and_the_template_origin_of_its_rules(cli: Cli) -> None:
    """show --json gives the customer and effective rules, here inherited from the template."""
    cli.ok("customer register corporate Vorlage --commission-scheme Staffel")
    cli.ok("customer", "register", "corporate", "Kunde")
    cli.ok("settings", "set", "--kind", "corporate", "--template", "1")
    data = cli.json("customer", "show", "2")
    assert ("Kunde", "Staffel", "template", 1) == (
        data["customer"]["last_name"],
        data["effective_rules"]["commission_scheme"]["rule"],
        data["effective_rules"]["commission_scheme"]["origin"],
        data["effective_rules"]["commission_scheme"]["template_customer"],
    )


def test_show_of_a_merged_number_points_to_its_master(cli: Cli) -> None:
    """A merged customer's show gives its tombstone and no rules, and names the master."""
    cli.ok("customer", "register", "private", "Müller")
    cli.ok("customer", "register", "private", "Mueller")
    cli.ok("merge", "apply", "1", "2", "--yes")
    data = cli.json("customer", "show", "2")
    assert (1, None) == (data["customer"]["merged_into"], data["effective_rules"])
    assert "custmodel customer show 1" in cli.ok("customer", "show", "2").stdout


def test_show_of_an_unknown_number_exits_with_1(cli: Cli) -> None:
    """An unknown customer number is one error line and exit code 1."""
    result = cli("customer", "show", "99")
    assert (1, "error: customer 99 not found") == (result.exit_code, one_line(result.stderr))


def test_find_looks_up_code1_exactly(cli: Cli) -> None:
    """find returns the customers whose Code1 is exactly the text, nothing that only contains it."""
    cli.ok("customer register private Müller --code1 K-4711")
    cli.ok("customer register private Weber --code1 K-47110")
    assert [1] == [c["number"] for c in cli.json("customer", "find", "K-4711")]


def test_find_prints_a_table_of_the_matches(cli: Cli) -> None:
    """find shows a table with the customer's name and a count."""
    cli.ok("customer register private Müller --code1 K-4711")
    shown = cli.ok("customer", "find", "K-4711").stdout
    assert "Müller" in shown
    assert "1 customer." in shown


@pytest.fixture
def populated(cli: Cli) -> Cli:
    """Four customers that differ in every selection field."""
    cli.ok(
        "customer register private Müller --first-name Anna --category A --flag 1 --flag 2"
        " --code1 C1 --code2 D1"
    )
    cli.ok("customer register private Weber --category B --flag 2 --type regular --code1 C2")
    cli.ok("customer register corporate 'Reisewelt GmbH' --category Großkunde")
    cli.ok("customer", "register", "private", "Schulz")
    return cli


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), [1, 2, 3, 4]),
        (("--kind", "corporate"), [3]),
        (("--type", "regular"), [2]),
        (("--category", "A"), [1]),
        (("--flag", "1", "--flag", "2"), [1]),
        (("--any-flag", "1", "--any-flag", "2"), [1, 2]),
        (("--code1", "C2"), [2]),
        (("--code2", "D1"), [1]),
        (("--name", "anna"), [1]),
        (("--not-anonymized", "--kind", "private"), [1, 2, 4]),
    ],
)
def test_select_filters_by_every_selection_field(
    populated: Cli, filters: tuple[str, ...], expected: list[int]
) -> None:
    """Each selection option narrows the list as the Selection field does."""
    assert expected == [c["number"] for c in populated.json("customer", "select", *filters)]


def test_select_anonymized_and_include_merged(populated: Cli) -> None:
    """--anonymized selects anonymized customers; --include-merged adds tombstones."""
    populated.ok("gdpr", "anonymize", "4", "--agency", "AG1", "--yes")
    populated.ok("merge", "apply", "1", "2", "--yes")
    anonymized = populated.json("customer", "select", "--anonymized")
    merged = populated.json("customer select --include-merged --kind private")
    assert ([4], [1, 2, 4]) == (
        [c["number"] for c in anonymized],
        [c["number"] for c in merged],
    )


def test_select_count_prints_only_the_number(populated: Cli) -> None:
    """--count prints how many customers the selection holds."""
    assert "3" == populated.ok("customer", "select", "--kind", "private", "--count").stdout.strip()
    assert {"count": 3} == populated.json("customer", "select", "--kind", "private", "--count")


def test_select_prints_a_table(populated: Cli) -> None:
    """Without --json, select prints a table with names and a count line."""
    shown = populated.ok("customer", "select", "--kind", "private").stdout
    assert ("Weber" in shown, "3 customers." in shown) == (True, True)


def test_select_with_a_flag_outside_1_to_32_is_a_usage_error(cli: Cli) -> None:
    """--flag 33 exits with 2."""
    assert 2 == cli("customer", "select", "--flag", "33").exit_code


def test_set_status_sets_a_flag_on_a_selection_and_reports_the_count(populated: Cli) -> None:
    """set-status sets the flag on every selected customer and says how many changed."""
    result = populated.ok("customer set-status 1 --kind private --category B")
    assert "Flag 1 set on 1 customer." == result.stdout.strip()
    with populated.book() as book:
        assert 1 in book.get(2).status


def test_set_status_clear_removes_the_flag(populated: Cli) -> None:
    """--clear takes the flag off; the JSON says how many changed."""
    data = populated.json("customer set-status 2 --clear --kind private")
    assert {"flag": 2, "on": False, "changed": 2} == data


def test_set_status_without_a_filter_needs_all(populated: Cli) -> None:
    """Without a filter set-status refuses (exit 2) unless --all is given."""
    refused = populated("customer", "set-status", "2")
    assert 2 == refused.exit_code
    assert "--all" in refused.stderr
    result = populated.ok("customer", "set-status", "2", "--all", "--kind", "private")
    assert "Flag 2 set on 1 customer." == result.stdout.strip()


def test_set_status_of_an_unlabelled_flag_is_a_usage_error(populated: Cli) -> None:
    """Setting a flag the selected kinds do not label exits with 2 and changes nothing."""
    assert 2 == populated("customer", "set-status", "7", "--kind", "private").exit_code


def test_change_kind_reports_what_was_dropped(populated: Cli) -> None:
    """change-kind prints the dropped category and flags."""
    shown = populated.ok("customer", "change-kind", "1", "corporate").stdout
    assert "private -> corporate" in shown
    assert "Dropped category 'A'" in shown
    assert "Dropped status flags: 1 2." in shown


def test_change_kind_keep_status_keeps_the_flags(populated: Cli) -> None:
    """--keep-status keeps the flags; the JSON names the new kind."""
    data = populated.json("customer change-kind 2 corporate --keep-status")
    assert ("corporate", [2], []) == (
        data["new_kind"],
        data["customer"]["status"],
        data["dropped_status"],
    )


def test_change_type_sets_the_type(populated: Cli) -> None:
    """change-type stores the new type."""
    assert "Customer 4 is now vip_incentive." == (
        populated.ok("customer", "change-type", "4", "vip_incentive").stdout.strip()
    )
    with populated.book() as book:
        assert CustomerType.VIP_INCENTIVE == book.get(4).customer_type


def test_change_type_of_an_unknown_type_is_a_usage_error(populated: Cli) -> None:
    """An unknown type exits with 2."""
    assert 2 == populated("customer", "change-type", "4", "stammkunde").exit_code


def test_rules_show_where_each_rule_comes_from(cli: Cli) -> None:
    """rules prints own, template and none origins."""
    cli.ok("customer register corporate Vorlage --fee-schedule 'Fee A'")
    cli.ok("customer register corporate Kunde --commission-scheme P9")
    cli.ok("settings", "set", "--kind", "corporate", "--template", "1")
    shown = cli.ok("customer", "rules", "2").stdout
    assert ("P9 (own)" in shown, "Fee A (template 1)" in shown) == (True, True)
    data = cli.json("customer", "rules", "1")
    assert "none" == data["commission_scheme"]["origin"]


def test_dunning_gives_the_mail_merge_fields(cli: Cli) -> None:
    """dunning adds the kind's fee to the open amount, exact and formatted for de_DE."""
    cli.ok("customer", "register", "private", "Müller")
    data = cli.json("customer", "dunning", "1", "1229.50")
    assert {
        "OP-Betrag": {"amount": "1229.50", "text": "1.229,50 €"},
        "Kunde-Mahngebühr": {"amount": "5.00", "text": "5,00 €"},
        "OP-Betrag+Mahngebühr": {"amount": "1234.50", "text": "1.234,50 €"},
    } == data
    assert "1.234,50 €" in cli.ok("customer", "dunning", "1", "1229.50").stdout


def test_dunning_with_a_comma_amount_is_a_usage_error(cli: Cli) -> None:
    """An amount written with a decimal comma exits with 2."""
    cli.ok("customer", "register", "private", "Müller")
    assert 2 == cli("customer", "dunning", "1", "1229,50").exit_code


def test_change_kind_of_a_prospect_renumbers_its_debtor_account(cli: Cli) -> None:
    """A prospect changing kind gets the new kind's debtor account (renumbering is on)."""
    cli.ok("customer", "register", "prospect", "Becker")
    data = cli.json("customer", "change-kind", "1", "private")
    assert (100001, 10001) == (data["old_debtor_account"], data["new_debtor_account"])
    with cli.book() as book:
        assert CustomerKind.PRIVATE == book.get(1).kind
