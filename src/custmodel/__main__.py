"""``python -m custmodel``: the ``custmodel`` command line, e.g. ``python -m custmodel demo``.

The command line needs the ``cli`` extra; without it this prints which extra to install and
exits with 2.
"""

from __future__ import annotations

import sys

#: The packages of the ``cli`` extra.
_CLI_PACKAGES = frozenset({"typer", "rich", "click", "shellingham"})


def main() -> int:
    """Run the command line; return 2 when the ``cli`` extra is not installed."""
    try:
        from custmodel.cli import main as cli_main
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in _CLI_PACKAGES:
            raise
        sys.stderr.write(
            "error: the custmodel command line needs the 'cli' extra: "
            "pip install 'custmodel[cli]'\n"
        )
        return 2
    cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
