"""The ASGI load test (bench/asgi_load.py) runs, on tiny numbers, in every variant."""

from __future__ import annotations

import pytest

from bench.asgi_load import VARIANTS, main, measure


def test_every_variant_answers_every_request_without_error() -> None:
    """Three clients of four requests each: twelve answers per variant, none failed."""
    results = measure(3, 4, postgres=False)

    assert [("SQLite file", v, 12, 0) for v in VARIANTS] == [
        (r.store, r.variant, r.requests, r.errors) for r in results
    ]
    assert all(r.p50 <= r.p95 and r.max_lag >= 0 for r in results)


def test_the_command_prints_a_row_per_variant(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m bench.asgi_load`` prints the table with the load average around it."""
    assert 0 == main(["--clients", "2", "--requests", "2", "--no-postgres"])

    printed = capsys.readouterr().out
    assert [f"| SQLite file | {v} |" in printed for v in VARIANTS] == [True] * len(VARIANTS)
    assert "load average at start" in printed
