"""``custmodel schema``: show the database's schema revision, create or upgrade the schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from custmodel import MissingExtraError
from custmodel.cli._common import AsJson, BadValue, Output, redact_url, state, subcommands

if TYPE_CHECKING:
    from custmodel.storage.sql import SqlStore

__all__ = ["app"]

app = subcommands(
    help=(
        "Show the schema revision of a SQL store, create or upgrade it. Every other command "
        "upgrades the schema on first use; this one lets a deployment step do it on purpose."
    ),
    epilog="Example: custmodel --db postgresql://app@db/backoffice schema upgrade",
)


def _open(ctx: typer.Context) -> tuple[str, SqlStore]:
    """Open the SQL store the command line names without migrating it."""
    url = state(ctx).url
    if url.partition("://")[0].partition("+")[0].lower() == "memory":
        raise BadValue("a memory:// store keeps no schema; name a SQL store with --db")
    try:
        from custmodel.storage.sql import SqlStore
    except ImportError as error:  # pragma: no cover - the cli extra installs the sql extra
        raise MissingExtraError("sql", "the schema commands") from error
    store = SqlStore.from_url(url, upgrade=False)
    ctx.find_root().call_on_close(store.close)
    return redact_url(url), store


@app.command(epilog="Example: custmodel schema show --json")
def show(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Show the store's schema revision and the newest one this custmodel ships."""
    url, store = _open(ctx)
    revision, head = store.schema_revision(), store.head_revision()
    out = Output(as_json)
    state = {"url": url, "revision": revision, "head": head, "up_to_date": revision == head}
    if out.json_if_asked(state):
        return
    if revision == head:
        verdict = "up to date"
    elif revision is None:
        verdict = "no custmodel schema yet: custmodel schema upgrade creates it"
    else:
        verdict = "not the newest revision: custmodel schema upgrade brings it there"
    out.fields(
        [("Store", url), ("Revision", revision or "none"), ("Newest", head), ("State", verdict)]
    )


@app.command(epilog="Example: custmodel schema upgrade")
def upgrade(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Create the schema in an empty database, or upgrade it to the newest revision.

    Safe to run on every deployment: at the newest revision it changes nothing.
    """
    url, store = _open(ctx)
    before = store.schema_revision()
    store.upgrade()
    after = store.schema_revision()
    out = Output(as_json)
    if out.json_if_asked({"url": url, "from": before, "to": after}):
        return
    if before == after:
        out.line(f"{url} is at the newest revision {after} already; nothing changed.")
    elif before is None:
        out.line(f"Created the schema in {url} at revision {after}.")
    else:
        out.line(f"Upgraded {url} from revision {before} to {after}.")
