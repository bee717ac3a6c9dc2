"""``python -m custmodel demo``: play the manuals' scenarios on the embedded SQLite store.

``--db URL`` plays them on another store instead, e.g. ``--db memory://`` or a PostgreSQL URL.
Without it the demo writes ``custmodel-demo.sqlite`` in the current directory, new each run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from custmodel.errors import CustmodelError

#: Where the demo keeps its SQLite database unless told otherwise.
DEMO_DATABASE = Path("custmodel-demo.sqlite")


def main(argv: list[str] | None = None) -> int:
    """Run the command named in ``argv``; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m custmodel")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="play the manuals' scenarios and print them")
    demo.add_argument(
        "--db",
        metavar="URL",
        help=f"store to play on (default: a new SQLite file {DEMO_DATABASE})",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    from custmodel.demo import run
    from custmodel.storage.factory import open_store

    url = args.db
    if url is None:
        # A new database each run, so the demo always tells the same story.
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{DEMO_DATABASE}"
    try:
        store = open_store(url)
        try:
            run(sys.stdout, store)
        finally:
            store.close()
    except CustmodelError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    sys.stdout.write(f"\n(played on {url})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
