"""``custmodel schema``: show the revision, create and upgrade the schema."""

from __future__ import annotations

from custmodel.storage.sql import SqlStore
from tests.cli.conftest import Cli, one_line


def test_show_of_a_new_database_has_no_revision(db_url: str) -> None:
    """A database custmodel never migrated shows no revision and the newest one shipped."""
    data = Cli(db_url).json("schema show")
    assert (None, SqlStore.head_revision(), False) == (
        data["revision"],
        data["head"],
        data["up_to_date"],
    )


def test_upgrade_creates_the_schema_and_then_changes_nothing(db_url: str) -> None:
    """upgrade creates the schema at the newest revision; a second upgrade changes nothing."""
    cli = Cli(db_url)
    head = SqlStore.head_revision()
    assert {"url": db_url, "from": None, "to": head} == cli.json("schema upgrade")
    assert "nothing changed" in cli.ok("schema upgrade").stdout
    assert "up to date" in cli.ok("schema show").stdout


def test_every_other_command_migrates_on_first_use(db_url: str) -> None:
    """Any command on a new file creates the schema, as open_store does."""
    cli = Cli(db_url)
    cli.ok("customer select")
    assert True is cli.json("schema show")["up_to_date"]


def test_schema_of_a_memory_store_is_a_usage_error() -> None:
    """memory:// has no schema: exit 2 in one line."""
    result = Cli("memory://")("schema show")
    assert (2, True) == (result.exit_code, "memory://" in one_line(result.stderr))


def test_schema_show_hides_the_password_of_the_url() -> None:
    """A password in the URL is never printed, not even in the error line."""
    result = Cli("oracle://scott:tiger@db/orcl")("schema show")
    assert 2 == result.exit_code
    assert "tiger" not in result.stderr
