"""``python -m custmodel demo``: play the manuals' scenarios on the in-memory store."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command named in ``argv``; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["demo"]:
        sys.stderr.write("usage: python -m custmodel demo\n")
        return 2
    from custmodel.demo import run

    run(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
