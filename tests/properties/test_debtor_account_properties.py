"""R4 properties: debtor accounts stay unique and change only where the rules say."""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from custmodel import (
    CustomerBook,
    CustomerKind,
    DebtorAccountError,
    Selection,
    Settings,
    rules,
)
from custmodel.testing import strategies as cst
from tests.booksupport import firm_booking, make_book

#: One step: register a customer of a kind, change some customer's kind, or book firmly for
#: one (which converts a prospect into the kind named). Customers are picked by position among
#: those registered.
Step = tuple[str, int, CustomerKind]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["register", "change_kind", "book"]),
        st.integers(0, 1000),
        cst.customer_kinds,
    ).filter(lambda step: not (step[0] == "book" and step[2] is CustomerKind.PROSPECT)),
    max_size=30,
)

#: Small offsets make accounts of different kinds collide, so refusals happen.
SETTINGS = cst.settings(debtor_offsets=st.integers(0, 4))


def _run(book: CustomerBook, steps: list[Step]) -> dict[int, int]:
    """Apply ``steps``; return the debtor account R4 expects for every registered customer."""
    settings = book.settings
    renumber = settings.kind(CustomerKind.PROSPECT).renumber_on_kind_change
    expected: dict[int, int] = {}
    for index, (action, pick, kind) in enumerate(steps):
        with contextlib.suppress(DebtorAccountError):
            if action == "register":
                number = book.register(kind, "Test").number
                expected[number] = rules.debtor_account(settings, kind, number)
                continue
            if not expected:
                continue
            number = sorted(expected)[pick % len(expected)]
            before = book.get(number).kind
            if action == "change_kind":
                book.change_kind(number, kind)
            else:
                book.record_booking(firm_booking(f"VG-{index}", number), convert_to=kind)
            after = book.get(number).kind
            if before is CustomerKind.PROSPECT and after is not before and renumber:
                expected[number] = rules.debtor_account(settings, after, number)
    return expected


@given(settings=SETTINGS, steps=STEPS)
def test_debtor_accounts_stay_unique(settings: Settings, steps: list[Step]) -> None:
    """No two customers ever hold the same debtor account, whatever was registered or changed."""
    book = make_book(settings)
    _run(book, steps)

    accounts = [c.debtor_account for c in book.select(Selection(include_merged=True))]

    assert sorted(set(accounts)) == sorted(accounts)


@given(settings=SETTINGS, steps=STEPS)
def test_debtor_account_changes_only_when_a_prospect_is_renumbered(
    settings: Settings, steps: list[Step]
) -> None:
    """Each account is base + offset + number of the registration kind, or of the conversion."""
    book = make_book(settings)
    expected = _run(book, steps)

    actual = {c.number: c.debtor_account for c in book.select(Selection(include_merged=True))}

    assert expected == actual


@given(settings=SETTINGS, kinds=st.lists(cst.customer_kinds, max_size=20))
def test_refused_registrations_do_not_use_up_numbers(
    settings: Settings, kinds: list[CustomerKind]
) -> None:
    """Customer numbers stay gapless 1, 2, 3 … however many registrations were refused."""
    book = make_book(settings)
    for kind in kinds:
        with contextlib.suppress(DebtorAccountError):
            book.register(kind, "Test")

    numbers = [c.number for c in book.select(Selection(include_merged=True))]

    assert list(range(1, len(numbers) + 1)) == numbers
