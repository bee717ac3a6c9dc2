"""``python -m bench.asgi_load``: an ASGI back office under 20 concurrent clients, three ways.

The same small web API (register a customer from a JSON body, read a customer by number) in
three variants over one store:

- ``thread pool``: the handlers are plain functions over :class:`~custmodel.CustomerBook`;
  Starlette runs them in its (anyio's) thread pool, as FastAPI does with ``def`` endpoints.
- ``AsyncCustomerBook``: ``async`` endpoints awaiting :class:`custmodel.aio.AsyncCustomerBook`,
  whose own pool is sized to the store's connection pool.
- ``blocking (wrong)``: ``async`` endpoints that call the sync book directly, which blocks the
  event loop for every database call; shown for comparison, never do this.

Clients and application share one event loop in one process (``httpx.ASGITransport``, no
network), so the figures are the application's and custmodel's, not a server's. A heartbeat
task measures how late the loop wakes it: the event-loop lag every other request waits for.
Prints requests/s, p50/p95 latency and the largest lag per variant, on an SQLite file and on
PostgreSQL when its benchmark server answers (``CUSTMODEL_BENCH_POSTGRES_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import machine
from bench.data import bench_settings
from bench.stores import postgres_problem, postgres_schema
from custmodel import CustmodelError, CustomerBook, CustomerKind, NewCustomer
from custmodel.aio import AsyncCustomerBook
from custmodel.serialization import make_converter
from custmodel.storage.sql import SqlStore

__all__ = ["VARIANTS", "Result", "main", "measure"]

#: The variants, in the order of the table.
VARIANTS = ("thread pool", "AsyncCustomerBook", "blocking (wrong)")
#: Customers registered before the clients start, for the reads.
SEEDED = 200
#: Every WRITE_EVERY-th request of a client registers a customer; the others read one.
WRITE_EVERY = 4
#: How often the heartbeat asks to be woken, in seconds.
BEAT = 0.005

_converter = make_converter()


@attrs.frozen
class Result:
    """One variant's run.

    Attributes:
        store: "SQLite file" or "PostgreSQL".
        variant: One of :data:`VARIANTS`.
        requests: Requests answered.
        errors: Answers that were no success.
        seconds: Wall time of the run.
        p50: Median latency, seconds.
        p95: 95th percentile latency, seconds.
        max_lag: The latest the event loop woke the heartbeat, seconds.
    """

    store: str
    variant: str
    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    max_lag: float

    @property
    def per_second(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds


def _draft(body: Any) -> NewCustomer:
    draft = _converter.structure(body, NewCustomer)
    if not isinstance(draft, NewCustomer):  # pragma: no cover - structure returns the class
        raise TypeError("not a NewCustomer")
    return draft


async def _error(_request: Request, error: Exception) -> Response:
    return JSONResponse({"error": type(error).__name__}, status_code=422)


def _app(routes: list[Route]) -> Starlette:
    return Starlette(routes=routes, exception_handlers={CustmodelError: _error})


def thread_pool_app(book: CustomerBook) -> Starlette:
    """Plain handlers over the book, run in Starlette's thread pool."""

    def register(body: Any) -> Response:
        (customer,) = book.register_many([_draft(body)])
        return JSONResponse(_converter.unstructure(customer), status_code=201)

    async def post(request: Request) -> Response:
        # The body is read on the loop; the handler runs in the pool (FastAPI's way with def).
        return await run_in_threadpool(register, await request.json())

    def get(request: Request) -> Response:  # a def endpoint: Starlette runs it in the pool
        customer = book.get(int(request.path_params["number"]))
        return JSONResponse(_converter.unstructure(customer))

    return _app([Route("/customers", post, methods=["POST"]), Route("/customers/{number}", get)])


def async_book_app(book: AsyncCustomerBook) -> Starlette:
    """``async`` endpoints awaiting the async book."""

    async def post(request: Request) -> Response:
        (customer,) = await book.register_many([_draft(await request.json())])
        return JSONResponse(_converter.unstructure(customer), status_code=201)

    async def get(request: Request) -> Response:
        customer = await book.get(int(request.path_params["number"]))
        return JSONResponse(_converter.unstructure(customer))

    return _app([Route("/customers", post, methods=["POST"]), Route("/customers/{number}", get)])


def blocking_app(book: CustomerBook) -> Starlette:
    """``async`` endpoints that call the sync book on the loop: the mistake to avoid."""

    async def post(request: Request) -> Response:
        (customer,) = book.register_many([_draft(await request.json())])
        return JSONResponse(_converter.unstructure(customer), status_code=201)

    async def get(request: Request) -> Response:
        customer = book.get(int(request.path_params["number"]))
        return JSONResponse(_converter.unstructure(customer))

    return _app([Route("/customers", post, methods=["POST"]), Route("/customers/{number}", get)])


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _drive(app: Starlette, clients: int, requests: int, seed: int) -> tuple[Any, ...]:
    """Run ``clients`` clients of ``requests`` requests each against ``app``."""
    latencies: list[float] = []
    errors = 0
    lags: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        while not stop.is_set():
            asked = time.perf_counter()
            await asyncio.sleep(BEAT)
            lags.append(time.perf_counter() - asked - BEAT)

    async def client(http: httpx.AsyncClient, number: int) -> None:
        nonlocal errors
        chance = random.Random(seed * 1000 + number)
        for n in range(requests):
            started = time.perf_counter()
            if n % WRITE_EVERY == 0:
                body = {"kind": "private", "last_name": f"Last {number}-{n}", "city": "Köln"}
                response = await http.post("/customers", json=body)
            else:
                response = await http.get(f"/customers/{chance.randint(1, SEEDED)}")
            latencies.append(time.perf_counter() - started)
            errors += response.status_code >= 300

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        # Warm up (threads started, connections opened), unmeasured: a read per client.
        await asyncio.gather(*(http.get(f"/customers/{n + 1}") for n in range(clients)))
        beats = asyncio.create_task(heartbeat())
        started = time.perf_counter()
        await asyncio.gather(*(client(http, number) for number in range(clients)))
        seconds = time.perf_counter() - started
        stop.set()
        await beats
    return len(latencies), errors, seconds, latencies, max(lags, default=0.0)


def _run_variant(
    variant: str, url: str, store_name: str, clients: int, requests: int, workers: int | None
) -> Result:
    store = SqlStore.from_url(url)
    book = CustomerBook(store)
    async_book = AsyncCustomerBook(book, max_workers=workers)
    apps: dict[str, Callable[[], Starlette]] = {
        "thread pool": lambda: thread_pool_app(book),
        "AsyncCustomerBook": lambda: async_book_app(async_book),
        "blocking (wrong)": lambda: blocking_app(book),
    }

    async def run() -> tuple[Any, ...]:
        try:
            return await _drive(apps[variant](), clients, requests, seed=VARIANTS.index(variant))
        finally:
            await async_book.aclose()

    try:
        count, errors, seconds, latencies, lag = asyncio.run(run())
    finally:
        store.close()
    return Result(
        store_name,
        variant,
        count,
        errors,
        seconds,
        _percentile(latencies, 0.5),
        _percentile(latencies, 0.95),
        lag,
    )


def _seed(url: str) -> None:
    """Store the benchmark settings and :data:`SEEDED` customers."""
    store = SqlStore.from_url(url)
    try:
        book = CustomerBook(store, bench_settings())
        drafts = [
            NewCustomer(kind=CustomerKind.PRIVATE, last_name=f"Seed {n}") for n in range(SEEDED)
        ]
        book.register_many(drafts)
    finally:
        store.close()


@contextmanager
def _sqlite_url() -> Iterator[Callable[[], str]]:
    with tempfile.TemporaryDirectory(prefix="custmodel-asgi-") as directory:
        made = iter(range(1_000_000))

        def fresh() -> str:
            return f"sqlite:///{Path(directory) / f'asgi-{next(made)}.sqlite'}"

        yield fresh


def measure(
    clients: int,
    requests: int,
    *,
    postgres: bool,
    variants: Sequence[str] = VARIANTS,
    workers: int | None = None,
) -> list[Result]:
    """Every variant on a fresh, seeded SQLite file, then on PostgreSQL if asked and reachable.

    Each variant gets a database of its own, so they start from the same state.
    """
    results: list[Result] = []
    with _sqlite_url() as fresh:
        for variant in variants:
            url = fresh()
            _seed(url)
            results.append(_run_variant(variant, url, "SQLite file", clients, requests, workers))
    if postgres:
        for variant in variants:
            with postgres_schema() as schema:
                _seed(schema.url)
                results.append(
                    _run_variant(variant, schema.url, "PostgreSQL", clients, requests, workers)
                )
    return results


def table(results: Sequence[Result]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| store | variant | requests/s | p50 ms | p95 ms | max loop lag ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.store} | {r.variant} | {r.per_second:,.0f} | {r.p50 * 1000:.1f} | "
        f"{r.p95 * 1000:.1f} | {r.max_lag * 1000:.1f} | {r.errors} |"
        for r in results
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test and print the table; 1 if any request failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.asgi_load", description=__doc__)
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--requests", type=int, default=100, help="requests per client (100)")
    parser.add_argument(
        "--no-postgres", action="store_true", help="SQLite only, even when PostgreSQL answers"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="threads of the AsyncCustomerBook (default: the store's connection pool size)",
    )
    arguments = parser.parse_args(argv)
    problem = None if arguments.no_postgres else postgres_problem()
    postgres = not arguments.no_postgres and problem is None
    print(f"load average at start (1/5/15 min): {machine.load_average()}")
    results = measure(
        arguments.clients, arguments.requests, postgres=postgres, workers=arguments.workers
    )
    print(
        f"{arguments.clients} clients x {arguments.requests} requests "
        f"(1 in {WRITE_EVERY} registers, the others read), {SEEDED} customers seeded"
    )
    print(table(results))
    if problem is not None:
        print(f"PostgreSQL skipped: {problem}")
    print(f"load average at end (1/5/15 min): {machine.load_average()}")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
