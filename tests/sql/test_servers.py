"""The server plumbing skips where a developer lacks a server, and fails under CI."""

from __future__ import annotations

import pytest

from tests import servers


def test_unset_variable_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without CI=true, an unset server variable skips the test, naming the variable."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(servers.POSTGRES_ENV, raising=False)

    with pytest.raises(pytest.skip.Exception, match=servers.POSTGRES_ENV):
        servers.server_url("postgresql")


def test_unset_variable_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI=true, an unset server variable fails the test instead of skipping it."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv(servers.MARIADB_ENV, raising=False)

    with pytest.raises(pytest.fail.Exception, match=servers.MARIADB_ENV):
        servers.server_url("mariadb")


def test_unreachable_server_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI=true, a server that does not answer fails the test."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(servers.POSTGRES_ENV, "postgresql+psycopg://postgres@127.0.0.1:9/test")

    with pytest.raises(pytest.fail.Exception, match="unreachable"):
        servers.server_url("postgresql")
