"""The very first settings of an empty store: a writer that read "none stored" loses nothing.

A label change reads the settings under a row lock, but an empty store has no row to lock. A
writer that read "no settings" before another one stored the first settings, and writes after
that one committed, must not overwrite them with its defaults: it is refused as busy, and its
retry reads what was committed. The same holds for a set-up that must not overwrite other
settings (``configure(settings, replace=False)``): its retry finds them and refuses. Held open
on every SQL engine (SQLite serializes the writers), and raced.
"""

from __future__ import annotations

import threading
from collections import Counter

from custmodel import CustomerBook, CustomerKind, InvalidSettingsError, Settings
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import PausingStore


def test_a_writer_that_read_no_settings_keeps_the_first_ones_committed_meanwhile(
    url: str,
) -> None:
    """Label 1 is being set on an empty store, paused after it read "no settings"; label 2 is
    set and committed meanwhile. Both labels are kept."""
    read, go = threading.Event(), threading.Event()
    paused = CustomerBook(
        PausingStore(
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


#: Settings two set-ups of an empty store race to store, told apart by their debtor base.
FIRST, SECOND = Settings(debtor_base=10000), Settings(debtor_base=20000)
TRIALS = 30


def test_a_set_up_that_read_no_settings_refuses_the_ones_committed_meanwhile(url: str) -> None:
    """configure(replace=False) is paused after it read "no settings"; another set-up stores
    other settings meanwhile. The paused one is refused, not written over them. (SQLite's
    writers queue behind the paused one instead: there the other set-up is refused.)"""
    read, go = threading.Event(), threading.Event()
    paused = CustomerBook(
        PausingStore(
            SqlStore.from_url(url, upgrade=False),
            "get_settings",
            lambda found, options: found is None and bool(options),
            read,
            go,
        ),
        retries=5,
    )
    other_store = SqlStore.from_url(url, upgrade=False)
    results: dict[int, str] = {}

    def first() -> None:
        try:
            paused.configure(FIRST, replace=False)
            results[FIRST.debtor_base] = "stored"
        except InvalidSettingsError:
            results[FIRST.debtor_base] = "refused"

    def second() -> None:
        try:
            CustomerBook(other_store).configure(SECOND, replace=False)
            results[SECOND.debtor_base] = "stored"
        except InvalidSettingsError:
            results[SECOND.debtor_base] = "refused"

    thread = threading.Thread(target=first)
    thread.start()
    assert read.wait(30)
    other = threading.Thread(target=second)
    other.start()
    if not url.startswith("sqlite"):
        other.join(30)  # on a server it commits while the first set-up is paused
    go.set()
    thread.join(60)
    other.join(60)
    paused.store.close()
    stored = CustomerBook(other_store).settings
    other_store.close()
    winner = SECOND if not url.startswith("sqlite") else FIRST
    loser = FIRST if winner is SECOND else SECOND
    expected = {winner.debtor_base: "stored", loser.debtor_base: "refused"}
    assert (expected, winner) == (results, stored)


def test_racing_set_ups_of_an_empty_store_store_exactly_one(url: str) -> None:
    """Two threads set up the same empty store with different settings, replace=False, over
    and over: each time one is stored and the other refused, never one written over the other."""
    outcomes: Counter[str] = Counter()
    admin = SqlStore.from_url(url, upgrade=False)
    try:
        for _ in range(TRIALS):
            with admin.engine.begin() as connection:
                connection.exec_driver_sql("DELETE FROM custmodel_kind_settings")
                connection.exec_driver_sql("DELETE FROM custmodel_settings")
            results: dict[int, str] = {}
            barrier = threading.Barrier(2)

            threads = [
                threading.Thread(target=_set_up, args=(url, s, barrier, results))
                for s in (FIRST, SECOND)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            stored = CustomerBook(admin).settings.debtor_base
            winners = [base for base, outcome in results.items() if outcome == "stored"]
            outcomes[
                "one stored, one refused"
                if winners == [stored] and sorted(results.values()) == ["refused", "stored"]
                else f"wrong: {sorted(results.items())} with {stored} stored"
            ] += 1
    finally:
        admin.close()
    print(f"outcomes over {TRIALS} trials: {dict(outcomes)}")
    assert {"one stored, one refused": TRIALS} == dict(outcomes)


def _set_up(
    url: str, settings: Settings, barrier: threading.Barrier, results: dict[int, str]
) -> None:
    """Set up the store with ``settings`` unless it holds others; note what happened."""
    store = SqlStore.from_url(url, upgrade=False)
    try:
        barrier.wait(10)
        CustomerBook(store).configure(settings, replace=False)
        results[settings.debtor_base] = "stored"
    except InvalidSettingsError:
        results[settings.debtor_base] = "refused"
    except BaseException as error:  # the test counts it as a wrong outcome
        results[settings.debtor_base] = type(error).__name__
    finally:
        store.close()
