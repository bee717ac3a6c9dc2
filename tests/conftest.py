"""Hypothesis profiles for the whole test suite, chosen by an environment variable.

``CUSTMODEL_HYPOTHESIS_PROFILE`` names the profile: "dev" (the default, fast), "ci" (thorough)
or "quick" (a smoke run). When it is unset and ``CI=true``, the "ci" profile is used.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import settings

settings.register_profile("dev", max_examples=50, deadline=timedelta(seconds=1))
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("quick", max_examples=10, deadline=None)


def _profile() -> str:
    chosen = os.environ.get("CUSTMODEL_HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    if os.environ.get("CI", "").strip().lower() == "true":
        return "ci"
    return "dev"


settings.load_profile(_profile())
