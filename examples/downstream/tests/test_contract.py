"""The JSON file store passes custmodel's store contract: the suite custmodel's own stores pass."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from custmodel.serialization import make_converter
from custmodel.storage import CustomerStore, StoreTransaction
from custmodel.testing.contract import StoreContract
from travelshop import JsonFileStore


class TestJsonFileStore(StoreContract):
    """Every test of the contract, on a new file in the test's temporary directory."""

    def make_store(self) -> CustomerStore:
        tmp_path: Path = self.request.getfixturevalue("tmp_path")
        return JsonFileStore(tmp_path / "customers.json")


class TestJsonFileStoreReopened(StoreContract):
    """Every test of the contract again, on a store that opens the file afresh for each
    transaction: the file keeps exactly what the store held."""

    def make_store(self) -> CustomerStore:
        tmp_path: Path = self.request.getfixturevalue("tmp_path")
        return _Reopening(tmp_path / "customers.json")


class _Reopening:
    """Opens a new :class:`JsonFileStore` on ``path`` for every transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._converter = make_converter()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self._lock:
            store = JsonFileStore(self.path, converter=self._converter)
            try:
                with store.transaction(write=write) as tx:
                    yield tx
            finally:
                store.close()

    def purge(self) -> None:
        """Nothing to purge (see :meth:`JsonFileStore.purge`)."""

    def close(self) -> None:
        """Nothing to release: each transaction closed its store."""
