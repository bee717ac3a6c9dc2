"""travelshop's web API: an ASGI application (Starlette) on custmodel's asyncio entry point.

Every endpoint is ``async`` and awaits :class:`custmodel.aio.AsyncCustomerBook`, which runs the
book's operations in a bounded thread pool: the event loop stays free while the database works.

- ``POST /customers``: a JSON body becomes a :class:`~custmodel.NewCustomer` through
  ``custmodel.serialization.structure_input`` (unknown keys and bad values are refused naming
  the field), is registered, and comes back as JSON (``make_converter().unstructure``).
- ``GET /customers?after=&limit=``: the active customers in pages, in order of number.
- ``GET /customers/{number}``: one customer.
- ``POST /customers/{number}/payments``: the shop's own ``travelshop_payments`` table, written
  safely next to concurrent merges (``SqlStore.hold_customer``; see custmodel's
  docs/host-references.md).

custmodel's errors become status codes in one place, :data:`STATUS`; their messages carry no
personal data, so they go to the client as they are.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from custmodel import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    BookingExistsError,
    BookingNotFoundError,
    ConcurrentUpdateError,
    CustmodelError,
    CustomerBook,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
    LikelyDuplicateError,
    MergeRefusedError,
    NewCustomer,
    NotEligibleError,
    StoreBusyError,
)
from custmodel.aio import AsyncCustomerBook
from custmodel.serialization import make_converter, structure_input
from custmodel.storage.sql import SqlStore

__all__ = ["MAX_CENTS", "PAGE_LIMIT", "STATUS", "Backoffice", "create_app", "payments"]

#: The largest payment, in cents.
MAX_CENTS = 100_000_000
#: The largest page ``GET /customers`` returns.
PAGE_LIMIT = 500

#: custmodel's errors and the HTTP status each is answered with (the first match in this order
#: wins; any other custmodel error is a 500).
STATUS: tuple[tuple[type[CustmodelError], int], ...] = (
    (InvalidInputError, 422),
    (CustomerNotFoundError, 404),
    (BookingNotFoundError, 404),
    (AlreadyMergedError, 409),
    (AnonymizedCustomerError, 409),
    (ConcurrentUpdateError, 409),
    (BookingExistsError, 409),
    (MergeRefusedError, 409),
    (NotEligibleError, 409),
    (DebtorAccountError, 409),
    (LikelyDuplicateError, 409),
    (StoreBusyError, 503),
)

_host = sa.MetaData()
# Only so that SQLAlchemy can resolve the foreign key below; custmodel owns this table.
sa.Table("custmodel_customers", _host, sa.Column("number", sa.BigInteger, primary_key=True))
#: The shop's own table of payments, each naming the customer who paid.
payments = sa.Table(
    "travelshop_payments",
    _host,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "customer", sa.BigInteger, sa.ForeignKey("custmodel_customers.number"), nullable=False
    ),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("reference", sa.String(40), nullable=False),
    mysql_engine="InnoDB",
)


class Backoffice:
    """The store, the async book over it and the payments table: what the endpoints use.

    Args:
        url: The database (``sqlite:///shop.sqlite``, ``postgresql://...``); migrated on open.
        max_workers: Threads of the book's pool; None sizes it to the store's connections.
    """

    def __init__(self, url: str, *, max_workers: int | None = None) -> None:
        self.store = SqlStore.from_url(url)
        _host.create_all(self.store.engine, tables=[payments])
        # Registered once per process, before the first merge: merges move payments along.
        self.store.register_reference(payments.name, "customer")
        self.book = AsyncCustomerBook(CustomerBook(self.store), max_workers=max_workers)

    async def close(self) -> None:
        """Shut the book's pool down, then close the store's connections."""
        await self.book.aclose()
        self.store.close()

    def record_payment(self, number: int, amount_cents: int, reference: str) -> dict[str, Any]:
        """Write a payment of customer ``number`` (blocking: run it in the book's pool).

        ``hold_customer`` locks the customer in this transaction and follows merges to the
        active customer, so a concurrent merge either waits for this row and moves it, or
        finished first and the row names its master: never a tombstone.
        """
        with self.store.engine.begin() as connection:
            customer = self.store.hold_customer(connection, number)
            inserted = connection.execute(
                sa.insert(payments).values(
                    customer=customer, amount_cents=amount_cents, reference=reference
                )
            )
            (payment_id,) = inserted.inserted_primary_key or (None,)
        return {"id": payment_id, "customer": customer, "amount_cents": amount_cents}


_converter = make_converter()


def _status_of(error: CustmodelError) -> int:
    return next((status for kind, status in STATUS if isinstance(error, kind)), 500)


async def _custmodel_error(request: Request, error: Exception) -> Response:
    """Answer a custmodel error with its status and its message (which holds no personal data)."""
    if not isinstance(error, CustmodelError):  # pragma: no cover - registered for these only
        raise error
    status = _status_of(error)
    headers = {"Retry-After": "1"} if status == 503 else None
    body = {"error": type(error).__name__, "message": str(error)}
    return JSONResponse(body, status_code=status, headers=headers)


async def _json_body(request: Request) -> object:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInputError("the request body is no JSON document") from None


def _whole_number(request: Request, name: str, default: int, lowest: int, highest: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not lowest <= int(text) <= highest:
        raise InvalidInputError(f"{name} is a whole number from {lowest} to {highest}")
    return int(text)


def _book(request: Request) -> AsyncCustomerBook:
    backoffice: Backoffice = request.app.state.backoffice
    return backoffice.book


async def register_customer(request: Request) -> Response:
    """``POST /customers``: register the customer the JSON body describes."""
    draft = structure_input(await _json_body(request), NewCustomer)
    customer = await _book(request).register_draft(draft)
    return JSONResponse(_converter.unstructure(customer), status_code=201)


async def list_customers(request: Request) -> Response:
    """``GET /customers?after=N&limit=M``: up to M active customers numbered above N.

    The response's ``next`` is the ``after`` of the following page, null on the last one.
    """
    after = _whole_number(request, "after", 0, 0, 2**63 - 1)
    limit = _whole_number(request, "limit", 100, 1, PAGE_LIMIT)
    # One more than asked for tells whether another page follows (keyset paging: a read of
    # the primary key's range, as fast on the thousandth page as on the first).
    found = await _book(request).select(limit=limit + 1, after=after)
    page = [_converter.unstructure(customer) for customer in found[:limit]]
    following = page[-1]["number"] if len(found) > limit else None
    return JSONResponse({"customers": page, "next": following})


async def get_customer(request: Request) -> Response:
    """``GET /customers/{number}``: the customer as stored (a merged one as its tombstone)."""
    customer = await _book(request).get(request.path_params["number"])
    return JSONResponse(_converter.unstructure(customer))


async def pay(request: Request) -> Response:
    """``POST /customers/{number}/payments`` with ``{"amount": "12.50", "reference": "..."}``.

    A payment for a merged number is booked to its master; the response names the customer
    it was booked to.
    """
    body = await _json_body(request)
    if not isinstance(body, dict) or set(body) != {"amount", "reference"}:
        raise InvalidInputError("a payment is an object with exactly: amount, reference")
    amount, reference = body["amount"], body["reference"]
    try:
        cents = Decimal(amount) * 100 if isinstance(amount, str) else None
    except InvalidOperation:
        cents = None
    if cents is None or not cents.is_finite() or cents != cents.to_integral():
        cents = None
    if cents is None or not 0 < cents <= MAX_CENTS:
        raise InvalidInputError(
            'amount: euros and cents as text, above 0 and up to 1000000.00, e.g. "12.50"'
        )
    if not isinstance(reference, str) or not 1 <= len(reference) <= 40:
        raise InvalidInputError("reference: text of 1 to 40 characters")
    backoffice: Backoffice = request.app.state.backoffice
    written = await backoffice.book.run_in_pool(
        backoffice.record_payment, request.path_params["number"], int(cents), reference
    )
    return JSONResponse(written, status_code=201)


def create_app(url: str, *, max_workers: int | None = None) -> Starlette:
    """The application on the database at ``url``, opened at start-up and closed at shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.backoffice = Backoffice(url, max_workers=max_workers)
        try:
            yield
        finally:
            await app.state.backoffice.close()

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        CustmodelError: _custmodel_error
    }
    return Starlette(
        routes=[
            Route("/customers", register_customer, methods=["POST"]),
            Route("/customers", list_customers, methods=["GET"]),
            Route("/customers/{number:int}", get_customer, methods=["GET"]),
            Route("/customers/{number:int}/payments", pay, methods=["POST"]),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
