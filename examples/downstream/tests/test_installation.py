"""The example runs against custmodel as installed, the way any application would."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import custmodel


def test_custmodel_is_an_installed_package_not_a_source_tree() -> None:
    """custmodel is imported from site-packages, not from a checkout's ``src`` directory."""
    installed = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert installed in Path(custmodel.__file__).resolve().parents
