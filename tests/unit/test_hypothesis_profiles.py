"""The hypothesis profile is chosen by CUSTMODEL_HYPOTHESIS_PROFILE, else by CI."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests import conftest


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("CUSTMODEL_HYPOTHESIS_PROFILE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return monkeypatch


def test_dev_is_the_default_profile(clean_env: pytest.MonkeyPatch) -> None:
    """Without any variable, tests run the fast "dev" profile."""
    assert "dev" == conftest._profile()


def test_ci_variable_selects_the_ci_profile(clean_env: pytest.MonkeyPatch) -> None:
    """CI=true (as CI services set it) selects the thorough "ci" profile."""
    clean_env.setenv("CI", "true")

    assert "ci" == conftest._profile()


def test_explicit_profile_wins_over_ci(clean_env: pytest.MonkeyPatch) -> None:
    """CUSTMODEL_HYPOTHESIS_PROFILE overrides CI."""
    clean_env.setenv("CI", "true")
    clean_env.setenv("CUSTMODEL_HYPOTHESIS_PROFILE", "quick")

    assert "quick" == conftest._profile()


@pytest.mark.parametrize(("name", "examples"), [("dev", 50), ("ci", 100), ("quick", 10)])
def test_profiles_are_registered(name: str, examples: int) -> None:
    """Each profile exists with its number of examples."""
    assert examples == settings.get_profile(name).max_examples


def test_ci_profile_has_no_deadline_and_prints_blobs() -> None:
    """The CI profile never fails on timing and prints a reproduction blob."""
    ci = settings.get_profile("ci")

    assert (None, True) == (ci.deadline, ci.print_blob)
