"""After anonymization no personal data survives in the database's files or columns (R9).

Markers (unique, non-ASCII text) are planted in every personal text field of a customer and of
two duplicates merged into it, and in the source and note of each one's ledger entries about
advertising (an objection and a consent). Each party's city is set by an update, and a status
run selects the customer by its name and another the second duplicate by its code1, so that the
change history holds markers in old and new values and in the selections of bulk runs. The
customer's erasure request is recorded and the customer anonymized. Then the SQLite file and
its ``-wal`` and ``-shm`` files are read byte for byte, and on the servers every column of every
custmodel table (the change history's included), for each marker in every form a column could
hold it: as given, NFC, NFD and casefolded (``search_name`` holds folded names).

``category`` gets no marker: its value comes from the kind's configured list, which stays in the
settings by design; ``birth_date`` gets an unusual date, searched for as stored (ISO text).
"""

from __future__ import annotations

import logging
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custmodel import (
    PERSONAL_FIELDS,
    CustomerBook,
    CustomerKind,
    KindSettings,
    Selection,
    Settings,
)
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore

#: Personal fields that hold free text; category and the non-text fields are handled apart.
TEXT_FIELDS = tuple(f for f in PERSONAL_FIELDS if f not in ("birth_date", "status", "category"))
BIRTH_DATE = date(1903, 7, 29)
AGENCY = "AG1"
NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
RECEIVED = date(2024, 2, 20)
#: Letters markers are drawn from: German umlauts and ß, accents, a tilde, other scripts.
LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßÄÖÜéñÉÑçÅøłŽπΣжЯ"
#: The parties that get markers: the customer who is anonymized and its two duplicates.
PARTIES = ("master", "first duplicate", "second duplicate")
#: The free text of a ledger entry about advertising, marked apart from the customer's fields.
LEDGER_FIELDS = ("source", "note")
#: The day the parties' objections and consents were given.
GIVEN = date(2024, 2, 1)
#: Settings with the flags the status runs set.
SETTINGS = Settings(
    kinds={CustomerKind.PRIVATE: KindSettings(status_labels={1: "Newsletter", 2: "Katalog"})}
)


def _forms(text: str) -> set[str]:
    """Return every form a stored column could hold ``text`` in."""
    forms = {text}
    for form in ("NFC", "NFD"):
        normal = unicodedata.normalize(form, text)
        forms |= {normal, normal.casefold(), normal.lower(), normal.upper()}
    return forms


def _needles(markers: list[str]) -> set[bytes]:
    """Return the UTF-8 bytes of every form of every marker, and of the birth date."""
    needles = {form.encode("utf-8") for marker in markers for form in _forms(marker)}
    return needles | {BIRTH_DATE.isoformat().encode("ascii")}


@st.composite
def marker_sets(draw: st.DrawFn) -> dict[str, dict[str, str]]:
    """Draw one marker per party and personal text field, each unique by its prefix."""
    body = st.text(alphabet=LETTERS, min_size=12, max_size=20)
    markers: dict[str, dict[str, str]] = {}
    for p, party in enumerate(PARTIES):
        fields = (*TEXT_FIELDS, *(f"ledger {name}" for name in LEDGER_FIELDS))
        markers[party] = {field: f"Ж{p}{f:02d}{draw(body)}" for f, field in enumerate(fields)}
    return markers


#: The host's tables: notes' personal column is registered, letters are deleted by an eraser.
HOST = sa.MetaData()
sa.Table("custmodel_customers", HOST, sa.Column("number", sa.BigInteger, primary_key=True))
NOTES = sa.Table(
    "residue_notes",
    HOST,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer", sa.BigInteger, sa.ForeignKey("custmodel_customers.number")),
    sa.Column("text", sa.Text, nullable=False),
    mysql_engine="InnoDB",
)
LETTERS_SENT = sa.Table(
    "residue_letters",
    HOST,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer", sa.BigInteger, sa.ForeignKey("custmodel_customers.number")),
    sa.Column("body", sa.Text, nullable=False),
    mysql_engine="InnoDB",
)


def _erase_letters(connection: sa.Connection, customers: frozenset[int]) -> int:
    """The host's eraser: delete the customers' letters."""
    statement = sa.delete(LETTERS_SENT).where(LETTERS_SENT.c.customer.in_(customers))
    return int(connection.execute(statement).rowcount)


def _host_tables(store: SqlStore) -> None:
    """Create the host's tables (if not there) and register their personal data."""
    HOST.create_all(store.engine, tables=[NOTES, LETTERS_SENT])
    store.register_reference(NOTES.name, "customer", personal={"text": ""})
    store.register_reference(LETTERS_SENT.name, "customer")
    store.register_eraser("letters", _erase_letters)


def _plant_merge_and_anonymize(store: SqlStore, markers: dict[str, dict[str, str]]) -> int:
    """Register the marked parties, update their cities to their markers, plant their notes
    and street markers in the host's tables, run "Status setzen" on selections by a marked
    name and code1, merge, record an erasure request, anonymize; return the master's number."""
    _host_tables(store)
    book = CustomerBook(store, SETTINGS, clock=lambda: NOW, actor="residue")
    numbers: list[int] = []
    for party in PARTIES:
        fields: dict[str, Any] = dict(markers[party])
        last_name = fields.pop("last_name")
        ledger = {name: fields.pop(f"ledger {name}") for name in LEDGER_FIELDS}
        city = fields.pop("city")
        registered = book.register(CustomerKind.PRIVATE, last_name, birth_date=BIRTH_DATE, **fields)
        book.update(attrs.evolve(registered, city=city))
        numbers.append(registered.number)
        with store.engine.begin() as connection:
            number = registered.number
            connection.execute(sa.insert(NOTES).values(customer=number, text=fields["notes"]))
            connection.execute(
                sa.insert(LETTERS_SENT).values(customer=number, body=fields["street"])
            )
        # The objection stays (blanked) after anonymization; the consent is deleted.
        book.object_to_advertising(registered.number, "email", given_on=GIVEN, **ledger)
        book.record_marketing_choice(
            registered.number, "letter", "consent", given_on=GIVEN, **ledger
        )
    master, *duplicates = numbers
    assert 1 == book.set_status(Selection(name=markers["master"]["last_name"]), 1)
    assert 1 == book.set_status(Selection(code1=markers["second duplicate"]["code1"]), 2)
    book.merge(master, duplicates, fill_blanks=True)
    book.request_erasure(master, RECEIVED)
    report = book.anonymize(master, AGENCY)
    # The merge moved the duplicates' host rows to the master: all three are erased.
    assert {"letters": 3, "residue_notes.customer": 3} == dict(report.host_rows)
    return master


def _found_in_files(database: Path, needles: set[bytes]) -> dict[str, list[bytes]]:
    """Return, per file of the database (main, -wal, -shm) that exists, the needles in it."""
    found: dict[str, list[bytes]] = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{database}{suffix}")
        if path.exists():
            content = path.read_bytes()
            found[path.name] = sorted(n for n in needles if n in content)
    return found


def _column_texts(store: SqlStore) -> Iterator[str]:
    """Yield every value of every column of every custmodel table and host table, as text."""
    with store.engine.connect() as connection:
        for table in [*schema.metadata.sorted_tables, NOTES, LETTERS_SENT]:
            for row in connection.execute(sa.select(table)):
                yield from (str(value) for value in row if value is not None)


def _logged_markers(records: list[logging.LogRecord], markers: list[str]) -> list[str]:
    """Return the markers that appear in the messages of ``records``."""
    messages = [r.getMessage() for r in records if r.name.startswith("custmodel")]
    return [m for m in markers if any(form in msg for msg in messages for form in _forms(m))]


def _all(markers: dict[str, dict[str, str]]) -> list[str]:
    return [marker for party in markers.values() for marker in party.values()]


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(markers=marker_sets())
def test_no_marker_survives_in_the_sqlite_files(
    markers: dict[str, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    """No byte of the SQLite file, its -wal or its -shm holds a marker in any form, neither
    while the store is still open (the log was purged) nor after it was closed."""
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="custmodel")
    needles = _needles(_all(markers))
    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "residue.sqlite"
        store = SqlStore.from_url(f"sqlite:///{database}")
        _plant_merge_and_anonymize(store, markers)
        while_open = _found_in_files(database, needles)
        store.close()
        after_close = _found_in_files(database, needles)

    assert {"residue.sqlite": [], "residue.sqlite-wal": [], "residue.sqlite-shm": []} == while_open
    assert {name: [] for name in after_close} == after_close
    assert "residue.sqlite" in after_close
    assert [] == _logged_markers(caplog.records, _all(markers))
    assert any(r.name.startswith("custmodel") for r in caplog.records)


def test_the_file_search_finds_a_marker_that_is_still_stored(tmp_path: Path) -> None:
    """The byte search works: a registered, not anonymized customer's marker is found."""
    database = tmp_path / "control.sqlite"
    store = SqlStore.from_url(f"sqlite:///{database}")
    marker = "Ж00Straßenbahnäöüéñ"
    CustomerBook(store, Settings(), clock=lambda: NOW).register(CustomerKind.PRIVATE, marker)
    store.close()

    found = _found_in_files(database, _needles([marker]))

    assert marker.encode("utf-8") in found["control.sqlite"]
    assert marker.casefold().encode("utf-8") in found["control.sqlite"]


def test_the_file_search_finds_a_marker_the_history_still_holds(tmp_path: Path) -> None:
    """The byte search covers the change history: a marker the customer no longer holds, in
    an old value and in a status run's selection, is found until the customer is anonymized."""
    database = tmp_path / "history.sqlite"
    store = SqlStore.from_url(f"sqlite:///{database}")
    marker = "Ж01Straßenbahnäöüéñ"
    book = CustomerBook(store, SETTINGS, clock=lambda: NOW)
    customer = book.register(CustomerKind.PRIVATE, "Anders", city=marker)
    book.set_status(Selection(code1=marker.casefold()), 1)
    book.update(attrs.evolve(book.get(customer.number), city="Ulm"))
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(schema.customers.c.city)).scalars().all()
    store.close()

    found = _found_in_files(database, _needles([marker]))

    assert (["Ulm"], True) == (rows, marker.encode("utf-8") in found["history.sqlite"])


@pytest.fixture(
    params=[
        pytest.param("postgres_url", marks=pytest.mark.server),
        pytest.param("mariadb_url", marks=pytest.mark.server),
    ]
)
def server_store(request: pytest.FixtureRequest) -> Iterator[Callable[[], SqlStore]]:
    """Opens a store on an emptied server database (PostgreSQL, MariaDB) for each example."""
    opened: list[SqlStore] = []

    def open_store() -> SqlStore:
        store = SqlStore.from_url(request.getfixturevalue(request.param))
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        HOST.drop_all(store.engine, tables=[NOTES, LETTERS_SENT])
        store.close()


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(markers=marker_sets())
def test_no_marker_survives_in_any_column_on_a_server(
    markers: dict[str, dict[str, str]],
    server_store: Callable[[], SqlStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No column of any custmodel table on PostgreSQL or MariaDB holds a marker in any form."""
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="custmodel")
    store = server_store()
    _plant_merge_and_anonymize(store, markers)
    needles = {n.decode("utf-8") for n in _needles(_all(markers))}

    texts = list(_column_texts(store))

    assert [] == [n for n in sorted(needles) if any(n in text for text in texts)]
    assert [] == _logged_markers(caplog.records, _all(markers))
    assert any(r.name.startswith("custmodel") for r in caplog.records)
