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
    MAX_CATEGORIES,
    MAX_LABEL_LENGTH,
    MAX_MONEY,
    MAX_NOTES_LENGTH,
    AlreadyMergedError,
    ConcurrentUpdateError,
    CustmodelError,
    CustomerBook,
    CustomerKind,
    CustomerNotFoundError,
    CustomerType,
    DeparturePeriod,
    InvalidCategoryError,
    InvalidInputError,
    InvalidSettingsError,
    InvalidStatusFlagError,
    KindSettings,
    LetterTemplateError,
    MemoryStore,
    MergeRefusedError,
    NewCustomer,
    SalesChannel,
    Selection,
    Settings,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
)
from custmodel.letters import check_open_amounts
from custmodel.model import cents, check_flag_number
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
    "book setting unknown": (lambda b: b.update_settings(colour="red"), InvalidInputError),
    "book setting kinds": (lambda b: b.update_settings(kinds={}), InvalidInputError),
    "debtor base as text": (lambda b: b.update_settings(debtor_base="20000"), InvalidInputError),
    "negative anonymization delay": (
        lambda b: b.update_settings(debtor_base=20000, anonymization_delay_days=-1),
        InvalidInputError,
    ),
    "book and kind settings with a bad kind value": (
        lambda b: b.update_settings(
            debtor_base=20000, per_kind={CustomerKind.PRIVATE: {"dunning_fee": Decimal("-1")}}
        ),
        InvalidInputError,
    ),
    "per_kind of an unknown kind": (
        lambda b: b.update_settings(per_kind={"bogus": {"dunning_fee": Decimal("1.00")}}),
        InvalidInputError,
    ),
    "per_kind with an unknown field": (
        lambda b: b.update_settings(per_kind={CustomerKind.PRIVATE: {"colour": "red"}}),
        InvalidInputError,
    ),
    "per_kind not a mapping": (
        lambda b: b.update_settings(per_kind=[CustomerKind.PRIVATE]),
        InvalidInputError,
    ),
    "per_kind removing a category in use": (
        lambda b: b.update_settings(
            debtor_base=20000, per_kind={CustomerKind.PRIVATE: {"categories": ("B",)}}
        ),
        InvalidCategoryError,
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
        lambda b: b.register(CustomerKind.PRIVATE, None),  # type: ignore[call-overload]
        InvalidInputError,
    ),
    "register control character": (
        lambda b: b.register(CustomerKind.PRIVATE, "Te\x00st"),
        InvalidInputError,
    ),
    "register unknown kind": (
        lambda b: b.register("bogus", "X"),  # type: ignore[call-overload]
        InvalidInputError,
    ),
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
    "register many of a number": (
        lambda b: b.register_many(5),  # type: ignore[call-overload]
        InvalidInputError,
    ),
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
    "iter_customers no Selection": (lambda b: b.iter_customers("x"), InvalidInputError),
    "iter_customers batch size 0": (
        lambda b: b.iter_customers(batch_size=0),
        InvalidInputError,
    ),
    "iter_bookings no Selection": (lambda b: b.iter_bookings("x"), InvalidInputError),
    "iter_bookings batch size as text": (
        lambda b: b.iter_bookings(batch_size="9"),
        InvalidInputError,
    ),
    "selection of an unknown kind": (
        lambda b: b.select(Selection(kind="bogus")),
        InvalidInputError,
    ),
    "get booking by number": (lambda b: b.get_booking(1), InvalidInputError),
    "get booking with NUL": (lambda b: b.get_booking("VG-1\x00"), InvalidInputError),
    "find by code1 with NUL": (lambda b: b.find_by_code1("K-1\x00"), InvalidInputError),
    "eligibility for an agency with NUL": (
        lambda b: b.eligibility(1, "AG\x00"),
        InvalidInputError,
    ),
    "iter_customers batch size beyond 64 bits": (
        lambda b: b.iter_customers(batch_size=2**63),
        InvalidInputError,
    ),
    "anonymize_due batch size beyond 64 bits": (
        lambda b: b.anonymize_due(AGENCY, batch_size=2**63),
        InvalidInputError,
    ),
    "letters batch size beyond 64 bits": (
        lambda b: b.letters(None, "x", batch_size=2**63),
        InvalidInputError,
    ),
    "debtor account beyond 64 bits": (
        lambda b: b.resolve_debtor_account(2**63),
        InvalidInputError,
    ),
    "set_status with on as text": (lambda b: b.set_status(None, 1, on="no"), InvalidInputError),
    "find_duplicates threshold as text": (
        lambda b: b.find_duplicates(threshold="0.9"),
        InvalidInputError,
    ),
    "find_duplicates threshold None": (
        lambda b: b.find_duplicates(threshold=None),
        InvalidInputError,
    ),
    "find_duplicates of a number beyond 64 bits": (
        lambda b: b.find_duplicates(2**63),
        InvalidInputError,
    ),
    "change_kind keep_status as text": (
        lambda b: b.change_kind(2, CustomerKind.CORPORATE, keep_status="no"),
        InvalidInputError,
    ),
    "merge fill_blanks as a number": (lambda b: b.merge(1, [2], fill_blanks=1), InvalidInputError),
    "plan_merge unite_status as text": (
        lambda b: b.plan_merge(1, [2], unite_status="yes"),
        InvalidInputError,
    ),
    "erasure requests include_done as text": (
        lambda b: b.erasure_requests(AGENCY, include_done="no"),
        InvalidInputError,
    ),
    "anonymize_due dry_run as text": (
        lambda b: b.anonymize_due(AGENCY, dry_run="no"),
        InvalidInputError,
    ),
    "rename a label to a number": (
        lambda b: b.rename_status_label(CustomerKind.PRIVATE, 1, 5),
        InvalidInputError,
    ),
    "rename a label to an empty list": (
        lambda b: b.rename_status_label(CustomerKind.PRIVATE, 1, []),
        InvalidInputError,
    ),
    "rename a label to text with NUL": (
        lambda b: b.rename_status_label(CustomerKind.PRIVATE, 1, "VIP\x00"),
        InvalidSettingsError,
    ),
    "dunning fields of 1e26": (
        lambda b: b.dunning_fields(1, Decimal("1e26")),
        InvalidInputError,
    ),
    "open amounts keyed beyond 64 bits": (
        lambda b: b.letters(None, "x", open_amounts={2**63: Decimal("1.00")}),
        InvalidInputError,
    ),
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


BAD_NUMBERS = [0, -1, "1", True, 1.0, None, 2**63, 2**64]

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
    "booking revenue of 1e26": lambda: _with(revenue=Decimal("1e26")),
    "booking open amount of 1e26 as text": lambda: _with(open_amount="1e26"),
    "booking revenue a cent above the limit": lambda: _with(revenue=MAX_MONEY + Decimal("0.01")),
    "booking open amount beyond 64-bit cents": lambda: _with(open_amount=2**63),
    "booking open amount as a list": lambda: _with(open_amount=[1]),
    "booking channel as text": lambda: _with(channel="own"),
    "channel external as text": lambda: SalesChannel("Holidu", is_external="yes"),
    "kind settings dunning fee of 1e26": lambda: KindSettings(dunning_fee=Decimal("1e26")),
    "kind settings deposit prompt as text": lambda: KindSettings(deposit_prompt="no"),
    "status label with NUL": lambda: KindSettings(status_labels={1: "VIP\x00"}),
    "status label with a C1 control": lambda: KindSettings(status_labels={1: "VIP\x85"}),
    "status label too long": lambda: KindSettings(status_labels={1: "x" * (MAX_LABEL_LENGTH + 1)}),
    "status labels as a list": lambda: KindSettings(status_labels=[(1, "VIP")]),
    "category with a tab": lambda: KindSettings(categories=("A\tB",)),
    "category with a lone surrogate": lambda: KindSettings(categories=("A\ud800",)),
    "one category too many": lambda: KindSettings(
        categories=tuple(str(n) for n in range(MAX_CATEGORIES + 1))
    ),
    "categories as one number": lambda: KindSettings(categories=5),
    "new customer notes too long": lambda: NewCustomer(
        CustomerKind.PRIVATE, "X", notes="x" * (MAX_NOTES_LENGTH + 1)
    ),
    "new customer status as one number": lambda: NewCustomer(CustomerKind.PRIVATE, "X", status=1),
    "selection status_all as one number": lambda: Selection(status_all=1),
    "selection status_any as text": lambda: Selection(status_any="12"),
    "selection code1 as a number": lambda: Selection(code1=5),
    "selection code2 with NUL": lambda: Selection(code2="rot\x00"),
    "selection category with NUL": lambda: Selection(category="A\x00"),
    "selection anonymized as text": lambda: Selection(anonymized="no"),
    "selection include_merged as a number": lambda: Selection(include_merged=1),
}


@pytest.mark.parametrize("build", CONSTRUCTORS.values(), ids=CONSTRUCTORS)
def test_domain_object_refuses_a_bad_value(build: Callable[[], object]) -> None:
    """Building a domain object from a bad value raises InvalidInputError."""
    with pytest.raises(InvalidInputError):
        build()


@pytest.mark.parametrize(
    "amount",
    [Decimal("1e26"), Decimal("9e999999"), "1e30", 10**30, Decimal("1e-1000000")],
    ids=repr,
)
def test_money_of_any_size_is_refused_with_a_typed_error(amount: object) -> None:
    """Amounts far too large or with far too many decimals raise InvalidInputError."""
    with pytest.raises(InvalidInputError):
        cents(amount)


def test_the_largest_amount_of_money_is_taken() -> None:
    """MAX_MONEY, 10**15 - 1 cents, is an amount of money."""
    assert Decimal("9999999999999.99") == cents("9999999999999.99") == MAX_MONEY


def test_a_statistics_revenue_may_exceed_the_largest_single_amount() -> None:
    """A revenue sum beyond MAX_MONEY and beyond 64-bit cents is a valid statistics value."""
    total = MAX_MONEY * 10_000

    assert total == StatisticsRow(revenue=total).revenue


def test_update_of_a_merged_customer_reports_the_merge() -> None:
    """Updating a tombstone (whose last name is empty) raises AlreadyMergedError."""
    book = _book()
    book.merge(1, [2])
    before = snapshot(book)

    with pytest.raises(AlreadyMergedError):
        book.update(book.get(2))

    assert before == snapshot(book)


_TYPED = "Hans Müller geb. 1970"


@pytest.mark.parametrize(
    "refuse",
    [
        lambda: check_flag_number(_TYPED),
        lambda: DeparturePeriod.year(_TYPED),
        lambda: StatisticsKey.of(StatisticsDimension.DEPARTURE_YEAR, _TYPED),
        lambda: StatisticsKey.of(StatisticsDimension.KIND, _TYPED),
        lambda: check_open_amounts({_TYPED: Decimal("1.00")}),
        lambda: CustomerBook(MemoryStore()).get(_TYPED),
    ],
    ids=["flag", "year", "departure-year-key", "kind-key", "open-amounts", "number"],
)
def test_refused_values_are_named_by_their_type_not_repeated(refuse: Callable[[], object]) -> None:
    """A value refused for its type is shown as "a str", never as the text that was typed."""
    with pytest.raises(InvalidInputError) as info:
        refuse()

    assert "Müller" not in str(info.value)
