"""Every public entry point of CustomerBook refuses bad input with a custmodel error.

Each refusal raises a :class:`~custmodel.CustmodelError` subclass (which is also the fitting
builtin) and leaves the store exactly as it was.
"""

# Handing the book values of the wrong type is the point of this module.
# mypy: disable-error-code="arg-type, list-item, dict-item"

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from custmodel import (
    ConcurrentUpdateError,
    CustmodelError,
    CustomerBook,
    CustomerKind,
    CustomerNotFoundError,
    CustomerType,
    DeparturePeriod,
    InvalidCategoryError,
    InvalidInputError,
    InvalidStatusFlagError,
    KindSettings,
    LetterTemplateError,
    MemoryStore,
    MergeRefusedError,
    NewCustomer,
    Selection,
    Settings,
)
from tests.booksupport import AGENCY, firm_booking, make_book, snapshot

SETTINGS = Settings(
    kinds={
        CustomerKind.PRIVATE: KindSettings(categories=("A", "B"), status_labels={1: "VIP"}),
        CustomerKind.CORPORATE: KindSettings(categories=("A",), status_labels={1: "Richtlinie"}),
    }
)

Attempt = Callable[[CustomerBook], Any]


def _book() -> CustomerBook:
    """Customer 1 (private, category A, flag 1, one recent firm booking), 2 private, 3 firm."""
    book = make_book(SETTINGS)
    book.register(CustomerKind.PRIVATE, "Test", category="A", status=[1], code1="K-1")
    book.register(CustomerKind.PRIVATE, "Zwei")
    book.register(CustomerKind.CORPORATE, "Firma")
    book.record_booking(firm_booking("VG-1", 1, date(2024, 2, 1)))
    return book


def _updated(**changes: Any) -> Attempt:
    return lambda b: b.update(attrs.evolve(b.get(1), **changes))


NAIVE = datetime(2024, 3, 1, 9, 30)  # noqa: DTZ001 - the point of these cases

#: id -> (attempt, the error class it must raise).
CASES: dict[str, tuple[Attempt, type[CustmodelError]]] = {
    # settings
    "configure with no Settings": (lambda b: b.configure("x"), InvalidInputError),
    "kind setting unknown": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, colour="red"),
        InvalidInputError,
    ),
    "kind setting of an unknown kind": (
        lambda b: b.update_kind_settings("bogus", dunning_fee=Decimal("1.00")),
        InvalidInputError,
    ),
    "negative dunning fee": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, dunning_fee=Decimal("-1.00")),
        InvalidInputError,
    ),
    "float dunning fee": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, dunning_fee=2.5),
        InvalidInputError,
    ),
    "sub-cent dunning fee": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, dunning_fee=Decimal("0.001")),
        InvalidInputError,
    ),
    "label for flag 0": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, status_labels={0: "x"}),
        InvalidStatusFlagError,
    ),
    "label for flag 33": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, status_labels={33: "x"}),
        InvalidStatusFlagError,
    ),
    "categories as one string": (
        lambda b: b.update_kind_settings(CustomerKind.CORPORATE, categories="AB"),
        InvalidInputError,
    ),
    "category removed that is in use": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, categories=("B",)),
        InvalidCategoryError,
    ),
    "negative debtor offset": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, debtor_offset=-1),
        InvalidInputError,
    ),
    "debtor range upside down": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, debtor_min=20, debtor_max=10),
        InvalidInputError,
    ),
    "template customer 0": (
        lambda b: b.update_kind_settings(CustomerKind.PRIVATE, template_customer=0),
        InvalidInputError,
    ),
    "rename label of flag 0": (
        lambda b: b.rename_status_label(CustomerKind.PRIVATE, 0, "x"),
        InvalidStatusFlagError,
    ),
    "rename label of flag 33": (
        lambda b: b.rename_status_label(CustomerKind.PRIVATE, 33, "x"),
        InvalidStatusFlagError,
    ),
    "rename label on an unknown kind": (
        lambda b: b.rename_status_label("bogus", 1, "x"),
        InvalidInputError,
    ),
    "rename label to a blank": (
        lambda b: b.rename_status_label(CustomerKind.PRIVATE, 1, "   "),
        InvalidInputError,
    ),
    # registration
    "register flag 0": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", status=[0]),
        InvalidStatusFlagError,
    ),
    "register flag 33": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", status=[33]),
        InvalidStatusFlagError,
    ),
    "register unlabelled flag": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", status=[2]),
        InvalidStatusFlagError,
    ),
    "register unknown category": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", category="Z"),
        InvalidCategoryError,
    ),
    "register empty last name": (
        lambda b: b.register(CustomerKind.PRIVATE, ""),
        InvalidInputError,
    ),
    "register blank last name": (
        lambda b: b.register(CustomerKind.PRIVATE, "  "),
        InvalidInputError,
    ),
    "register last name None": (
        lambda b: b.register(CustomerKind.PRIVATE, None),
        InvalidInputError,
    ),
    "register control character": (
        lambda b: b.register(CustomerKind.PRIVATE, "Te\x00st"),
        InvalidInputError,
    ),
    "register unknown kind": (lambda b: b.register("bogus", "X"), InvalidInputError),
    "register unknown type": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", customer_type="bogus"),
        InvalidInputError,
    ),
    "register birth date as datetime": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", birth_date=NAIVE),
        InvalidInputError,
    ),
    "register birth date as text": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", birth_date="1980-05-17"),
        InvalidInputError,
    ),
    "register unknown field": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", shoe_size=44),
        InvalidInputError,
    ),
    "register first name no text": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", first_name=5),
        InvalidInputError,
    ),
    "register commission scheme no text": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", commission_scheme=5),
        InvalidInputError,
    ),
    "register empty fee schedule": (
        lambda b: b.register(CustomerKind.PRIVATE, "X", fee_schedule=""),
        InvalidInputError,
    ),
    "register many of no drafts": (lambda b: b.register_many([object()]), InvalidInputError),
    "register many of a number": (lambda b: b.register_many(5), InvalidInputError),
    # lookup
    "resolve debtor account 0": (lambda b: b.resolve_debtor_account(0), InvalidInputError),
    "resolve debtor account text": (
        lambda b: b.resolve_debtor_account("10001"),
        InvalidInputError,
    ),
    "find by code1 None": (lambda b: b.find_by_code1(None), InvalidInputError),
    "find by code1 number": (lambda b: b.find_by_code1(1), InvalidInputError),
    "select no Selection": (lambda b: b.select("x"), InvalidInputError),
    "count no Selection": (lambda b: b.count({"kind": "private"}), InvalidInputError),
    "selection of an unknown kind": (
        lambda b: b.select(Selection(kind="bogus")),
        InvalidInputError,
    ),
    "get booking by number": (lambda b: b.get_booking(1), InvalidInputError),
    # changes
    "update no Customer": (lambda b: b.update("x"), InvalidInputError),
    "update unknown category": (_updated(category="Z"), InvalidCategoryError),
    "update unlabelled flag": (_updated(status=[1, 2]), InvalidStatusFlagError),
    "update kind": (_updated(kind=CustomerKind.CORPORATE), InvalidInputError),
    "update debtor account": (_updated(debtor_account=99999), InvalidInputError),
    "update blank last name": (_updated(last_name=" "), InvalidInputError),
    "change kind to an unknown kind": (lambda b: b.change_kind(1, "bogus"), InvalidInputError),
    "change type to an unknown type": (lambda b: b.change_type(1, "bogus"), InvalidInputError),
    "set status flag 0": (lambda b: b.set_status(None, 0), InvalidStatusFlagError),
    "set status flag 33": (lambda b: b.set_status(None, 33), InvalidStatusFlagError),
    "set status unlabelled flag": (lambda b: b.set_status(None, 2), InvalidStatusFlagError),
    "set status no Selection": (lambda b: b.set_status("all", 1), InvalidInputError),
    # bookings
    "record no Booking": (lambda b: b.record_booking("VG-2"), InvalidInputError),
    "record for an unknown customer": (
        lambda b: b.record_booking(firm_booking("VG-2", 99)),
        CustomerNotFoundError,
    ),
    "convert into an unknown kind": (
        lambda b: b.record_booking(firm_booking("VG-2", 2), convert_to="bogus"),
        InvalidInputError,
    ),
    "convert into a prospect": (
        lambda b: b.record_booking(firm_booking("VG-2", 2), convert_to=CustomerKind.PROSPECT),
        InvalidInputError,
    ),
    # statistics
    "statistics by an unknown dimension": (
        lambda b: b.statistics(group_by="colour"),
        InvalidInputError,
    ),
    "statistics by no dimension": (lambda b: b.statistics(group_by=[]), InvalidInputError),
    "statistics by a dimension twice": (
        lambda b: b.statistics(group_by=["kind", "category", "kind"]),
        InvalidInputError,
    ),
    "statistics by a number": (lambda b: b.statistics(group_by=3), InvalidInputError),
    "statistics of no Selection": (lambda b: b.statistics("all"), InvalidInputError),
    "statistics over a pair of dates": (
        lambda b: b.statistics(period=(date(2024, 1, 1), date(2024, 12, 31))),
        InvalidInputError,
    ),
    # dunning
    "negative open amount": (lambda b: b.dunning_fields(1, Decimal("-0.01")), InvalidInputError),
    "float open amount": (lambda b: b.dunning_fields(1, 12.5), InvalidInputError),
    "sub-cent open amount": (lambda b: b.dunning_fields(1, Decimal("1.234")), InvalidInputError),
    # profile, letters and data files
    "profile of number 0": (lambda b: b.profile(0), InvalidInputError),
    "profile of an unknown customer": (lambda b: b.profile(99), CustomerNotFoundError),
    "letters with an unknown placeholder": (
        lambda b: b.letters(None, "{Kunde-Hobby}"),
        LetterTemplateError,
    ),
    "letters with an unclosed brace": (
        lambda b: b.letters(None, "{Kunde-Name"),
        LetterTemplateError,
    ),
    "letters from bytes": (lambda b: b.letters(None, b"{Kunde-Name}"), LetterTemplateError),
    "letters no Selection": (lambda b: b.letters("all", "x"), InvalidInputError),
    "letters negative open amount": (
        lambda b: b.letters(None, "x", open_amounts={1: Decimal("-1.00")}),
        InvalidInputError,
    ),
    "letters float open amount": (
        lambda b: b.letters(None, "x", open_amounts={1: 12.5}),
        InvalidInputError,
    ),
    "letters open amounts by text key": (
        lambda b: b.letters(None, "x", open_amounts={"1": "5.00"}),
        InvalidInputError,
    ),
    "letters open amounts as a list": (
        lambda b: b.letters(None, "x", open_amounts=[Decimal("5.00")]),
        InvalidInputError,
    ),
    "letters batch size 0": (lambda b: b.letters(None, "x", batch_size=0), InvalidInputError),
    "letters owing only as text": (
        lambda b: b.letters(None, "x", owing_only="yes"),
        InvalidInputError,
    ),
    "merge data unknown field": (
        lambda b: b.write_merge_data(None, io.StringIO(), fields=["Kunde-Hobby"]),
        LetterTemplateError,
    ),
    "merge data no fields": (
        lambda b: b.write_merge_data(None, io.StringIO(), fields=[]),
        InvalidInputError,
    ),
    "merge data bad delimiter": (
        lambda b: b.write_merge_data(None, io.StringIO(), delimiter="|"),
        InvalidInputError,
    ),
    "merge data to None": (lambda b: b.write_merge_data(None, None), InvalidInputError),
    # merge
    "merge into itself": (lambda b: b.merge(1, [1]), MergeRefusedError),
    "plan merge into itself": (lambda b: b.plan_merge(2, [2]), MergeRefusedError),
    "merge one number, not a list": (lambda b: b.merge(1, 2), InvalidInputError),
    "merge duplicate 0": (lambda b: b.merge(1, [0]), InvalidInputError),
    "merge master 0": (lambda b: b.merge(0, [2]), InvalidInputError),
    "merge duplicate as text": (lambda b: b.merge(1, ["2"]), InvalidInputError),
    # anonymization
    "eligibility for an empty agency": (lambda b: b.eligibility(1, ""), InvalidInputError),
    "eligibility for agency None": (lambda b: b.eligibility(1, None), InvalidInputError),
    "eligibility on a datetime": (
        lambda b: b.eligibility(1, AGENCY, datetime(2024, 6, 1, tzinfo=UTC)),
        InvalidInputError,
    ),
    "eligibility on a text date": (
        lambda b: b.eligibility(1, AGENCY, "2024-06-01"),
        InvalidInputError,
    ),
    "anonymize for an empty agency": (lambda b: b.anonymize(2, " "), InvalidInputError),
    "anonymize on a datetime": (
        lambda b: b.anonymize(2, AGENCY, datetime(2024, 6, 1, tzinfo=UTC)),
        InvalidInputError,
    ),
}


@pytest.mark.parametrize(("attempt", "error"), CASES.values(), ids=CASES)
def test_bad_input_is_refused_with_a_custmodel_error(
    attempt: Attempt, error: type[CustmodelError]
) -> None:
    """The entry point raises the fitting custmodel error class."""
    book = _book()

    with pytest.raises(error):
        attempt(book)


@pytest.mark.parametrize(("attempt", "error"), CASES.values(), ids=CASES)
def test_bad_input_changes_nothing(attempt: Attempt, error: type[CustmodelError]) -> None:
    """After the refusal, settings, customers, bookings and counter are as before."""
    book = _book()
    before = snapshot(book)

    with pytest.raises(error):
        attempt(book)

    assert before == snapshot(book)


BAD_NUMBERS = [0, -1, "1", True, 1.0, None]

#: Entry points that take a customer number first.
BY_NUMBER: dict[str, Attempt] = {
    "get": lambda b: b.get,
    "resolve": lambda b: b.resolve,
    "bookings": lambda b: b.bookings,
    "effective_rules": lambda b: b.effective_rules,
    "change_kind": lambda b: lambda n: b.change_kind(n, CustomerKind.CORPORATE),
    "change_type": lambda b: lambda n: b.change_type(n, CustomerType.REGULAR),
    "dunning_fields": lambda b: lambda n: b.dunning_fields(n, Decimal("1.00")),
    "eligibility": lambda b: lambda n: b.eligibility(n, AGENCY),
    "anonymize": lambda b: lambda n: b.anonymize(n, AGENCY),
    "merge master": lambda b: lambda n: b.merge(n, [2]),
    "merge duplicate": lambda b: lambda n: b.merge(1, [n]),
    "plan_merge master": lambda b: lambda n: b.plan_merge(n, [2]),
}


@pytest.mark.parametrize("number", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("entry", BY_NUMBER.values(), ids=BY_NUMBER)
def test_bad_customer_number_is_refused(entry: Attempt, number: object) -> None:
    """A customer number must be a positive int (not 0, negative, text, bool or float)."""
    book = _book()
    before = snapshot(book)

    with pytest.raises(InvalidInputError):
        entry(book)(number)

    assert before == snapshot(book)


def _naive_clock() -> datetime:
    return NAIVE


#: Commands that stamp what they write with the clock.
CLOCKED: dict[str, Attempt] = {
    "register": lambda b: b.register(CustomerKind.PRIVATE, "X"),
    "register_many": lambda b: b.register_many([NewCustomer(CustomerKind.PRIVATE, "X")]),
    "update": lambda b: b.update(attrs.evolve(b.get(2), city="Köln")),
    "change_kind": lambda b: b.change_kind(2, CustomerKind.CORPORATE),
    "change_type": lambda b: b.change_type(2, CustomerType.REGULAR),
    "set_status": lambda b: b.set_status(Selection(kind=CustomerKind.PRIVATE), 1),
    "merge": lambda b: b.merge(1, [2]),
    "anonymize": lambda b: b.anonymize(2, AGENCY, date(2024, 6, 1)),
}


@pytest.mark.parametrize("attempt", CLOCKED.values(), ids=CLOCKED)
def test_naive_clock_is_refused_and_changes_nothing(attempt: Attempt) -> None:
    """A clock without time zone is misuse: InvalidInputError, nothing written."""
    store = MemoryStore()
    _populate(CustomerBook(store, SETTINGS))
    book = CustomerBook(store, clock=_naive_clock)
    before = snapshot(book)

    with pytest.raises(InvalidInputError):
        attempt(book)

    assert before == snapshot(book)


def _populate(book: CustomerBook) -> None:
    book.register(CustomerKind.PRIVATE, "Test", category="A", status=[1])
    book.register(CustomerKind.PRIVATE, "Zwei")


def test_naive_clock_is_refused_before_anything_else() -> None:
    """Even without settings, a naive clock makes the first registration fail."""
    book = CustomerBook(MemoryStore(), clock=_naive_clock)

    with pytest.raises(InvalidInputError):
        book.register(CustomerKind.PRIVATE, "X")


def test_anonymize_refuses_an_empty_agency_for_an_anonymized_customer() -> None:
    """Bad input is refused even when the command would be a no-op."""
    book = _book()
    book.anonymize(2, AGENCY)

    with pytest.raises(InvalidInputError):
        book.anonymize(2, "")


def test_stale_update_is_refused_and_changes_nothing() -> None:
    """An update based on an outdated version raises ConcurrentUpdateError, writes nothing."""
    book = _book()
    stale = book.get(1)
    book.change_type(1, CustomerType.REGULAR)
    before = snapshot(book)

    with pytest.raises(ConcurrentUpdateError):
        book.update(attrs.evolve(stale, city="Köln"))

    assert before == snapshot(book)


def _with(**fields: Any) -> object:
    """A firm booking with ``fields`` changed (evolve runs the validators again)."""
    return attrs.evolve(firm_booking("VG-1", 1), **fields)


#: Domain objects refuse bad values when they are built, before any entry point sees them.
CONSTRUCTORS: dict[str, Callable[[], object]] = {
    "booking departure as datetime": lambda: firm_booking("VG-1", 1, NAIVE),
    "booking negative open amount": lambda: firm_booking("VG-1", 1, open_amount=Decimal("-1")),
    "booking float open amount": lambda: firm_booking("VG-1", 1, open_amount=0.1),
    "booking unknown kind": lambda: attrs.evolve(firm_booking("VG-1", 1), kind="reservation"),
    "booking customer 0": lambda: firm_booking("VG-1", 0),
    "booking empty reference": lambda: firm_booking(" ", 1),
    "booking empty point of sale": lambda: firm_booking("VG-1", 1, point_of_sale=""),
    "booking negative revenue": lambda: _with(revenue=Decimal("-0.01")),
    "booking float revenue": lambda: _with(revenue=19.99),
    "booking sub-cent revenue": lambda: _with(revenue=Decimal("1.001")),
    "booking empty travel type": lambda: _with(travel_type=""),
    "booking blank destination": lambda: _with(destination="  "),
    "booking travel type no text": lambda: _with(travel_type=7),
    "booking destination with a control character": lambda: _with(destination="Kre\nta"),
    "new customer unknown kind": lambda: NewCustomer("bogus", "X"),
    "settings unknown kind": lambda: Settings(kinds={"bogus": KindSettings()}),
    "settings negative delay": lambda: Settings(anonymization_delay_days=-1),
    "selection flag 33": lambda: Selection(status_all=frozenset({33})),
    "selection flag 0": lambda: Selection(status_any=frozenset({0})),
    "period ending before it starts": lambda: DeparturePeriod(date(2025, 2, 1), date(2025, 1, 31)),
    "period starting at a datetime": lambda: DeparturePeriod(NAIVE),
    "period of year 0": lambda: DeparturePeriod.year(0),
}


@pytest.mark.parametrize("build", CONSTRUCTORS.values(), ids=CONSTRUCTORS)
def test_domain_object_refuses_a_bad_value(build: Callable[[], object]) -> None:
    """Building a domain object from a bad value raises InvalidInputError."""
    with pytest.raises(InvalidInputError):
        build()
