"""The JSON file store agrees with custmodel's memory store under random operations."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from custmodel.storage import CustomerStore
from custmodel.testing.stateful import make_agreement_test
from travelshop import JsonFileStore


class _TemporaryJsonFileStore(JsonFileStore):
    """A JSON file store in a new temporary directory, removed when the store is closed."""

    def __init__(self) -> None:
        self._directory = Path(tempfile.mkdtemp(prefix="travelshop-agreement-"))
        super().__init__(self._directory / "customers.json")

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._directory, ignore_errors=True)


def _new_store() -> CustomerStore:
    return _TemporaryJsonFileStore()


TestJsonFileStoreAgreement = make_agreement_test(_new_store)
