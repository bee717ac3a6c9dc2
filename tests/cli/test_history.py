"""``custmodel customer history``, ``settings history``, ``export history`` and ``--actor``."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

from custmodel import CustomerBook, CustomerKind, HistoryEntry, Selection, open_store
from custmodel.serialization import history_entry_json, make_converter
from tests.cli.conftest import Cli, one_line

#: The time every change of the arranged books is made at.
AT = datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC)


@contextmanager
def acting(cli: Cli, actor: str) -> Iterator[CustomerBook]:
    """A book on the command line's store whose changes ``actor`` makes at :data:`AT`."""
    store = open_store(cli.url)
    try:
        yield CustomerBook(store, clock=lambda: AT, actor=actor)
    finally:
        store.close()


@pytest.fixture
def changed(cli: Cli) -> Cli:
    """Anna registers Eva Müller (1) and Weber (2), renames 1 Eve and moves her to category B;
    Bert sets flag 2 on
    every customer named Müller, and relabels flag 1. Entry 1 is the fixture's settings."""
    with acting(cli, "anna") as book:
        book.register(CustomerKind.PRIVATE, "Müller", first_name="Eva", category="A")
        book.register(CustomerKind.PRIVATE, "Weber")
        book.update(attrs.evolve(book.get(1), first_name="Eve", category="B"))
    with acting(cli, "bert") as book:
        book.set_status(Selection(name="Müller"), 2)
        book.rename_status_label(CustomerKind.PRIVATE, 1, "Stammgast")
    return cli


def lines(text: str) -> list[str]:
    """The lines of ``text`` without trailing blanks (Rich pads a table's title)."""
    return [line.rstrip() for line in text.splitlines()]


def shown(cli: Cli, args: str, columns: int = 100) -> str:
    """What the command prints on a terminal ``columns`` wide; it must succeed."""
    result = cli(args, env={"COLUMNS": str(columns)})
    assert 0 == result.exit_code, (result.stdout, result.stderr)
    return result.stdout


def test_customer_history_shows_each_change_as_old_and_new(changed: Cli) -> None:
    """The table lists id, time, action, customer, actor and every field changed."""
    table = shown(changed, "customer history 1")
    assert [
        "History of customer 1",
        "┏━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Id ┃ Time (UTC) ┃ Action     ┃ Customer ┃ Actor ┃ Changes                ┃",
        "┡━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ 2  │ 2026-11-24 │ registered │ 1        │ anna  │                        │",
        "│    │ 09:30:05   │            │          │       │                        │",
        "│ 4  │ 2026-11-24 │ updated    │ 1        │ anna  │ first_name: Eva -> Eve │",
        "│    │ 09:30:05   │            │          │       │ category: A -> B       │",
        "│ 5  │ 2026-11-24 │ status_set │ 1        │ bert  │ status.2: off -> on    │",
        "│    │ 09:30:05   │            │          │       │                        │",
        "└────┴────────────┴────────────┴──────────┴───────┴────────────────────────┘",
    ] == lines(table)


def test_settings_history_shows_runs_and_labels_without_a_customer_column(changed: Cli) -> None:
    """A "Status setzen" run shows its selection, flag and count; a label its old and new."""
    table = shown(changed, "settings history --after 1", 88)
    assert [
        "History of the settings",
        "┏━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Id ┃ Time (UTC) ┃ Action                  ┃ Actor ┃ Changes                          ┃",
        "┡━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ 6  │ 2026-11-24 │ status_set_on_selection │ bert  │ selection: name=Müller           │",
        "│    │ 09:30:05   │                         │       │ flag: 2                          │",
        "│    │            │                         │       │ customers changed: 1             │",
        "│ 7  │ 2026-11-24 │ label_changed           │ bert  │ kinds.private.status_labels.1:   │",
        "│    │ 09:30:05   │                         │       │ VIP -> Stammgast                 │",
        "└────┴────────────┴─────────────────────────┴───────┴──────────────────────────────────┘",
    ] == lines(table)  # fmt: skip


def test_erased_values_show_as_erased(changed: Cli) -> None:
    """After anonymization the fields stay, their personal values show as (erased)."""
    with acting(changed, "carla") as book:
        book.anonymize(1, "Art. 17", date(2026, 11, 24))
    table = shown(changed, "customer history 1", 200)
    assert ("Müller", "Eva", "Eve") == tuple(n for n in ("Müller", "Eva", "Eve") if n not in table)
    for change in ("first_name: (erased)", "category: (erased)", "status.2: (erased)"):
        assert change in table
    assert "│ anonymized │" in table  # the fact stays, with its actor
    assert "carla" in table
    assert "selection: every customer" in shown(changed, "settings history")


def test_a_merged_number_shows_the_masters_history_naming_each_customer(changed: Cli) -> None:
    """History of the duplicate is the master's: it holds the duplicate's entries too."""
    with acting(changed, "anna") as book:
        book.merge(1, [2])
    data = changed.json("customer history 2")
    assert [
        (1, "registered"),
        (2, "registered"),
        (1, "updated"),
        (1, "status_set"),
        (2, "merged_into"),
        (1, "merged"),
    ] == [(entry["customer"], entry["action"]) for entry in data]
    table = shown(changed, "customer history 1", 200)
    assert "duplicates: 2" in table
    assert "master: 1" in table


def test_json_is_every_entry_as_the_serialization_gives_it(changed: Cli) -> None:
    """--json prints a list that reads back into the entries the book returns."""
    data = changed.json("customer history 1")
    with changed.book() as book:
        entries = book.history(1)
    converter = make_converter()
    assert [history_entry_json(entry) for entry in entries] == data
    assert entries == [converter.structure(item, HistoryEntry) for item in data]
    assert ["registered", "updated", "status_set"] == [item["action"] for item in data]
    assert [] == changed.json("settings history --after 7")


def test_after_and_limit_read_page_by_page(changed: Cli) -> None:
    """--limit stops after N entries and names the command for the next page."""
    first = shown(changed, "customer history 1 --limit 2")
    assert "More may follow: custmodel customer history 1 --after 4 --limit 2" == (lines(first)[-1])
    assert [5] == [entry["id"] for entry in changed.json("customer history 1 --after 4 --limit 2")]
    assert [7] == [entry["id"] for entry in changed.json("settings history --after 6 --limit 9")]
    assert "More may follow" not in changed.ok("settings history --after 6 --limit 9").stdout
    assert "No entries." == one_line(changed.ok("customer history 1 --after 5").stdout)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ("customer history 1 --limit 0", 2, "error: a limit is a whole number from 1 to"),
        ("settings history --after -1", 2, "error: after is the id of the last entry read"),
        ("customer history 1 --limit many", 2, "error: Invalid value for '--limit'"),
        ("customer history x", 2, "error: Invalid value for 'NUMBER'"),
        ("customer history 99", 1, "error: customer 99 not found"),
        ("export history --batch-size 0", 2, "error: --batch-size must be at least 1"),
        ("export history --customer 99", 1, "error: customer 99 not found"),
        ("--actor '' customer history 1", 2, "error: the actor is one line of 1 to 100"),
    ],
)
def test_bad_input_is_one_error_line(changed: Cli, args: str, code: int, message: str) -> None:
    """A value the command refuses exits with 2, an unknown customer with 1, on one line."""
    result = changed(args)
    assert (code, "") == (result.exit_code, result.stdout)
    assert one_line(result.stderr).startswith(message), result.stderr


def test_export_writes_json_lines_to_stdout(changed: Cli) -> None:
    """export history writes one entry per line, oldest first, every entry of the book."""
    written = changed.ok("export history --batch-size 2").stdout
    with changed.book() as book:
        expected = [history_entry_json(entry) for entry in book.iter_history()]
    assert expected == [json.loads(line) for line in written.splitlines()]
    assert [1, 2, 3, 4, 5, 6, 7] == [entry["id"] for entry in expected]


def test_export_of_one_customer_to_a_file(changed: Cli, tmp_path: Path) -> None:
    """--customer N writes that customer's history; --out names the file and says how many."""
    target = tmp_path / "history.jsonl"
    result = changed.ok("export", "history", "--customer", "1", "--out", str(target))
    assert f"Exported 3 history entries to {target}." == one_line(result.stdout)
    written = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(1, "registered"), (1, "updated"), (1, "status_set")] == [
        (entry["customer"], entry["action"]) for entry in written
    ]
    assert not target.with_name("history.jsonl.part").exists()


def _actors(cli: Cli, number: int) -> list[str | None]:
    with cli.book() as book:
        return [entry.actor for entry in book.history(number)]


def test_actor_option_names_who_changed(cli: Cli) -> None:
    """--actor before the command is recorded for every change the command makes."""
    cli.ok("--actor jdoe customer register private Müller")
    cli.ok("--actor mmai customer change-type 1 regular")
    assert ["jdoe", "mmai"] == _actors(cli, 1)


def test_actor_from_the_environment_and_the_option_wins(cli: Cli) -> None:
    """CUSTMODEL_ACTOR names the actor when --actor does not."""
    result = cli("customer register private Müller", env={"CUSTMODEL_ACTOR": "desk-2"})
    assert 0 == result.exit_code
    result = cli("--actor jdoe customer change-type 1 regular", env={"CUSTMODEL_ACTOR": "desk-2"})
    assert 0 == result.exit_code
    assert ["desk-2", "jdoe"] == _actors(cli, 1)


def test_actor_defaults_to_the_login_name(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --actor and CUSTMODEL_ACTOR the login name is recorded, or nobody without one."""
    monkeypatch.setattr(getpass, "getuser", lambda: "kasse1")
    cli.ok("customer register private Müller")

    def no_login() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_login)
    cli.ok("customer change-type 1 regular")
    assert ["kasse1", None] == _actors(cli, 1)


def test_merge_actor_overrides_the_global_one(cli: Cli) -> None:
    """merge apply --actor names who merged, over the global --actor."""
    cli.ok("customer register private Müller")
    cli.ok("customer register private Mueller")
    cli.ok("--actor jdoe merge apply 1 2 --actor mmai --yes")
    with cli.book() as book:
        merged = [e.actor for e in book.history(1) if e.action.value.startswith("merged")]
    assert ["mmai", "mmai"] == merged
