"""The very first settings of an empty store: a writer that read "none stored" loses nothing.

A label change reads the settings under a row lock, but an empty store has no row to lock. A
writer that read "no settings" before another one stored the first settings, and writes after
that one committed, must not overwrite them with its defaults: it is refused as busy, and its
retry reads what was committed. Held open on every SQL engine (SQLite serializes the writers).
"""

from __future__ import annotations

import threading

from custmodel import CustomerBook, CustomerKind
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import PausingStore


def test_a_writer_that_read_no_settings_keeps_the_first_ones_committed_meanwhile(
    url: str,
) -> None:
    """Label 1 is being set on an empty store, paused after it read "no settings"; label 2 is
    set and committed meanwhile. Both labels are kept."""
    read, go = threading.Event(), threading.Event()
    paused = CustomerBook(
        PausingStore(  # type: ignore[arg-type]
            SqlStore.from_url(url, upgrade=False),
            "get_settings",
            # Paused only where it read under a lock, "no settings stored".
            lambda found, options: found is None and bool(options),
            read,
            go,
        ),
        retries=5,
    )
    other_store = SqlStore.from_url(url, upgrade=False)
    other = CustomerBook(other_store)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            paused.rename_status_label(CustomerKind.PRIVATE, 1, "Newsletter")
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    assert read.wait(30)
    other.rename_status_label(CustomerKind.PRIVATE, 2, "Single")
    go.set()
    thread.join(60)
    paused.store.close()
    labels = CustomerBook(other_store).settings.kind(CustomerKind.PRIVATE).status_labels
    other_store.close()
    assert ([], {1: "Newsletter", 2: "Single"}) == (errors, dict(labels))
