"""AsyncCustomerBook: the same API as CustomerBook, every call run in its own worker threads."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
import typing
from collections.abc import AsyncIterator
from typing import Any
from unittest import mock

import pytest

from custmodel import (
    CustomerBook,
    CustomerKind,
    InvalidInputError,
    LetterRun,
    MemoryStore,
    NewCustomer,
    Settings,
    StoreError,
)
from custmodel.aio import DEFAULT_WORKERS, AsyncCustomerBook, AsyncLetterRun


def public_names(cls: type) -> set[str]:
    """The public members of a class, inherited ones included."""
    return {name for name in dir(cls) if not name.startswith("_")}


#: The members of AsyncCustomerBook that CustomerBook has not: its own lifecycle.
ASYNC_ONLY = {"aclose", "book", "run_in_pool"}
#: Properties of CustomerBook that read the store: awaited methods on the async side.
READING_PROPERTIES = {"settings"}
BOOK_MEMBERS = sorted(public_names(CustomerBook))
BOOK_METHODS = [
    name
    for name in BOOK_MEMBERS
    if not isinstance(inspect.getattr_static(CustomerBook, name), property)
]


def expected_return(name: str, annotation: str) -> tuple[bool, str]:
    """Whether the async counterpart of ``name`` is a coroutine, and what it returns."""
    if annotation.startswith("Iterator["):
        return False, f"Async{annotation}"
    if annotation == "CustomerBook":
        return False, "AsyncCustomerBook"
    if annotation == "mailmerge.LetterRun":
        return True, "AsyncLetterRun"
    return True, annotation


def test_every_public_member_of_the_book_has_an_async_counterpart() -> None:
    """A public method or property added to CustomerBook needs one on AsyncCustomerBook."""
    assert set(BOOK_MEMBERS) == public_names(AsyncCustomerBook) - ASYNC_ONLY


@pytest.mark.parametrize("name", BOOK_MEMBERS)
def test_async_counterpart_has_the_same_signature(name: str) -> None:
    """Same parameters (names, kinds, defaults, annotations); the return type is awaited."""
    sync = inspect.getattr_static(CustomerBook, name)
    wrapped = inspect.getattr_static(AsyncCustomerBook, name)
    if isinstance(sync, property):
        assert sync.fget is not None
        returns = inspect.signature(sync.fget).return_annotation
        if name in READING_PROPERTIES:
            assert inspect.iscoroutinefunction(wrapped)
            assert ["self"] == list(inspect.signature(wrapped).parameters)
            assert returns == inspect.signature(wrapped).return_annotation
        else:
            assert isinstance(wrapped, property)
            assert wrapped.fget is not None
            assert returns == inspect.signature(wrapped.fget).return_annotation
        return
    coroutine, returns = expected_return(name, inspect.signature(sync).return_annotation)
    assert coroutine == inspect.iscoroutinefunction(wrapped)
    assert list(inspect.signature(sync).parameters.values()) == list(
        inspect.signature(wrapped).parameters.values()
    )
    assert returns == inspect.signature(wrapped).return_annotation


@pytest.mark.parametrize("name", BOOK_METHODS)
def test_async_counterpart_has_the_same_overloads(name: str) -> None:
    """Every overload of a book method (register's by duplicate mode) is there, awaited."""
    sync = [inspect.signature(o) for o in typing.get_overloads(getattr(CustomerBook, name))]
    wrapped = [inspect.signature(o) for o in typing.get_overloads(getattr(AsyncCustomerBook, name))]
    assert [list(s.parameters.values()) for s in sync] == [
        list(s.parameters.values()) for s in wrapped
    ]
    assert [s.return_annotation for s in sync] == [s.return_annotation for s in wrapped]


def arguments(name: str) -> tuple[list[object], dict[str, object]]:
    """A distinct marker object for every parameter of the book method ``name``."""
    positional: list[object] = []
    keywords: dict[str, object] = {}
    for parameter in inspect.signature(getattr(CustomerBook, name)).parameters.values():
        if parameter.name == "self":
            continue
        marker = mock.sentinel.__getattr__(parameter.name)
        if parameter.kind is parameter.VAR_KEYWORD:
            keywords["extra_field"] = mock.sentinel.extra_field
        elif parameter.kind is parameter.KEYWORD_ONLY:
            keywords[parameter.name] = marker
        else:
            positional.append(marker)
    return positional, keywords


def recording_book() -> tuple[Any, list[int]]:
    """A mock spec'd on CustomerBook whose methods record the thread they were called in."""
    book = mock.create_autospec(CustomerBook, instance=True)
    threads: list[int] = []

    def answer(name: str) -> Any:
        def called(*_args: object, **_kwargs: object) -> object:
            threads.append(threading.get_ident())
            annotation = inspect.signature(getattr(CustomerBook, name)).return_annotation
            if annotation == "mailmerge.LetterRun":
                return LetterRun(iter([mock.sentinel.letter]), 7)
            if annotation.startswith("Iterator["):
                return iter([mock.sentinel.item, mock.sentinel.other])
            return getattr(mock.sentinel, f"{name}_result")

        return called

    for name in BOOK_METHODS:
        getattr(book, name).side_effect = answer(name)
    return book, threads


@pytest.mark.parametrize("name", [n for n in BOOK_METHODS if n != "acting"])
def test_every_async_method_calls_the_book_method_in_a_worker_thread(name: str) -> None:
    """The async method passes its arguments unchanged to the book's, off the loop's thread."""
    book, threads = recording_book()
    positional, keywords = arguments(name)

    async def call() -> tuple[object, int]:
        async with AsyncCustomerBook(book, max_workers=2) as wrapped:
            result = getattr(wrapped, name)(*positional, **keywords)
            if inspect.isawaitable(result):
                result = await result
            if isinstance(result, AsyncLetterRun):
                result = (result.left_out, [letter async for letter in result])
            elif isinstance(result, AsyncIterator):
                result = [item async for item in result]
            return result, threading.get_ident()

    result, loop_thread = asyncio.run(call())

    getattr(book, name).assert_called_once_with(*positional, **keywords)
    assert 1 == len(threads)
    assert loop_thread != threads[0]
    expected = {
        "letters": (7, [mock.sentinel.letter]),
        "iter_customers": [mock.sentinel.item, mock.sentinel.other],
        "iter_bookings": [mock.sentinel.item, mock.sentinel.other],
        "iter_history": [mock.sentinel.item, mock.sentinel.other],
    }.get(name, getattr(mock.sentinel, f"{name}_result"))
    assert expected == result


def test_reading_the_settings_runs_in_a_worker_thread() -> None:
    """``await book.settings()`` reads the property of the book in a worker thread."""
    book = mock.create_autospec(CustomerBook, instance=True)
    threads: list[int] = []

    def read() -> object:
        threads.append(threading.get_ident())
        return mock.sentinel.settings

    type(book).settings = mock.PropertyMock(side_effect=read)

    async def call() -> tuple[object, int]:
        async with AsyncCustomerBook(book, max_workers=1) as wrapped:
            return await wrapped.settings(), threading.get_ident()

    settings, loop_thread = asyncio.run(call())

    assert mock.sentinel.settings == settings
    assert [loop_thread] != threads
    assert 1 == len(threads)


def test_acting_gives_a_book_for_the_actor_that_shares_the_pool() -> None:
    """``acting`` wraps the book's ``acting`` and keeps the pool: closing it closes nothing."""

    store = MemoryStore()
    sync_book = CustomerBook(store, Settings())

    async def run() -> tuple[str | None, str | None, int]:
        async with AsyncCustomerBook(sync_book) as book:
            clerk = book.acting("clerk-7")
            assert (sync_book, store, store) == (book.book, book.store, clerk.store)
            await clerk.aclose()
            customer = await clerk.register(CustomerKind.PRIVATE, "Muster")
            history = await book.history(customer.number)
            return book.actor, clerk.actor, len(history)

    assert (None, "clerk-7", 1) == asyncio.run(run())


def test_run_in_pool_runs_the_application_s_own_function_in_a_worker_thread() -> None:
    """``run_in_pool`` passes the arguments through and runs off the loop's thread."""

    def where(first: int, *, second: int) -> tuple[int, int]:
        return first + second, threading.get_ident()

    async def run() -> tuple[tuple[int, int], int]:
        async with AsyncCustomerBook(CustomerBook(MemoryStore()), max_workers=1) as book:
            return await book.run_in_pool(where, 1, second=2), threading.get_ident()

    (total, worker), loop_thread = asyncio.run(run())
    assert (3, True) == (total, worker != loop_thread)


def test_a_closed_book_refuses_further_calls() -> None:
    """After ``async with`` the pool is shut down: a call raises StoreError, also via acting."""

    async def run() -> AsyncCustomerBook:
        async with AsyncCustomerBook(CustomerBook(MemoryStore(), Settings())) as book:
            await book.count()
        with pytest.raises(StoreError, match="closed"):
            await book.count()
        with pytest.raises(StoreError, match="closed"):
            await book.acting("clerk-7").count()
        return book

    asyncio.run(run())


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, "4"])
def test_a_bad_pool_size_is_refused(workers: Any) -> None:
    """max_workers is a whole number from 1 or None."""
    with pytest.raises(InvalidInputError, match="max_workers"):
        AsyncCustomerBook(CustomerBook(MemoryStore()), max_workers=workers)


def test_the_pool_defaults_to_a_small_size_without_a_connection_pool() -> None:
    """A memory store has no connection pool: the default number of workers."""
    book = AsyncCustomerBook(CustomerBook(MemoryStore()))
    assert DEFAULT_WORKERS == book._workers.executor._max_workers
    asyncio.run(book.aclose())


def test_paged_iteration_checks_arguments_at_the_first_step() -> None:
    """A bad batch size raises the book's error when the iteration starts."""

    async def run() -> None:
        async with AsyncCustomerBook(CustomerBook(MemoryStore(), Settings())) as book:
            customers = book.iter_customers(batch_size=0)
            with pytest.raises(InvalidInputError, match="batch"):
                await anext(customers)

    asyncio.run(run())


def test_paged_iteration_reads_one_page_per_worker_call() -> None:
    """Seven customers in pages of three: three pages read, every customer once, in order."""
    store = MemoryStore()
    book = CustomerBook(store, Settings())
    for n in range(7):
        book.register(CustomerKind.PRIVATE, f"Kunde {n}")
    reads: list[int] = []
    original = store.transaction

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(threading.get_ident())
        return original(*args, **kwargs)

    async def run() -> tuple[list[int], int]:
        async with AsyncCustomerBook(book, max_workers=1) as wrapped:
            with mock.patch.object(store, "transaction", counted):
                numbers = [c.number async for c in wrapped.iter_customers(batch_size=3)]
            return numbers, threading.get_ident()

    numbers, loop_thread = asyncio.run(run())

    assert list(range(1, 8)) == numbers
    assert 3 <= len(reads) <= 4  # the last, short page may take one more read to end
    assert loop_thread not in reads


def test_tasks_sharing_one_iterator_get_every_customer_once() -> None:
    """Three tasks stepping the same async iterator at once split the customers between them."""
    store = MemoryStore()
    book = CustomerBook(store, Settings())
    book.register_many([NewCustomer(kind=CustomerKind.PRIVATE, last_name="K")] * 25)
    original = store.transaction

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.02)  # a page read long enough for the other tasks to ask meanwhile
        return original(*args, **kwargs)

    async def run() -> list[int]:
        async with AsyncCustomerBook(book, max_workers=3) as wrapped:
            customers = wrapped.iter_customers(batch_size=4)

            async def drain() -> list[int]:
                return [customer.number async for customer in customers]

            with mock.patch.object(store, "transaction", slow):
                parts = await asyncio.gather(drain(), drain(), drain())
            return sorted(number for part in parts for number in part)

    assert list(range(1, 26)) == asyncio.run(run())
