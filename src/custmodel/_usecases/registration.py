"""Registering customers: numbers, debtor accounts, categories and flags checked (R1, R2, R4)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from custmodel import rules
from custmodel._entrycheck import DuplicateMode, Registration
from custmodel._usecases import entry
from custmodel._usecases._common import Clock
from custmodel.errors import InvalidCategoryError, InvalidInputError, InvalidStatusFlagError
from custmodel.model import Customer, CustomerKind, NewCustomer, Settings
from custmodel.storage.ports import StoreTransaction

#: Added to a refused category or flag when the store holds no settings.
_ON_DEFAULTS = (
    "the store holds no settings, so the default ones apply; store the agency's with "
    "book.configure(settings)"
)


class _MadeAsTaken(Sequence[Customer]):
    """The customers of a batch, each made from its draft when it is first taken.

    A store that writes the customers as it iterates (PostgreSQL's COPY) so has the server
    store the first while the next are made, where a list made first keeps the two apart;
    an error making one (a debtor account out of its range) is raised where the store takes
    it, and the transaction writes nothing. Each customer is made once.
    """

    def __init__(self, make: Callable[[int], Customer], count: int) -> None:
        self._make = make
        self._count = count
        self._made: list[Customer] = []

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Customer: ...

    @overload
    def __getitem__(self, index: slice) -> list[Customer]: ...

    def __getitem__(self, index: int | slice) -> Customer | list[Customer]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        position = range(self._count)[index]  # raises IndexError as a list does
        made = self._made
        while len(made) <= position:
            made.append(self._make(len(made)))
        return made[position]

    def __iter__(self) -> Iterator[Customer]:
        made = self._made
        for position in range(self._count):
            if position == len(made):
                made.append(self._make(position))
            yield made[position]


def draft(kind: CustomerKind, last_name: str, fields: dict[str, Any]) -> NewCustomer:
    """The checked draft of one customer to register.

    Raises:
        InvalidInputError: an unknown field or a bad value.
    """
    try:
        return NewCustomer(kind=kind, last_name=last_name, **fields)
    except TypeError as error:
        raise InvalidInputError(str(error)) from None


def drafts(value: Iterable[NewCustomer]) -> list[NewCustomer]:
    """Return the drafts to register as a list, each checked to be a NewCustomer."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError("register_many takes NewCustomer objects")
    batch = list(value)
    for item in batch:
        if not isinstance(item, NewCustomer):
            raise InvalidInputError("register_many takes NewCustomer objects")
    return batch


def register_many(
    tx: StoreTransaction,
    batch: Sequence[NewCustomer],
    *,
    now: Clock,
    mode: DuplicateMode = "off",
    threshold: float = 0.0,
) -> tuple[list[Customer], list[Registration] | None]:
    """Register ``batch`` with consecutive numbers and their debtor accounts, all or none.

    With ``mode`` "warn" or "refuse", each draft is first compared with the stored customers
    that share a key with it, and with the drafts before it in the batch
    (:mod:`custmodel._usecases.entry`); "refuse" raises before anything is written.

    Returns:
        The customers registered, and with ``mode`` "warn" or "refuse" what the check found
        for each (None with "off": nothing was looked for).
    """
    saved = tx.get_settings(lock="share")
    settings = saved or Settings()
    # Per kind, once, when a draft has a category or flags: its categories as a set and the
    # bits of its labelled flags. A draft whose category is listed (or None) and whose flags
    # all lie within those bits passes both checks; the others take the full checks, which
    # name what they refuse.
    categories: dict[CustomerKind, frozenset[str]] = {}
    labelled: dict[CustomerKind, int] = {}
    try:
        for item in batch:
            kind, category, bits = item.kind, item.category, item.status.bits
            if category is not None:
                known = categories.get(kind)
                if known is None:
                    known = categories[kind] = frozenset(settings.kind(kind).categories)
                listed = category in known
            else:
                listed = True
            if listed and bits:
                allowed = labelled.get(kind)
                if allowed is None:
                    allowed = labelled[kind] = rules.labelled_bits(settings, kind)
                listed = not bits & ~allowed
            if listed:
                continue
            rules.check_category(settings, item.kind, item.category)
            rules.check_status(settings, item.kind, item.status)
    except (InvalidCategoryError, InvalidStatusFlagError) as error:
        if saved is not None:
            raise
        # The defaults may lack the agency's categories and labels: say why, not only what.
        raise type(error)(f"{error} ({_ON_DEFAULTS})") from error
    first = tx.allocate_numbers(len(batch))
    # Looked up after the numbers: the counter row stays locked until this transaction ends,
    # so every registration that took numbers before has committed, and is seen, and none can
    # take numbers, and insert, before this one commits (SQL stores lock the row; SQLite and
    # the memory store run one writer at a time anyway).
    stored = entry.stored_candidates(tx, batch, threshold) if mode != "off" else None
    created_at = now()

    def made(offset: int) -> Customer:
        item = batch[offset]
        number = first + offset
        account = rules.debtor_account(settings, item.kind, number)
        rules.check_debtor_range(settings, item.kind, account)
        return Customer.from_draft(
            item, number=number, debtor_account=account, created_at=created_at
        )

    # One customer is made at once; a batch's as the store takes them (see _MadeAsTaken).
    taken: Sequence[Customer] = [made(0)] if len(batch) == 1 else _MadeAsTaken(made, len(batch))
    registrations = None
    if stored is not None:
        registrations = entry.registrations(list(taken), stored, threshold, refuse=mode == "refuse")
    # The store refuses a taken debtor account (DebtorAccountError, a port guarantee), so the
    # use case does not ask for the accounts first.
    tx.insert_customers(taken)
    customers = list(taken)
    return customers, registrations
