"""``custmodel demo``: play the demo on a new SQLite file and show how to explore it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from custmodel import CustomerBook, Selection
from custmodel.cli._common import CommandRefusedError, Output, plural, redact_url, state
from custmodel.demo import DEFAULT_CUSTOMERS, DEFAULT_SEED, MERGE_DATA_FILE, run

T = TypeVar("T")

__all__ = ["DEMO_DATABASE", "EPILOG", "demo"]

#: Where the demo keeps its SQLite database unless --db names another store.
DEMO_DATABASE = Path("custmodel-demo.sqlite")

EPILOG = (
    "Example: custmodel demo; custmodel --db memory:// demo --seed 7 --customers 300;"
    " custmodel demo --letters-dir letters"
)

#: Commands worth trying on the demo's data, shown after it ran.
_EXPLORE = (
    "customer select --kind private",
    "customer show 1",
    "settings show --kind private",
    "booking list 1",
    "merge duplicates",
    "merge history",
    "gdpr eligibility 1 --agency AG1",
    "--help",
)


def _program() -> str:
    """How to call this command line again: its path when it is not the one on PATH.

    After the README's quick start the script is .venv/bin/custmodel, which a plain
    ``custmodel`` would not find.
    """
    script = Path(sys.argv[0])
    if script.name == "custmodel":
        found = shutil.which("custmodel")
        if found is None or Path(found).resolve() != script.resolve():
            return str(script)
    return "custmodel"


def _kept(url: str) -> bool:
    """False for stores that vanish with the process (memory://, SQLite in memory)."""
    scheme, _, rest = url.partition("://")
    backend = scheme.partition("+")[0].lower()
    return backend != "memory" and not (backend == "sqlite" and rest in ("", "/", "/:memory:"))


def demo(
    ctx: typer.Context,
    seed: Annotated[
        int, typer.Option("--seed", help="The data set's seed: the same seed, the same story.")
    ] = DEFAULT_SEED,
    customers: Annotated[
        int,
        typer.Option("--customers", help="How many customers the data set has (300 to 100000)."),
    ] = DEFAULT_CUSTOMERS,
    letters_dir: Annotated[
        Path | None,
        typer.Option(
            "--letters-dir",
            help=f"Also write the dunning run's mail-merge data file ({MERGE_DATA_FILE}) here.",
        ),
    ] = None,
) -> None:
    """Play the manuals' scenarios on a German demo data set in a new custmodel-demo.sqlite.

    Each run deletes and recreates custmodel-demo.sqlite in the current directory. With --db
    (given before the command) the demo plays on that store instead, which must hold no
    customers yet. CUSTMODEL_DATABASE_URL is never used: the demo must not write into the
    store you work with.
    """
    url = state(ctx).db
    if url is None:
        # A new database each run, so the demo always tells the same story.
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{DEMO_DATABASE}"
        store = state(ctx).open(ctx, url)
    else:
        store = state(ctx).open(ctx, url)
        held = CustomerBook(store).count(Selection(include_merged=True))
        if held:
            raise CommandRefusedError(
                f"the demo plays on an empty store only; this one holds {plural(held, 'customer')}"
            )
    out = Output()
    with out.progress() as progress:

        def track(sequence: Iterable[T], description: str, total: int | None) -> Iterable[T]:
            return progress.track(sequence, total=total, description=description)

        run(
            sys.stdout,
            store,
            seed=seed,
            customers=customers,
            track=track,
            letters_dir=letters_dir,
        )
    out.line()
    out.line(f"(played on {redact_url(url)})")
    if not _kept(url):
        out.line("That store is gone now; run custmodel demo to keep the data in a file.")
        return
    out.line("Explore the data with the command line:")
    out.line(f"  export CUSTMODEL_DATABASE_URL={redact_url(url)}")
    program = _program()
    for command in _EXPLORE:
        out.line(f"  {program} {command}")
