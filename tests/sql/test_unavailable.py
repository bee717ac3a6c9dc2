"""A database that cannot be opened or reached raises StoreUnavailableError saying why."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from custmodel import StoreError, StoreUnavailableError, open_store
from custmodel.storage.sql import DriverError, SqlStore
from tests.servers import server_url

#: A password planted in a URL; it must never appear in a message.
PASSWORD = "s3cret-pw"  # noqa: S105 - not a real one


def _unavailable(url: str) -> StoreUnavailableError:
    with pytest.raises(StoreUnavailableError) as raised:
        SqlStore.from_url(url)
    return raised.value


def _free_port() -> int:
    """A local TCP port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_sqlite_file_in_a_missing_directory_cannot_be_opened(tmp_path: Path) -> None:
    """SQLite's own words name the failure; the message names the file, and the cause the
    driver's error class and code."""
    url = f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}"

    error = _unavailable(url)

    assert (
        f"cannot open the database {url}: unable to open database file",
        "unable to open database file",
        "SQLITE_CANTOPEN",
    ) == (str(error), error.reason, getattr(error.__cause__, "sqlite_error", None))


def test_a_file_that_is_no_database_is_said_so_and_left_alone(tmp_path: Path) -> None:
    """A text file named as the store is reported as no database, and not overwritten."""
    path = tmp_path / "notes.sqlite"
    text = "shopping list: nothing personal here, just enough bytes for a header\n" * 3
    path.write_text(text)

    error = _unavailable(f"sqlite:///{path}")

    assert ("file is not a database", text) == (error.reason, path.read_text())


def test_open_store_raises_the_same_error_and_it_is_a_store_error(tmp_path: Path) -> None:
    """open_store passes the error on; callers catching StoreError catch it too."""
    with pytest.raises(StoreError) as raised:
        open_store(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}")

    assert isinstance(raised.value, StoreUnavailableError)


@pytest.mark.server
def test_a_missing_postgresql_database_is_named_and_the_password_hidden() -> None:
    """PostgreSQL's "database ... does not exist" reaches the caller; the URL has no password."""
    name = f"cm_missing_{uuid.uuid4().hex[:10]}"
    url = make_url(server_url("postgresql")).set(database=name, password=PASSWORD)

    error = _unavailable(url.render_as_string(hide_password=False))

    assert (True, True, False, True) == (
        f'database "{name}" does not exist' in error.reason
        or "password authentication failed" in error.reason,
        ":***@" in str(error),
        PASSWORD in str(error),
        isinstance(error.__cause__, DriverError),
    )


@pytest.mark.server
@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_a_refused_connection_says_so(engine: str) -> None:
    """A port nothing listens on gives "connection refused", naming host and port."""
    port = _free_port()
    url = make_url(server_url(engine)).set(host="127.0.0.1", port=port)

    error = _unavailable(url.render_as_string(hide_password=False))

    assert (True, True) == ("refused" in error.reason.lower(), str(port) in str(error))


@pytest.mark.server
def test_an_unknown_mariadb_database_is_named() -> None:
    """MariaDB's "Unknown database" reaches the caller with its error number."""
    name = f"cm_missing_{uuid.uuid4().hex[:10]}"
    url = make_url(server_url("mariadb")).set(database=name)

    error = _unavailable(url.render_as_string(hide_password=False))

    assert (True, 1049) == (
        f"Unknown database '{name}'" in error.reason,
        getattr(error.__cause__, "errno", None),
    )
