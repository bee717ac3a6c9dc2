"""``custmodel gdpr``: eligibility, anonymize, requests, the access report and the due sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custmodel import Selection
from tests.cli.conftest import Cli, one_line

TODAY = "2026-11-24"


@pytest.fixture
def people(cli: Cli) -> Cli:
    """1 has no booking; 2 departed 30 days ago; 3 booked through another agency."""
    for name in ("Leer", "Kürzlich", "Fremd"):
        cli.ok("customer", "register", "private", name)
    cli.ok("booking record VG-2 --customer 2 --departure 2026-10-25 --pos AG1")
    cli.ok("booking record VG-3 --customer 3 --departure 2020-01-01 --pos AG2")
    return cli


def test_eligibility_of_a_customer_without_bookings_exits_with_0(people: Cli) -> None:
    """A customer without bookings is eligible."""
    result = people.ok("gdpr", "eligibility", "1", "--agency", "AG1", "--today", TODAY)
    assert "Customer 1 may be anonymized by AG1." == result.stdout.strip()


def test_eligibility_refused_exits_with_1_and_prints_the_reasons(people: Cli) -> None:
    """Not eligible: exit 1, the blocking booking, and the date time stops blocking."""
    result = people("gdpr", "eligibility", "2", "--agency", "AG1", "--today", TODAY)
    assert 1 == result.exit_code
    assert "VG-2" in result.stdout
    assert "eligible from 2026-12-06" in result.stdout


def test_eligibility_json_lists_every_blocker_even_on_exit_1(people: Cli) -> None:
    """--json prints the eligibility with the blockers' reasons, and still exits with 1."""
    result = people("gdpr", "eligibility", "3", "--agency", "AG1", "--today", TODAY, "--json")
    data = json.loads(result.stdout)
    assert (1, False, [["not_point_of_sale"]]) == (
        result.exit_code,
        data["eligible"],
        [b["reasons"] for b in data["blockers"]],
    )


def test_eligibility_takes_the_agency_from_the_environment(people: Cli) -> None:
    """Without --agency, CUSTMODEL_AGENCY names the acting agency."""
    result = people("gdpr", "eligibility", "3", "--today", TODAY, env={"CUSTMODEL_AGENCY": "AG2"})
    assert 0 == result.exit_code


def test_eligibility_without_an_agency_is_a_usage_error(people: Cli) -> None:
    """The acting agency is required: exit 2."""
    assert 2 == people("gdpr", "eligibility", "1").exit_code


def test_anonymize_with_yes_replaces_personal_data(people: Cli) -> None:
    """anonymize --yes replaces the name and keeps number and debtor account."""
    shown = people.ok("gdpr", "anonymize", "1", "--agency", "AG1", "--yes").stdout
    assert "Anonymized customer 1" in shown
    with people.book() as book:
        customer = book.get(1)
    assert (True, "Leer" != customer.last_name, 10001) == (
        customer.is_anonymized,
        True,
        customer.debtor_account,
    )


def test_anonymize_refused_exits_with_1_and_names_the_reason(people: Cli) -> None:
    """Not eligible: exit 1, one line with the blocking booking, nothing changed."""
    result = people("gdpr", "anonymize", "2", "--agency", "AG1", "--today", TODAY, "--yes")
    assert (1, "error: customer 2 may not be anonymized yet (booking VG-2: too recent)") == (
        result.exit_code,
        one_line(result.stderr),
    )
    with people.book() as book:
        assert not book.get(2).is_anonymized


def test_anonymize_asks_first_and_no_changes_nothing(people: Cli) -> None:
    """Without --yes anonymize asks; "n" exits with 1 and keeps the data."""
    result = people("gdpr", "anonymize", "1", "--agency", "AG1", input="n\n")
    assert 1 == result.exit_code
    with people.book() as book:
        assert "Leer" == book.get(1).last_name


def test_anonymize_twice_changes_nothing_the_second_time(people: Cli) -> None:
    """A second anonymize says so, without asking, and exits with 0."""
    people.ok("gdpr", "anonymize", "1", "--agency", "AG1", "--yes")
    data = people.json("gdpr", "anonymize", "1", "--agency", "AG1")
    assert True is data["already_anonymized"]


def test_request_records_an_erasure_request(people: Cli) -> None:
    """request records the request with its date of receipt."""
    data = people.json("gdpr", "request", "2", "--received", "2026-11-20")
    request = data["request"]
    assert (1, 2, "2026-11-20", None, False, None) == (
        request["id"],
        request["customer"],
        request["received_on"],
        request["completed_at"],
        data["repeated"],
        data["moved_from"],
    )


def test_a_repeated_request_says_it_is_open_already(people: Cli) -> None:
    """A repeat received later says since when the request is open and records nothing."""
    people.ok("gdpr", "request", "2", "--received", "2026-11-20")
    shown = people.ok("gdpr", "request", "2", "--received", "2026-11-22").stdout
    assert (
        "Erasure request 1 of customer 2 is already open since 2026-11-20; nothing recorded."
    ) == one_line(shown)


def test_a_repeat_received_earlier_moves_the_receipt_day(people: Cli) -> None:
    """A repeat received earlier says it moved the open request's receipt day back."""
    people.ok("gdpr", "request", "2", "--received", "2026-11-20")
    shown = people.ok("gdpr", "request", "2", "--received", "2026-11-12").stdout
    assert (
        "Erasure request 1 of customer 2 is already open; its receipt day moved from "
        "2026-11-20 to 2026-11-12."
    ) == one_line(shown)


def test_requests_as_of_a_day_leave_out_later_requests(people: Cli) -> None:
    """requests --today D does not list a request received after D."""
    people.ok("gdpr", "request", "1", "--received", "2026-11-20")
    people.ok("gdpr", "request", "2", "--received", "2026-11-24")
    statuses = people.json("gdpr", "requests", "--agency", "AG1", "--today", "2026-11-23")
    assert [1] == [s["request"]["customer"] for s in statuses]


def test_a_sweep_for_a_day_before_the_receipt_anonymizes_nobody(people: Cli) -> None:
    """sweep --today D leaves a customer whose request arrived after D alone."""
    people.ok("gdpr", "request", "1", "--received", "2026-11-24")
    shown = people.ok("gdpr", "sweep", "--agency", "AG1", "--today", "2026-11-23").stdout
    assert "Anonymized 0 of 0 due customers in 0 batches: none." == shown.strip()


def test_request_without_a_date_is_received_today(people: Cli) -> None:
    """Without --received the request is received today."""
    shown = people.ok("gdpr", "request", "1").stdout
    assert "Erasure request 1 of customer 1" in shown
    assert ": open." in shown


def test_requests_list_each_state(people: Cli) -> None:
    """requests lists due, waiting (with the date) and blocked requests."""
    for number in ("1", "2", "3"):
        people.ok("gdpr", "request", number, "--received", "2026-11-20")
    statuses = people.json("gdpr", "requests", "--agency", "AG1", "--today", TODAY)
    assert [("due", TODAY), ("waiting", "2026-12-06"), ("blocked", None)] == [
        (s["erasure"]["state"], s["erasure"]["due_on"]) for s in statuses
    ]
    assert "3 requests, 0 overdue." in people.ok("gdpr", "requests", "--agency", "AG1").stdout


def test_requests_all_includes_done_ones(people: Cli) -> None:
    """--all also lists the completed requests."""
    people.ok("gdpr", "request", "1", "--received", "2026-11-20")
    people.ok("gdpr", "anonymize", "1", "--agency", "AG1", "--yes")
    assert [] == people.json("gdpr", "requests", "--agency", "AG1")
    done = people.json("gdpr requests --agency AG1 --all")
    assert ["done"] == [s["erasure"]["state"] for s in done]


def test_sweep_dry_run_reports_the_due_and_changes_nothing(people: Cli) -> None:
    """--dry-run names the due customers and anonymizes nobody."""
    for number in ("1", "2"):
        people.ok("gdpr", "request", number, "--received", "2026-11-20")
    data = people.json("gdpr", "sweep", "--agency", "AG1", "--today", TODAY, "--dry-run")
    assert (True, 1, 0, [1]) == (
        data["dry_run"],
        data["due"],
        data["anonymized"],
        data["customers"],
    )
    with people.book() as book:
        assert not book.get(1).is_anonymized


def test_sweep_anonymizes_the_due_in_batches(people: Cli) -> None:
    """The sweep anonymizes every due customer, batch by batch."""
    people.ok("customer", "register", "private", "Vierter")
    for number in ("1", "4"):
        people.ok("gdpr", "request", number, "--received", "2026-11-20")
    shown = people.ok("gdpr", "sweep", "--agency", "AG1", "--batch-size", "1").stdout
    assert "Anonymized 2 of 2 due customers in 2 batches: 1, 4." == shown.strip()


def test_sweep_with_batch_size_0_is_a_usage_error(people: Cli) -> None:
    """--batch-size 0 exits with 2."""
    assert 2 == people("gdpr", "sweep", "--agency", "AG1", "--batch-size", "0").exit_code


def test_request_access_records_an_open_access_request(people: Cli) -> None:
    """request-access records an access request and names its answer day."""
    shown = people.ok("gdpr", "request-access", "1", "--received", "2026-11-20").stdout
    assert (
        "Access request 1 of customer 1, received 2026-11-20: open, answer by 2026-12-20."
        == one_line(shown)
    )


def test_a_repeated_access_request_records_nothing(people: Cli) -> None:
    """A second request-access while one is open says so and records nothing."""
    people.ok("gdpr", "request-access", "1", "--received", "2026-11-20")
    shown = people.ok("gdpr", "request-access", "1", "--received", "2026-11-21").stdout
    assert "already open since 2026-11-20; nothing recorded." in one_line(shown)


def test_requests_list_every_kind_and_the_overdue_ones(people: Cli) -> None:
    """requests lists access and erasure requests; an access request past its day is overdue."""
    people.ok("gdpr", "request-access", "2", "--received", "2026-10-01")
    people.ok("gdpr", "request", "1", "--received", "2026-11-20")
    statuses = people.json("gdpr", "requests", "--agency", "AG1", "--today", TODAY)
    assert [("access", True, None), ("erasure", False, "due")] == [
        (s["request"]["kind"], s["overdue"], s["erasure"] and s["erasure"]["state"])
        for s in statuses
    ]
    shown = people.ok("gdpr", "requests", "--agency", "AG1", "--today", TODAY).stdout
    assert "2 requests, 1 overdue." in shown


def test_access_json_writes_the_versioned_document(people: Cli) -> None:
    """access --json prints the custmodel.access-report document, version 1."""
    data = people.json("gdpr", "access", "2", "--json")
    assert ("custmodel.access-report", 1, 2, ["VG-2"]) == (
        data["format"],
        data["version"],
        data["customer"]["record"]["number"],
        [b["reference"] for b in data["bookings"]],
    )


def test_access_letter_out_answer_writes_the_letter_and_completes_the_request(
    people: Cli, tmp_path: Path
) -> None:
    """access --letter --out FILE --answer writes the German letter and answers the request."""
    people.ok("gdpr", "request-access", "2", "--received", "2026-11-20")
    target = tmp_path / "auskunft.txt"
    people.ok("gdpr", "access", "2", "--letter", "--out", str(target), "--answer")
    text = target.read_text(encoding="utf-8")
    assert "Art. 15" in text
    assert "VG-2: Buchung" in text
    assert [] == people.json("gdpr", "requests", "--agency", "AG1")


def test_access_without_a_form_prints_a_summary_and_changes_nothing(people: Cli) -> None:
    """access without --json or --letter prints counts; the open request stays open."""
    people.ok("gdpr", "request-access", "2", "--received", "2026-11-20")
    shown = people.ok("gdpr", "access", "2").stdout
    assert "Customer 2 (debtor account" in shown
    assert 1 == len(people.json("gdpr", "requests", "--agency", "AG1"))


def test_access_refuses_json_and_letter_together(people: Cli) -> None:
    """--json and --letter exclude each other: a usage error."""
    assert 2 == people("gdpr", "access", "1", "--json", "--letter").exit_code


def test_a_dry_sweep_names_the_retention_rule_of_each_due_customer(people: Cli) -> None:
    """With a retention rule, the dry run lists who is due and why, and changes nothing."""
    people.ok("settings retention private --prospect-idle-months 1")
    shown = people.ok("gdpr", "sweep", "--agency", "AG1", "--today", "2099-01-01", "--dry-run")
    reasons = [line.strip() for line in shown.stdout.splitlines() if "retention:" in line]
    assert reasons
    assert all("no firm booking and no change for more than 1 months" in r for r in reasons)
    with people.book() as book:
        assert not any(c.is_anonymized for c in book.select(Selection()))


def test_a_sweep_of_requests_only_ignores_retention_rules(people: Cli) -> None:
    """--requests-only leaves customers due by retention alone."""
    people.ok("settings retention private --prospect-idle-months 1")
    data = people.json(
        "gdpr", "sweep", "--agency", "AG1", "--today", "2099-01-01", "--requests-only"
    )
    assert (0, 0) == (data["due"], data["anonymized"])
