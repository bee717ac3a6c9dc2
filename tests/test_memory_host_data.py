"""The memory store's host data: a reference's eraser, names registered once (R9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from custmodel import CustomerBook, CustomerKind, InvalidInputError, MemoryStore


def test_a_references_eraser_blanks_the_hosts_rows_on_anonymization() -> None:
    """register_reference(..., eraser=...) erases under the reference's name."""
    phones = {1: "0711 1", 2: "0711 2"}

    def erase(customers: frozenset[int]) -> int:
        erased = [n for n in customers if phones.get(n)]
        phones.update(dict.fromkeys(erased, ""))
        return len(erased)

    store = MemoryStore()
    store.register_reference("phones.customer", lambda customers, master: 0, eraser=erase)
    book = CustomerBook(store)
    book.register_many([])
    book.register(CustomerKind.PRIVATE, "Eins")
    book.register(CustomerKind.PRIVATE, "Zwei")
    report = book.anonymize(1, "AG1", date(2026, 11, 24))
    assert ({"phones.customer": 1}, {1: "", 2: "0711 2"}, ["phones.customer"]) == (
        dict(report.host_rows),
        phones,
        store.erasers,
    )


def test_a_name_is_registered_once() -> None:
    """An eraser or veto name, and a reference's eraser, are refused a second time."""
    store = MemoryStore()
    store.register_eraser("archive", lambda customers: 0)
    store.register_veto("claims", lambda customers: {})
    registrations: tuple[Callable[[], object], ...] = (
        lambda: store.register_eraser("archive", lambda customers: 0),
        lambda: store.register_veto("claims", lambda customers: {}),
        lambda: store.register_reference("archive", lambda c, m: 0, eraser=lambda c: 0),
    )
    for register in registrations:
        with pytest.raises(InvalidInputError):
            register()
    assert (["archive"], ["claims"]) == (store.erasers, store.vetoes)
