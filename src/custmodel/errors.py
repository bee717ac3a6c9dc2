"""The exceptions custmodel raises.

Every error derives from :class:`CustmodelError` and also from the builtin that fits it, so
callers can catch either. Messages name customer numbers, debtor accounts, booking references,
field names and setting names, never a person's name, address, e-mail, phone or other personal
data: they end up in logs, and a log line must never undo an anonymization.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from custmodel.model import Eligibility

__all__ = [
    "AlreadyMergedError",
    "AnonymizedCustomerError",
    "BookingExistsError",
    "BookingNotFoundError",
    "BookingOwnerError",
    "ConcurrentUpdateError",
    "CustmodelError",
    "CustomerNotFoundError",
    "DebtorAccountError",
    "InvalidCategoryError",
    "InvalidInputError",
    "InvalidSettingsError",
    "InvalidStatusFlagError",
    "LetterTemplateError",
    "LikelyDuplicateError",
    "MergeRefusedError",
    "MissingExtraError",
    "NotEligibleError",
    "SettingsMissingError",
    "StoreBusyError",
    "StoreError",
    "StoreUnavailableError",
    "StoredRowsError",
    "TemplateCustomerError",
]


def _rebuilt(cls: type[CustmodelError], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """An error made again from the arguments it was made with (for pickle)."""
    return cls(*args, **kwargs)


class CustmodelError(Exception):
    """Root of every error custmodel raises.

    Every error pickles, with its own arguments: an error raised in a worker process reaches
    the process that waits for it (``concurrent.futures``, ``multiprocessing``) as it was
    raised, where the default pickling of an exception would call the class with its message
    alone and fail for the errors that take more.
    """

    _arguments: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> CustmodelError:
        error = super().__new__(cls, *args, **kwargs)
        error._arguments = (args, kwargs)
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        args, kwargs = self._arguments
        return (_rebuilt, (type(self), args, kwargs), self.__dict__)


class InvalidInputError(CustmodelError, ValueError):
    """A value handed to custmodel is malformed (negative money, naive datetime, empty name...).

    Attributes:
        field: The field the refused value was given for, when the check knows it
            (``"open_amount"``), else None.
        problems: For input structured from JSON data
            (:func:`~custmodel.serialization.structure_input`): every problem found, as pairs
            of the field's path (``"$.channel.name"``) and what is wrong with it, in a stable
            order; empty for a value refused by other means. Neither part repeats a refused
            value.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        problems: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.field = field
        self.problems = problems


class InvalidStatusFlagError(InvalidInputError):
    """A status flag number is outside 1..32, or has no label on the customer's kind."""


class InvalidCategoryError(InvalidInputError):
    """A category is not in the list of the customer's kind, or is still in use."""


class InvalidSettingsError(InvalidInputError):
    """Settings that contradict themselves or the stored customers."""


class TemplateCustomerError(InvalidSettingsError):
    """A template customer (Stammkunde) setting names an unfit customer."""


class LetterTemplateError(InvalidInputError):
    """A mail-merge template or field list names an unknown field, or a brace is malformed.

    The message and ``placeholder`` name the field (field names are no personal data); for a
    brace that opens or closes nothing, only its position is given, never the text around it.

    Attributes:
        placeholder: The unknown field name, or None for a malformed brace.
        position: Where in the template the placeholder or brace starts (0-based), or None for
            a field list.
    """

    def __init__(self, message: str, *, placeholder: str | None, position: int | None) -> None:
        super().__init__(message)
        self.placeholder = placeholder
        self.position = position


class CustomerNotFoundError(CustmodelError, LookupError):
    """No customer has the number or debtor account asked for."""

    def __init__(self, message: str, *, number: int | None = None) -> None:
        super().__init__(message)
        self.number = number


class BookingNotFoundError(CustmodelError, LookupError):
    """No booking has the reference asked for."""


class BookingExistsError(CustmodelError, ValueError):
    """A booking with the reference exists, and the command records only new ones.

    Attributes:
        reference: The booking reference.
        owner: The number of the customer the stored booking belongs to.
    """

    def __init__(self, reference: str, owner: int, message: str | None = None) -> None:
        super().__init__(message or f"booking {reference!r} exists already (of customer {owner})")
        self.reference = reference
        self.owner = owner


class BookingOwnerError(BookingExistsError):
    """The booking reference belongs to another customer; recording it would move the booking.

    A booking changes its customer only through :meth:`custmodel.CustomerBook.move_booking`.

    Attributes:
        reference: The booking reference.
        owner: The number of the customer the stored booking belongs to.
        customer: The number of the customer it was to be recorded for.
    """

    def __init__(self, reference: str, owner: int, customer: int) -> None:
        super().__init__(
            reference,
            owner,
            f"booking {reference!r} belongs to customer {owner}, not to customer {customer}; "
            "move it explicitly to change its customer",
        )
        self.customer = customer


class AlreadyMergedError(CustmodelError, LookupError):
    """The customer was merged into another one; ``master`` says which."""

    def __init__(self, number: int, master: int) -> None:
        super().__init__(f"customer {number} was merged into customer {master}")
        self.number = number
        self.master = master


class AnonymizedCustomerError(CustmodelError, ValueError):
    """The command does not apply to an anonymized customer."""

    def __init__(self, number: int, action: str) -> None:
        super().__init__(f"customer {number} is anonymized: cannot {action}")
        self.number = number


class DebtorAccountError(CustmodelError, ValueError):
    """A computed debtor account is taken already or lies outside its kind's range."""


class LikelyDuplicateError(CustmodelError, ValueError):
    """Registration refused: what was entered is probably a customer stored already.

    Raised by the duplicate check in mode ``"refuse"``; nothing was registered. The message
    and attributes hold customer numbers and positions in the batch only.

    Attributes:
        matches: Position of the draft in the batch (0 for a single registration) -> the
            stored customers it probably is, best first.
        within: Pairs of positions in the batch that are probably the same party.
    """

    def __init__(
        self,
        matches: dict[int, tuple[int, ...]],
        within: tuple[tuple[int, int], ...] = (),
    ) -> None:
        parts = [
            f"entry {index + 1} is probably customer {', '.join(map(str, numbers))}"
            for index, numbers in sorted(matches.items())
        ]
        parts += [f"entries {a + 1} and {b + 1} are probably one party" for a, b in within]
        super().__init__("likely duplicates, nothing registered: " + "; ".join(parts))
        self.matches = matches
        self.within = within

    @property
    def numbers(self) -> tuple[int, ...]:
        """Every stored customer named, ascending."""
        return tuple(sorted({n for found in self.matches.values() for n in found}))


class MissingExtraError(CustmodelError, ImportError):
    """A feature needs an optional extra that is not installed; the message names it."""

    def __init__(self, extra: str, feature: str) -> None:
        super().__init__(f"{feature} needs the {extra!r} extra: pip install 'custmodel[{extra}]'")
        self.extra = extra


class MergeRefusedError(CustmodelError, ValueError):
    """A merge that R8 forbids; nothing was changed."""


class NotEligibleError(CustmodelError, ValueError):
    """Anonymization refused: the customer is not eligible; ``eligibility`` says why."""

    def __init__(self, number: int, eligibility: Eligibility) -> None:
        reasons = "; ".join(
            f"booking {b.reference}: {', '.join(r.value.replace('_', ' ') for r in b.reasons)}"
            for b in eligibility.blockers
        )
        # A veto's reason is the host's text: only its source is named here (see eligibility).
        vetoes = "; ".join(f"vetoed by {v.source}" for v in eligibility.vetoes)
        reasons = "; ".join(part for part in (reasons, vetoes) if part)
        super().__init__(f"customer {number} may not be anonymized yet ({reasons})")
        self.number = number
        self.eligibility = eligibility


class SettingsMissingError(CustmodelError, LookupError):
    """The store holds no settings, and the caller asked for stored ones.

    Raised by ``CustomerBook(store, require_settings=True)``: without it a book on a store
    that was never configured works on the default settings, whose categories and labels
    are probably not the agency's.
    """


class ConcurrentUpdateError(CustmodelError, RuntimeError):
    """An update carried a version that is no longer current: somebody changed it meanwhile."""

    def __init__(self, number: int, expected: int, actual: int | None) -> None:
        super().__init__(
            f"customer {number} was changed concurrently "
            f"(update based on version {expected}, stored version {actual})"
        )
        self.number = number
        self.expected = expected
        self.actual = actual


class StoreError(CustmodelError, RuntimeError):
    """The storage backend failed in a way custmodel cannot classify further."""


class StoreBusyError(StoreError):
    """The storage backend stayed busy (locked, serialization failure) past the retry budget.

    A store raises it for a single attempt; :class:`custmodel.CustomerBook` retries the whole
    operation a bounded number of times before letting it surface.
    """


class StoredRowsError(StoreError):
    """Rows already stored break a rule that a schema migration is about to make the database
    enforce, so the migration refused to run and changed nothing.

    The message names the rule (the constraint) and up to five customer numbers, never a
    value; correct or remove those rows and open the store again.
    """


class StoreUnavailableError(StoreError):
    """The database cannot be opened or reached: it does not exist, the server refuses the
    connection or the login, or the file cannot be opened or is no database.

    The message says why, in the driver's words: they name a host, a port, a database, a
    user or a file, never the data. A URL in the message has its password replaced by
    ``***``.

    Attributes:
        reason: Why, as the driver put it, e.g. ``'database "shop" does not exist'``.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
