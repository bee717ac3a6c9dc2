"""The ``custmodel`` command line (needs the ``cli`` extra: ``pip install 'custmodel[cli]'``).

``custmodel --help`` lists the command groups; ``docs/cli.md`` explains every command.
"""

from custmodel.cli._app import app, exit_code, main

__all__ = ["app", "exit_code", "main"]
