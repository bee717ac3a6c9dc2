"""Property: errors never carry personal data (R9: a log line must not undo erasure).

Not in their message, repr or arguments, not in the exceptions they chain (cause, context and
what those hold, such as a SQL driver's statement parameters), not in the command line's usage
errors however Click escapes a typed value, not in an import's error line about a bad cell.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from custmodel import (
    CustmodelError,
    CustomerBook,
    CustomerKind,
    CustomerType,
    KindSettings,
    NewCustomer,
    Selection,
    Settings,
    StatusFlags,
    letters,
    open_store,
)
from custmodel.cli import app
from custmodel.cli._transfer import BOOKING_COLUMNS, CUSTOMER_COLUMNS
from custmodel.storage.sql import SqlStore
from custmodel.testing import strategies as cst
from tests.booksupport import AGENCY, firm_booking, make_book
from tests.privacy import error_texts, leaked

#: Private customers know categories A/B and flag 1; corporate accounts sit one above private
#: ones, so a taken debtor account is one registration away (see "taken account" below).
SETTINGS = Settings(
    kinds={
        CustomerKind.PRIVATE: KindSettings(categories=("A", "B"), status_labels={1: "VIP"}),
        CustomerKind.CORPORATE: KindSettings(debtor_offset=1),
    }
)


def _personal(draft: NewCustomer) -> set[str]:
    return {getattr(draft, field) for field in cst.MARKED_FIELDS}


#: Four private customers with every personal text field marked.
MARKED_DRAFTS = st.lists(
    cst.marked_new_customers(kind=CustomerKind.PRIVATE, settings=SETTINGS), min_size=4, max_size=4
)


def _marked_book(drafts: list[NewCustomer]) -> CustomerBook:
    """Customers 1..4 from ``drafts``: 1 is the private template customer, 2 has a blocking
    booking, 3 was merged into 2, 4 is anonymized."""
    book = make_book(SETTINGS)
    book.register_many(drafts)
    book.update_kind_settings(CustomerKind.PRIVATE, template_customer=1)
    book.record_booking(firm_booking("VG-1", 2, date(2024, 6, 1), point_of_sale="AG2"))
    book.merge(2, [3])
    book.anonymize(4, AGENCY, date(2024, 3, 1))
    return book


def _refused_by_the_database(drafts: list[NewCustomer]) -> object:
    """Register the first marked customer twice on SQLite, under a host's unique index on the
    last name: the driver refuses the statement that carries every marked field."""
    store = open_store("sqlite://")
    assert isinstance(store, SqlStore)
    customers = sa.Table("custmodel_customers", sa.MetaData(), autoload_with=store.engine)
    with store.engine.begin() as connection:
        sa.Index("host_unique_last_name", customers.c.last_name, unique=True).create(connection)
    book = CustomerBook(store, SETTINGS)
    try:
        return book.register_many([drafts[0], drafts[0]])
    finally:
        store.close()


def _carried_category_removed(book: CustomerBook, drafts: list[NewCustomer]) -> object:
    """Give private customers a category named like a person, use it, then remove it."""
    named = drafts[0].last_name
    book.update_kind_settings(CustomerKind.PRIVATE, categories=("A", "B", named))
    book.update(attrs.evolve(book.get(1), category=named))
    return book.update_kind_settings(CustomerKind.PRIVATE, categories=("A", "B"))


def _stale_update(book: CustomerBook) -> object:
    stale = book.get(2)
    book.change_type(2, CustomerType.REGULAR)
    return book.update(attrs.evolve(stale, city=stale.city + "x"))


#: Commands that fail on a marked book, each exercising another error class.
TRIGGERS: dict[str, Callable[[CustomerBook, list[NewCustomer]], object]] = {
    "stale update": lambda b, d: _stale_update(b),
    "bad category": lambda b, d: b.update(attrs.evolve(b.get(1), category="Z")),
    "unlabelled flag": lambda b, d: b.update(attrs.evolve(b.get(1), status=StatusFlags.of([9]))),
    "kind by update": lambda b, d: b.update(attrs.evolve(b.get(1), kind=CustomerKind.CORPORATE)),
    "control character": lambda b, d: attrs.evolve(b.get(1), city=d[0].city + "\x00"),
    "register unlabelled flag": lambda b, d: b.register(
        CustomerKind.PRIVATE, d[0].last_name, email=d[0].email, status=[5]
    ),
    "register bad category": lambda b, d: b.register(
        CustomerKind.PRIVATE, d[0].last_name, street=d[0].street, category="Z"
    ),
    "register birth datetime": lambda b, d: b.register(
        CustomerKind.PRIVATE, d[0].last_name, birth_date=datetime(1980, 1, 1, tzinfo=UTC)
    ),
    "not eligible": lambda b, d: b.anonymize(2, AGENCY, date(2024, 6, 2)),
    "merge into itself": lambda b, d: b.merge(1, [1]),
    "merge merged": lambda b, d: b.merge(1, [3]),
    "merge anonymized": lambda b, d: b.merge(4, [1]),
    "merged customer": lambda b, d: b.change_kind(3, CustomerKind.CORPORATE),
    "anonymized customer": lambda b, d: b.dunning_fields(4, Decimal("1.00")),
    "template customer": lambda b, d: b.change_kind(1, CustomerKind.CORPORATE),
    "template of another kind": lambda b, d: b.update_kind_settings(
        CustomerKind.CORPORATE, template_customer=2
    ),
    "taken account": lambda b, d: [
        b.register(CustomerKind.CORPORATE, d[1].last_name),  # 5 -> 10006
        b.register(CustomerKind.PRIVATE, d[1].last_name, code1=d[1].code1),  # 6 -> 10006
    ],
    "unknown customer": lambda b, d: b.get(99),
    "unknown debtor account": lambda b, d: b.resolve_debtor_account(99),
    "unknown booking": lambda b, d: b.get_booking("XX-000000"),
    "bad selection": lambda b, d: b.select(Selection(name=d[0].last_name + "\x07")),
    "unknown customer's profile": lambda b, d: b.profile(99),
    "template with an unclosed brace": lambda b, d: b.letters(
        None, f"Liebe {d[0].first_name} {d[0].last_name}, {{Kunde-Name"
    ),
    "template with an unknown placeholder": lambda b, d: b.letters(
        None, f"Liebe {d[0].first_name} {d[0].last_name}, {{Kunde-Hobby}}"
    ),
    "letter to an anonymized customer": lambda b, d: letters.render_letter(
        "{Kunde-Name}", attrs.evolve(b.get(1), anonymized_at=b.get(1).created_at), b.settings
    ),
    "letter to a merged customer": lambda b, d: letters.render_letter(
        "{Kunde-Name}", attrs.evolve(b.get(1), merged_into=2), b.settings
    ),
    "carried category removed": _carried_category_removed,
    "refused by the database": lambda b, d: _refused_by_the_database(d),
}


def _error_texts(trigger: str, drafts: list[NewCustomer]) -> list[str]:
    """Run ``trigger`` on a fresh marked book; return everything its error and its chain show."""
    try:
        TRIGGERS[trigger](_marked_book(drafts), drafts)
    except CustmodelError as error:
        return error_texts(error)
    raise AssertionError(f"{trigger} raised no error")


@settings(deadline=None)
@given(MARKED_DRAFTS)
def test_error_messages_carry_no_personal_data(drafts: list[NewCustomer]) -> None:
    """No planted marker appears in the message, repr, arguments or chained exceptions of any
    error raised."""
    personal = set().union(*map(_personal, drafts))

    leaks = {trigger: leaked(personal, _error_texts(trigger, drafts)) for trigger in TRIGGERS}

    assert {} == {trigger: found for trigger, found in leaks.items() if found}


# -- the command line ---------------------------------------------------------------------------

#: Characters Click and Typer show escaped (repr, ``\xNN``) or that make a value look like an
#: option, put between and before markers.
ESCAPED = st.sampled_from(["\\", "\t", "\\\t", "\t\\", "\n", "\r", "\x07", "'\"", "\\x", " "])


@st.composite
def escaped_values(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A typed value: two markers with backslashes, tabs or the like around and between them."""
    first, second = draw(st.lists(cst.markers(), min_size=2, max_size=2, unique=True))
    lead = draw(st.sampled_from(["", "-", "--", "\\", "\t"]))
    tail = draw(st.sampled_from(["", "\\", "\t"]))
    return lead + first + draw(ESCAPED) + second + tail, [first, second]


#: Command lines that are wrong because of the value typed at ``{}``.
USAGE_ERRORS = (
    ("customer", "register", "{}", "private"),
    ("customer", "select", "--kind", "{}"),
    ("customer", "select", "--kind={}"),
    ("customer", "select", "--flag", "{}"),
    ("stats", "--by", "{}"),
    ("customer", "show", "{}"),
    ("customer", "show", "1", "{}"),
    ("{}",),
    ("import", "customers", "{}"),
    ("settings", "categories", "{}", "A"),
)


@settings(deadline=None)
@given(escaped_values(), st.sampled_from(USAGE_ERRORS))
def test_usage_errors_carry_no_typed_value(
    typed: tuple[str, list[str]], template: tuple[str, ...]
) -> None:
    """A usage error never shows a typed value, however it escapes backslashes and tabs."""
    value, planted = typed
    args = ["--db", "memory://", *(part.format(value) for part in template)]

    result = CliRunner().invoke(app, args)

    assert (2, set()) == (result.exit_code, leaked(planted, [result.stderr, result.stdout]))


def _import_file(file: Path, columns: list[str], rows: list[list[str]]) -> Path:
    """Write ``rows`` under a header of ``columns`` as CSV, or as JSON Lines without the
    empty cells, as the file's suffix says."""
    if file.suffix == ".csv":
        with file.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([columns, *rows])
    else:
        objects = [{c: cell for c, cell in zip(columns, row, strict=True) if cell} for row in rows]
        file.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return file


#: A row each import accepts.
_GOOD = {
    "customers": {"kind": "private", "last_name": "Neumann"},
    "bookings": {
        "reference": "VG-1", "customer": "1", "kind": "booking", "departure": "2027-05-01",
        "point_of_sale": "AG1",
    },
}  # fmt: skip
#: Which import reads which columns.
_IMPORTS = [("customers", c) for c in CUSTOMER_COLUMNS] + [("bookings", c) for c in BOOKING_COLUMNS]
#: A marker that looks like a field name: a file without a header row may start with one.
_FIELD_LIKE = st.from_regex(r"mk[a-z_]{8}", fullmatch=True)


def _import(what: str, file: Path) -> str:
    return CliRunner().invoke(app, ["--db", "memory://", "import", what, str(file)]).stderr


@settings(deadline=None)
@given(escaped_values(), st.sampled_from(_IMPORTS), st.sampled_from(["csv", "jsonl"]))
def test_import_errors_carry_no_cell(
    typed: tuple[str, list[str]], imported: tuple[str, str], fmt: str
) -> None:
    """An import's error line names the row and the column of a bad cell, never its content."""
    value, planted = typed
    what, column = imported
    row = {**_GOOD[what], column: value}

    with tempfile.TemporaryDirectory() as directory:
        shown = _import(what, _import_file(Path(directory) / f"k.{fmt}", [*row], [[*row.values()]]))

    assert set() == leaked(planted, [shown])


@settings(deadline=None)
@given(st.one_of(escaped_values(), _FIELD_LIKE.map(lambda m: (m, [m]))), st.booleans())
def test_import_errors_carry_no_header_cell(typed: tuple[str, list[str]], customers: bool) -> None:
    """A header row (or a first data row taken for one) is never repeated, except for
    custmodel's own field names."""
    value, planted = typed
    what = "customers" if customers else "bookings"
    columns = [*_GOOD[what], value]

    with tempfile.TemporaryDirectory() as directory:
        file = _import_file(Path(directory) / "k.csv", columns, [["x"] * len(columns)])
        shown = _import(what, file)

    assert set() == leaked(planted, [shown])
