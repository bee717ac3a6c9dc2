"""Work in a background thread whose outcome a test collects, for tests that hold locks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Background"]


class Background:
    """Runs ``work`` in a daemon thread at once; :meth:`result` waits for it.

    Args:
        work: What to run.
        patience: How long :meth:`result` waits, in seconds, before it fails the test.
    """

    def __init__(self, work: Callable[[], Any], patience: float = 10.0) -> None:
        self._work = work
        self._patience = patience
        self._outcome: tuple[bool, Any] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome = (True, self._work())
        except BaseException as error:
            self._outcome = (False, error)

    @property
    def done(self) -> bool:
        """Whether the work has ended."""
        return self._outcome is not None

    def result(self) -> Any:
        """Wait for the work; return its result or raise its error."""
        self._thread.join(self._patience)
        assert self._outcome is not None, "the background work did not end"
        succeeded, value = self._outcome
        if not succeeded:
            raise value
        return value
