"""``--help``: the commands in a sensible order, and no artefacts of the help machinery."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from typing import Any

import typer
from typer.testing import CliRunner

from custmodel.cli import app
from custmodel.cli._app import COMMAND_ORDER
from tests.cli.conftest import CONSOLE_SCRIPT

#: What the help machinery shows when nobody chose the words: Python types (``<bool>`` for a
#: flag), brackets around brackets (``[[TEMPLATE]]``, ``[[CATEGORY]...]...``), and required
#: arguments in braces (``{NUMBER}``) on the usage line.
ARTEFACTS = re.compile(
    r"<(?:bool|str|int|float|path|file|directory|list\[\w+\])>|\[\[|\]\.\.\.\]|^\s*Usage:.*\{",
    re.MULTILINE,
)

#: Runs every command's and group's --help through the installed entry point (not a test
#: runner) in one interpreter, and prints {"command path": help text} as JSON.
_WALK = textwrap.dedent(
    """
    import contextlib, io, json, sys
    import typer
    from custmodel.cli import app, main

    def paths(command, path=()):
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from paths(sub, (*path, name))

    helps = {}
    for path in paths(typer.main.get_command(app)):
        sys.argv = ["custmodel", *path, "--help"]
        text = io.StringIO()
        with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
            main()
        helps[" ".join(("custmodel", *path))] = text.getvalue()
    print(json.dumps(helps))
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CUSTMODEL_DATABASE_URL"}
    # Wide enough that no artefact is split across lines; no colours to strip.
    env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
    return env


def _listed_commands(help_text: str) -> list[str]:
    """The command names of a group's help, in the order it lists them."""
    found = re.findall(r"^│ ([a-z][a-z-]*) {2,}", help_text, re.MULTILINE)
    return [name for name in found if not name.startswith("-")]


def test_the_artefact_pattern_finds_what_typer_shows_untidied() -> None:
    """The pattern catches <bool>, [[TEMPLATE]], [[CATEGORY]...]... and {NUMBER}."""
    shown = [
        "│ --json  <bool>  Print the result as JSON.",
        " Usage: custmodel mail-merge [OPTIONS] [[TEMPLATE]]",
        " Usage: custmodel settings categories [OPTIONS] KIND [[CATEGORY]...]...",
        " Usage: custmodel customer show [OPTIONS] {NUMBER}",
        "│ --name  <str>  Only customers whose name contains this.",
    ]
    assert [True] * len(shown) == [bool(ARTEFACTS.search(line)) for line in shown]
    assert not ARTEFACTS.search(" Render a {Field} template for every customer.")


def test_no_help_of_the_installed_command_shows_artefacts() -> None:
    """Every command's and group's --help, run through the installed entry point, shows flags
    without a type, values as words, and arguments as they are typed."""
    result = subprocess.run(
        [sys.executable, "-c", _WALK],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=_env(),
    )
    helps: dict[str, str] = json.loads(result.stdout)
    found = {
        path: ARTEFACTS.findall(text) for path, text in helps.items() if ARTEFACTS.search(text)
    }
    commands = _count(typer.main.get_command(app))
    assert ({}, commands) == (found, len(helps))
    assert all("Usage: custmodel" in text for text in helps.values())


def _count(command: Any) -> int:
    return 1 + sum(_count(sub) for sub in getattr(command, "commands", {}).values())


def test_the_installed_command_lists_everyday_commands_first() -> None:
    """`custmodel --help` lists customer, booking, stats and mail-merge first, the demo last."""
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=_env(),
    )
    expected = [
        "customer",
        "booking",
        "stats",
        "mail-merge",
        "merge",
        "gdpr",
        "settings",
        "import",
        "export",
        "schema",
        "demo",
    ]
    assert expected == _listed_commands(result.stdout)


def test_every_command_is_placed_in_the_order() -> None:
    """A new top-level command gets a place in COMMAND_ORDER rather than landing anywhere."""
    root = typer.main.get_command(app)
    assert sorted(COMMAND_ORDER) == sorted(getattr(root, "commands", {}))


def test_a_flag_shows_no_type_and_a_value_a_word() -> None:
    """customer select --help shows --count without <bool> and --name with TEXT."""
    result = CliRunner().invoke(app, ["customer", "select", "--help"], env={"COLUMNS": "200"})
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if "│ --" in line}
    assert (["--count"], ["--name", "TEXT"]) == (
        rows["--count"].split()[1:2],
        rows["--name"].split()[1:3],
    )
