"""``custmodel settings export`` and ``settings import``: one store's settings set up another."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

from custmodel import (
    CustomerBook,
    CustomerKind,
    InvalidSettingsError,
    RetentionBasis,
    RetentionRule,
    Settings,
)
from custmodel.serialization import read_settings_document, settings_document
from custmodel.storage.memory import MemoryStore
from custmodel.testing import strategies
from tests.cli.conftest import SETTINGS, Cli, run_installed


@pytest.fixture
def new_store(tmp_path: Path) -> Cli:
    """The command line on a new SQLite file that holds no settings yet."""
    return Cli(f"sqlite:///{tmp_path / 'new.sqlite'}")


@pytest.fixture
def exported(cli: Cli, tmp_path: Path) -> Path:
    """The settings of :data:`SETTINGS` with a retention rule and a template customer, exported."""
    cli.ok("customer register private Vorlage")
    cli.ok("settings set --kind private --template 1 --debtor-min 10001 --debtor-max 19999")
    cli.ok("settings retention private --last-departure-years 10")
    file = tmp_path / "einstellungen.json"
    assert "Exported the settings to" in cli.ok(f"settings export {file}").stdout
    return file


@settings(max_examples=30, deadline=None)
@given(strategies.settings())
def test_the_settings_document_reads_back_as_the_same_settings(chosen: Settings) -> None:
    """Every setting survives the document, through JSON text."""
    text = json.dumps(settings_document(chosen))
    assert chosen == read_settings_document(json.loads(text))


def test_the_document_names_format_and_version() -> None:
    """The document says what it is, so a reader can refuse what it does not know."""
    document = settings_document(Settings())
    assert ("custmodel.settings", 1) == (document["format"], document["version"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, r"\$\.version: this custmodel reads version 1 of the settings document"),
        ({"format": "custmodel.access-report"}, r"\$\.format: a settings document says"),
        ({"extra": 1}, r"\$\.extra: unknown field"),
        ({"settings": []}, r"\$\.settings: required, a JSON object"),
    ],
)
def test_a_document_of_another_kind_is_refused(change: dict[str, object], message: str) -> None:
    """Format, version and the top level are checked first."""
    with pytest.raises(InvalidSettingsError, match=message):
        read_settings_document(settings_document(Settings()) | change)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("kinds", "private", "debtor_offset"),
            "x",
            re.escape("$.settings.kinds['private'].debtor_offset: expected a whole number"),
        ),
        (
            ("kinds", "private", "colour"),
            "red",
            re.escape("$.settings.kinds['private'].colour: unknown field"),
        ),
        (
            ("kinds", "private", "status_labels"),
            {"40": "x"},
            re.escape(
                "$.settings.kinds['private'].status_labels: "
                "status flag must be a number from 1 to 32"
            ),
        ),
        (
            ("kinds", "privat"),
            {},
            re.escape("$.settings.kinds['privat']: must be one of: private, corporate"),
        ),
    ],
)
def test_a_wrong_field_is_named_by_its_path(
    path: tuple[str, ...], value: object, message: str
) -> None:
    """A wrong value or an unknown key is named by where it is in the document."""
    document = settings_document(Settings())
    place = document["settings"]
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    with pytest.raises(InvalidSettingsError, match=message):
        read_settings_document(document)


def test_settings_move_to_a_new_store_templates_after_the_customers(
    cli: Cli, new_store: Cli, exported: Path, tmp_path: Path
) -> None:
    """Without the template customer in the new store, --no-templates imports the rest; once the
    customer is imported, the document imports again with --replace: the same settings."""
    refused = new_store(f"settings import {exported}")
    assert 2 == refused.exit_code
    assert "--no-templates leaves the template customers out" in refused.stderr
    shown = new_store.ok(f"settings import {exported} --no-templates").stdout
    assert "Left out the template customers of private" in shown
    customers = tmp_path / "kunden.csv"
    cli.ok(f"export customers {customers}")
    new_store.ok(f"import customers {customers}")
    new_store.ok(f"settings import {exported} --replace")
    with cli.book() as old, new_store.book() as new:
        assert old.settings == new.settings
        assert 1 == new.settings.kind(CustomerKind.PRIVATE).template_customer
        rules = new.settings.kind(CustomerKind.PRIVATE).retention
        assert (RetentionRule(RetentionBasis.LAST_DEPARTURE, 10),) == rules


def test_other_settings_are_kept_unless_replace(cli: Cli, tmp_path: Path) -> None:
    """A store that holds other settings refuses the import, naming what differs; --replace
    overwrites them."""
    changed = attrs.evolve(SETTINGS, debtor_base=20000)
    changed = changed.with_kind(
        CustomerKind.CORPORATE,
        attrs.evolve(changed.kind(CustomerKind.CORPORATE), dunning_fee=Decimal("12.00")),
    )
    file = tmp_path / "einstellungen.json"
    file.write_text(json.dumps(settings_document(changed)), encoding="utf-8")
    refused = cli(f"settings import {file}")
    assert 1 == refused.exit_code
    assert (
        "the store holds other settings already (debtor_base, kinds.corporate.dunning_fee); "
        "--replace overwrites them; nothing was changed"
    ) in refused.stderr
    with cli.book() as book:
        assert SETTINGS == book.settings
    assert {"changed": ["debtor_base", "kinds.corporate.dunning_fee"]}.items() <= (
        cli.json(f"settings import {file} --replace").items()
    )
    with cli.book() as book:
        assert changed == book.settings


def test_a_bad_document_changes_nothing(new_store: Cli, tmp_path: Path) -> None:
    """A wrong value is named by its path, exit 2, and the store keeps holding no settings."""
    document = settings_document(SETTINGS)
    document["settings"]["kinds"]["corporate"]["dunning_fee"] = 5.5
    file = tmp_path / "einstellungen.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    result = new_store(f"settings import {file}")
    assert 2 == result.exit_code
    assert "$.settings.kinds['corporate'].dunning_fee: expected money as text" in (result.stderr)
    with new_store.book() as book, book.store.transaction(write=False) as tx:
        assert tx.get_settings() is None


def test_a_file_that_is_no_json_names_the_line(new_store: Cli, tmp_path: Path) -> None:
    """Broken JSON is refused with its line."""
    file = tmp_path / "einstellungen.json"
    file.write_text('{\n  "format": "custmodel.settings",\n  oops\n}\n', encoding="utf-8")
    result = new_store(f"settings import {file}")
    assert (2, "error: einstellungen.json is not JSON (line 3)") == (
        result.exit_code,
        result.stderr.strip(),
    )


def test_the_installed_command_exports_and_imports_settings(
    cli: Cli, new_store: Cli, tmp_path: Path
) -> None:
    """The console script writes the document to stdout and reads it into a new store."""
    exported = run_installed("--db", cli.url, "settings", "export", "-", cwd=tmp_path)
    assert 0 == exported.returncode, exported.stderr
    (tmp_path / "s.json").write_text(exported.stdout, encoding="utf-8")
    imported = run_installed("--db", new_store.url, "settings", "import", "s.json", cwd=tmp_path)
    assert (0, "Imported the settings of s.json") == (
        imported.returncode,
        imported.stdout.split(":")[0],
    )
    with new_store.book() as book:
        assert SETTINGS == book.settings


def test_configure_without_replace_keeps_other_stored_settings() -> None:
    """configure(replace=False) sets up an empty store, takes the same settings again, and
    refuses other ones, keeping what is stored."""
    book = CustomerBook(MemoryStore())
    book.configure(SETTINGS, replace=False)
    book.configure(SETTINGS, replace=False)
    with pytest.raises(InvalidSettingsError, match="the store holds other settings already"):
        book.configure(attrs.evolve(SETTINGS, debtor_base=20000), replace=False)
    assert SETTINGS == book.settings
