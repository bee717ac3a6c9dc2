"""The web API (travelshop.web) through an ASGI client: request to customer, errors to status
codes, pages, and payments that follow merges.

Runs on an SQLite file, and on PostgreSQL too when CUSTMODEL_TEST_POSTGRES_URL names a server
(each test in a schema of its own, dropped afterwards).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from travelshop.web import Backoffice, create_app, payments

Client = Callable[[httpx.AsyncClient, Backoffice], Awaitable[None]]
POSTGRES = os.environ.get("CUSTMODEL_TEST_POSTGRES_URL", "").strip()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: an SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shop.sqlite'}"
        return
    if not POSTGRES:
        message = "set CUSTMODEL_TEST_POSTGRES_URL to run the web API on PostgreSQL too"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: a missing database server fails the run)")
        pytest.skip(message)
    schema = f"shop_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    base = sa.make_url(POSTGRES)
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def serve(url: str, client: Client) -> None:
    """Start the application on ``url``, run ``client`` against it, and shut it down."""
    app = create_app(url)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://shop") as http:
                await client(http, app.state.backoffice)

    asyncio.run(run())


async def register(http: httpx.AsyncClient, last_name: str, **fields: Any) -> dict[str, Any]:
    response = await http.post("/customers", json={"kind": "private", "last_name": last_name})
    assert 201 == response.status_code, response.text
    registered: dict[str, Any] = response.json()
    return registered


def test_a_posted_customer_is_registered_and_read_back(url: str) -> None:
    """POST /customers registers the body's customer; GET /customers/{n} returns it."""

    async def client(http: httpx.AsyncClient, _office: Backoffice) -> None:
        body = {"kind": "corporate", "last_name": "Reisen GmbH", "city": "Köln"}
        response = await http.post("/customers", json=body)
        assert 201 == response.status_code, response.text
        created = response.json()
        assert (1, 10001, "Reisen GmbH", "Köln") == (
            created["number"],
            created["debtor_account"],
            created["last_name"],
            created["city"],
        )
        assert created == (await http.get("/customers/1")).json()

    serve(url, client)


def test_bad_requests_get_their_status_and_a_message_naming_the_field(url: str) -> None:
    """An unknown key or a bad value is a 422 naming the field, an unknown number a 404,
    and nothing is registered."""

    async def client(http: httpx.AsyncClient, _office: Backoffice) -> None:
        unknown = await http.post("/customers", json={"kind": "private", "last_name": "X", "a": 1})
        bad_kind = await http.post("/customers", json={"kind": "pirate", "last_name": "X"})
        not_json = await http.post("/customers", content=b"{kind")
        missing = await http.get("/customers/404")
        assert [422, 422, 422, 404] == [
            r.status_code for r in (unknown, bad_kind, not_json, missing)
        ]
        assert "InvalidInputError" == unknown.json()["error"]
        assert "$.a: unknown field" == unknown.json()["message"]
        assert bad_kind.json()["message"].startswith("$.kind: must be one of")
        assert "pirate" not in bad_kind.json()["message"]
        assert "CustomerNotFoundError" == missing.json()["error"]
        assert {"customers": [], "next": None} == (await http.get("/customers")).json()

    serve(url, client)


def test_customers_are_listed_in_pages(url: str) -> None:
    """Five customers in pages of two: 1-2, 3-4, 5, each page naming where the next starts."""

    async def client(http: httpx.AsyncClient, _office: Backoffice) -> None:
        for n in range(5):
            await register(http, f"Kunde {n}")
        pages: list[list[int]] = []
        after: int | None = 0
        while after is not None:
            page = (await http.get("/customers", params={"after": after, "limit": 2})).json()
            pages.append([customer["number"] for customer in page["customers"]])
            after = page["next"]
        assert [[1, 2], [3, 4], [5]] == pages
        bad = await http.get("/customers", params={"limit": 0})
        assert (422, "limit") == (bad.status_code, bad.json()["message"][:5])

    serve(url, client)


def test_payments_name_the_master_of_a_merged_customer(url: str) -> None:
    """A payment for a merged number is booked to its master, and payments written while the
    merge runs end up at the master too: no row names the tombstone."""

    async def client(http: httpx.AsyncClient, office: Backoffice) -> None:
        master = await register(http, "Sonnenschein")
        twin = await register(http, "Sonnenschein")
        paid = f"/customers/{twin['number']}/payments"
        before = await http.post(paid, json={"amount": "10.00", "reference": "R-0"})
        assert (201, twin["number"]) == (before.status_code, before.json()["customer"])

        async def pay(n: int) -> httpx.Response:
            return await http.post(paid, json={"amount": "1.50", "reference": f"R-{n}"})

        merging = asyncio.create_task(office.book.merge(master["number"], [twin["number"]]))
        during = await asyncio.gather(*(pay(n) for n in range(8)))
        merged = await merging
        after = await http.post(paid, json={"amount": "2.00", "reference": "R-9"})

        assert [201] * 9 == [r.status_code for r in (*during, after)]
        assert master["number"] == after.json()["customer"]
        with office.store.engine.connect() as connection:
            rows = connection.execute(sa.select(payments.c.customer, payments.c.amount_cents))
            owners = sorted(rows.all())
        assert [(master["number"], 150)] * 8 + [(master["number"], 200)] + [
            (master["number"], 1000)
        ] == owners
        # The merge moved the payment made before it, and those that got in ahead of it.
        assert 1 <= merged.references_moved["travelshop_payments.customer"] <= 9

    serve(url, client)


def test_a_bad_payment_is_refused_and_nothing_is_written(url: str) -> None:
    """A zero, fractional-cent, non-text, huge or missing amount or reference is a 422, a
    payment for no customer a 404."""
    bodies: list[object] = [
        {"amount": "0.00", "reference": "R"},
        {"amount": "1.005", "reference": "R"},
        {"amount": 12.5, "reference": "R"},
        {"amount": "NaN", "reference": "R"},
        {"amount": "1e30", "reference": "R"},
        {"amount": "12.50", "reference": ""},
        {"amount": "12.50"},
        ["12.50", "R"],
    ]

    async def client(http: httpx.AsyncClient, office: Backoffice) -> None:
        await register(http, "Zahler")
        refused = [
            (await http.post("/customers/1/payments", json=body)).status_code for body in bodies
        ]
        unknown = await http.post("/customers/9/payments", json={"amount": "1", "reference": "R"})
        assert ([422] * len(bodies), 404) == (refused, unknown.status_code)
        with office.store.engine.connect() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(payments))
            assert 0 == count.scalar()

    serve(url, client)
