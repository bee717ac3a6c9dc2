"""The error classes: one root, and each also the builtin that fits it."""

from __future__ import annotations

import pytest

import custmodel
from custmodel import errors

#: Every public error class and the builtin it must also be.
BUILTINS: dict[type[Exception], type[Exception]] = {
    errors.InvalidInputError: ValueError,
    errors.InvalidStatusFlagError: ValueError,
    errors.InvalidCategoryError: ValueError,
    errors.InvalidSettingsError: ValueError,
    errors.TemplateCustomerError: ValueError,
    errors.LetterTemplateError: ValueError,
    errors.CustomerNotFoundError: LookupError,
    errors.BookingNotFoundError: LookupError,
    errors.BookingExistsError: ValueError,
    errors.BookingOwnerError: ValueError,
    errors.AlreadyMergedError: LookupError,
    errors.AnonymizedCustomerError: ValueError,
    errors.DebtorAccountError: ValueError,
    errors.MergeRefusedError: ValueError,
    errors.LikelyDuplicateError: ValueError,
    errors.MissingExtraError: ImportError,
    errors.NotEligibleError: ValueError,
    errors.SettingsMissingError: LookupError,
    errors.ConcurrentUpdateError: RuntimeError,
    errors.StoreError: RuntimeError,
    errors.StoreBusyError: RuntimeError,
    errors.StoreUnavailableError: RuntimeError,
    errors.StoredRowsError: RuntimeError,
}


def test_every_public_error_class_is_covered_here() -> None:
    """A new error class must be added to this table (with its builtin)."""
    public = {getattr(errors, name) for name in errors.__all__} - {errors.CustmodelError}

    assert public == set(BUILTINS)


@pytest.mark.parametrize("error", BUILTINS, ids=lambda e: e.__name__)
def test_every_error_derives_from_the_root(error: type[Exception]) -> None:
    """Callers catch everything custmodel raises with CustmodelError."""
    assert issubclass(error, errors.CustmodelError)


@pytest.mark.parametrize(("error", "builtin"), BUILTINS.items(), ids=lambda e: e.__name__)
def test_every_error_derives_from_the_fitting_builtin(
    error: type[Exception], builtin: type[Exception]
) -> None:
    """Callers that know only builtins catch custmodel's errors too."""
    assert issubclass(error, builtin)


def test_root_error_is_an_exception() -> None:
    """CustmodelError is a plain Exception, not a BaseException outside it."""
    assert issubclass(errors.CustmodelError, Exception)


def test_every_error_is_exported_from_the_package() -> None:
    """Each error class can be imported from custmodel itself."""
    exported = {name for name in errors.__all__ if getattr(custmodel, name, None) is not None}

    assert set(errors.__all__) == exported


def test_template_customer_error_is_a_settings_error() -> None:
    """An unfit template customer is a kind of invalid settings."""
    assert issubclass(errors.TemplateCustomerError, errors.InvalidSettingsError)


def test_letter_template_error_is_an_input_error() -> None:
    """A bad template is bad input: callers catching InvalidInputError catch it too."""
    assert issubclass(errors.LetterTemplateError, errors.InvalidInputError)


def test_store_busy_error_is_a_store_error() -> None:
    """Busy is a store failure that the book may retry."""
    assert issubclass(errors.StoreBusyError, errors.StoreError)


def test_already_merged_error_names_the_master() -> None:
    """The error carries both numbers and names them in its message."""
    error = errors.AlreadyMergedError(4, 3)

    assert (4, 3, "customer 4 was merged into customer 3") == (
        error.number,
        error.master,
        str(error),
    )


def test_concurrent_update_error_names_both_versions() -> None:
    """The message says which version the update was based on and which is stored."""
    error = errors.ConcurrentUpdateError(7, 2, 3)

    assert (
        "customer 7 was changed concurrently (update based on version 2, stored version 3)"
    ) == str(error)


def test_likely_duplicate_error_names_entries_and_numbers_only() -> None:
    """The refusal names batch entries (from 1) and stored numbers; ``numbers`` gathers them."""
    error = errors.LikelyDuplicateError({0: (7, 3), 2: (3,)}, ((1, 2),))

    assert (
        "likely duplicates, nothing registered: entry 1 is probably customer 7, 3; entry 3 is "
        "probably customer 3; entries 2 and 3 are probably one party"
    ) == str(error)
    assert (3, 7) == error.numbers


def _examples() -> list[errors.CustmodelError]:
    """One error of each public class, made with every argument its class takes."""
    eligibility = custmodel.rules.anonymization_eligibility(
        [], "AG1", custmodel.utc_now().date(), 42
    )
    return [
        errors.InvalidInputError("$.x: bad value", field="x", problems=(("$.x", "bad value"),)),
        errors.InvalidStatusFlagError("flag 33"),
        errors.InvalidCategoryError("category 2 of 3"),
        errors.InvalidSettingsError("settings"),
        errors.TemplateCustomerError("template"),
        errors.LetterTemplateError("unknown field", placeholder="Kunde-X", position=3),
        errors.CustomerNotFoundError("customer 7 not found", number=7),
        errors.BookingNotFoundError("booking 'R-1' not found"),
        errors.BookingExistsError("R-1", 3),
        errors.BookingOwnerError("R-1", 3, 4),
        errors.AlreadyMergedError(5, 2),
        errors.AnonymizedCustomerError(6, "update"),
        errors.DebtorAccountError("debtor account 10001 is taken"),
        errors.MergeRefusedError("refused"),
        errors.LikelyDuplicateError({0: (1, 2)}, ((0, 1),)),
        errors.MissingExtraError("cli", "the command line"),
        errors.NotEligibleError(8, eligibility),
        errors.SettingsMissingError("the store holds no settings"),
        errors.ConcurrentUpdateError(9, 1, 2),
        errors.StoreError("broken"),
        errors.StoreBusyError("busy"),
        errors.StoreUnavailableError("cannot open", reason="file is not a database"),
        errors.StoredRowsError("stored customers break rules"),
    ]


@pytest.mark.parametrize("error", _examples(), ids=lambda e: type(e).__name__)
def test_every_error_pickles_with_its_arguments(error: errors.CustmodelError) -> None:
    """An error raised in a worker process reaches its caller whole: same class, message and
    attributes (pickle called the class with its message alone before)."""
    import pickle

    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

    assert (type(error), str(error), vars(error)) == (type(again), str(again), vars(again))


def test_the_examples_cover_every_public_error_class() -> None:
    """A new error class gets an example in the pickling test."""
    assert set(BUILTINS) == {type(e) for e in _examples()}
