"""``custmodel merge``: duplicates, plan, apply with confirmation, history."""

from __future__ import annotations

import json

import pytest

from custmodel import Selection
from tests.cli.conftest import Cli, one_line


@pytest.fixture
def twins(cli: Cli) -> Cli:
    """Customers 1 and 2 are the same person; 3 is someone else; 2 has a booking."""
    cli.ok("customer register private Müller --first-name Jürgen --email jm@example.org")
    cli.ok(
        "customer register private Mueller --first-name Juergen --email jm@example.org --city Köln"
    )
    cli.ok("customer", "register", "corporate", "Reisewelt GmbH")
    cli.ok("booking record VG-1 --customer 2 --departure 2027-05-01 --pos AG1")
    return cli


def test_duplicates_groups_the_same_person_with_reasons(twins: Cli) -> None:
    """duplicates finds customers 1 and 2 and says why."""
    groups = twins.json("merge", "duplicates")
    assert [[1, 2]] == [group["customers"] for group in groups]
    assert "same e-mail" in groups[0]["pairs"][0]["reasons"]


def test_duplicates_prints_a_table_with_the_next_step(twins: Cli) -> None:
    """The table names the merge plan command for each group."""
    shown = twins.ok("merge", "duplicates").stdout
    assert "merge plan 1 2" in shown
    assert "1 group of probable duplicates." in shown


def test_duplicates_show_every_comparison_and_its_weight(twins: Cli) -> None:
    """Each pair lists how its fields compared and what that weighed, in the table and JSON."""
    shown = twins.ok("merge", "duplicates").stdout
    [group] = twins.json("merge", "duplicates")
    comparisons = {c["field"]: c for c in group["pairs"][0]["comparisons"]}
    assert ("exact", "missing") == (
        comparisons["email"]["outcome"],
        comparisons["phone"]["outcome"],
    )
    assert comparisons["email"]["weight"] > 0
    assert f"{comparisons['email']['weight']:+.1f}" in shown
    assert "how the fields compared" in shown


def test_duplicates_of_one_customer_only(twins: Cli) -> None:
    """--customer limits the search to that customer's matches."""
    assert [] == twins.json("merge", "duplicates", "--customer", "3")


def test_plan_lists_what_would_move_and_changes_nothing(twins: Cli) -> None:
    """plan names the moving bookings, retired accounts and filled fields; nothing changes."""
    plan = twins.json("merge", "plan", "1", "2", "--fill-blanks")
    assert (["VG-1"], {"2": 10002}, {"city": 2}) == (
        plan["bookings"],
        plan["retired_debtor_accounts"],
        plan["filled_fields"],
    )
    with twins.book() as book:
        assert 3 == book.count()


def test_apply_with_yes_merges_without_asking(twins: Cli) -> None:
    """apply --yes merges and reports moved bookings and retired accounts."""
    shown = twins.ok("merge", "apply", "1", "2", "--yes", "--actor", "jdoe").stdout
    assert "Merged customers 2 into customer 1: 1 booking moved" in shown
    assert "retired debtor accounts 10002" in shown
    with twins.book() as book:
        assert (1, "jdoe") == (book.resolve(2).number, book.merge_history()[0].actor)


def test_apply_asks_and_merges_on_yes(twins: Cli) -> None:
    """Without --yes, apply shows the plan, asks, and merges when the answer is yes."""
    result = twins.ok("merge", "apply", "1", "2", input="y\n")
    assert "Merge plan" in result.stdout
    with twins.book() as book:
        assert 2 == book.count()


def test_apply_not_confirmed_changes_nothing_and_exits_with_1(twins: Cli) -> None:
    """Answering no exits with 1 and merges nothing."""
    result = twins("merge", "apply", "1", "2", input="n\n")
    assert (1, "Merge 1 customer into customer 1? [y/N]: ") == (
        result.exit_code,
        result.stderr.splitlines()[0],
    )
    assert "error: not confirmed; nothing was changed" == result.stderr.splitlines()[-1]
    with twins.book() as book:
        assert 3 == book.count()


def test_apply_without_an_answer_changes_nothing(twins: Cli) -> None:
    """No answer at all (stdin closed, e.g. under a scheduler) is no confirmation."""
    result = twins("merge", "apply", "1", "2")
    assert 1 == result.exit_code
    with twins.book() as book:
        assert 3 == book.count(Selection())


def test_apply_json_puts_plan_and_question_on_stderr(twins: Cli) -> None:
    """With --json and confirmation, stdout holds only the report."""
    result = twins.ok("merge", "apply", "1", "2", "--json", input="y\n")
    assert "Merge plan" in result.stderr
    assert 1 == json.loads(result.stdout)["bookings_moved"]


def test_apply_of_a_master_among_its_duplicates_is_refused(twins: Cli) -> None:
    """A refused merge (master listed as its own duplicate) exits with 1 before asking."""
    result = twins("merge", "apply", "1", "1", "2", "--yes")
    assert (1, "error: customer 1 cannot be merged into itself") == (
        result.exit_code,
        one_line(result.stderr),
    )


def test_plan_of_an_unknown_customer_exits_with_1(twins: Cli) -> None:
    """Planning with an unknown number exits with 1."""
    assert 1 == twins("merge", "plan", "1", "99").exit_code


def test_history_lists_the_audit(twins: Cli) -> None:
    """history lists each merge with master, duplicates and the bookings moved."""
    twins.ok("merge", "apply", "1", "2", "--yes")
    records = twins.json("merge", "history", "--customer", "2")
    assert [(1, [2], 1)] == [(r["master"], r["duplicates"], r["bookings_moved"]) for r in records]
    assert "1 merge." in twins.ok("merge", "history").stdout


def test_plan_unite_status_lists_the_flags_the_master_gains(cli: Cli) -> None:
    """--unite-status gives the master the duplicates' flags; the plan lists them."""
    cli.ok("customer register private Müller")
    cli.ok("customer register private Müller --flag 2")
    assert [2] == cli.json("merge plan 1 2 --unite-status")["united_status"]
    cli.ok("merge apply 1 2 --unite-status --yes")
    with cli.book() as book:
        assert frozenset({2}) == book.get(1).status.numbers
