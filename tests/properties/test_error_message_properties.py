"""Property: error messages never carry personal data (R9: a log line must not undo erasure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
from hypothesis import given
from hypothesis import strategies as st

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
)
from custmodel.testing import strategies as cst
from tests.booksupport import AGENCY, firm_booking, make_book

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
}


def _error_texts(trigger: str, drafts: list[NewCustomer]) -> list[str]:
    """Run ``trigger`` on a fresh marked book; return everything its error shows."""
    try:
        TRIGGERS[trigger](_marked_book(drafts), drafts)
    except CustmodelError as error:
        return [str(error), repr(error), *map(repr, error.args)]
    raise AssertionError(f"{trigger} raised no error")


@given(MARKED_DRAFTS)
def test_error_messages_carry_no_personal_data(drafts: list[NewCustomer]) -> None:
    """No planted marker appears in the message, repr or arguments of any error raised."""
    personal = set().union(*map(_personal, drafts))

    leaks = {
        trigger: {marker for marker in personal if any(marker in t for t in texts)}
        for trigger in TRIGGERS
        for texts in [_error_texts(trigger, drafts)]
    }

    assert {} == {trigger: found for trigger, found in leaks.items() if found}
