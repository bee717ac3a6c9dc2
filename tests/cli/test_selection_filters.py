"""Every selecting command takes the same filter options, declared once (selection_filters)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import typer

from custmodel import CustomerKind, Selection
from custmodel.cli._common import EVERY, selection_filters
from custmodel.cli._customer import select_, set_status
from custmodel.cli._letters import mail_merge
from custmodel.cli._stats import stats
from custmodel.cli._transfer import export_bookings, export_customers

COMMON = ["kind", "customer_type", "category", "flags", "any_flags", "code1", "code2", "name"]


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (select_, ["anonymized", "include_merged"]),
        (export_customers, ["anonymized", "include_merged"]),
        (export_bookings, ["anonymized"]),
        (stats, ["anonymized"]),
        (set_status, []),
        (mail_merge, []),
    ],
)
def test_each_selecting_command_offers_its_filters_in_one_run(
    command: object, extra: list[str]
) -> None:
    """The filters stand together where the command declared ``chosen``, in one order."""
    names = list(inspect.signature(command).parameters)  # type: ignore[arg-type]
    assert "chosen" not in names
    start = names.index("kind")
    assert [*COMMON, *extra] == names[start : start + len(COMMON) + len(extra)]


def test_the_command_receives_the_selection_the_filters_describe() -> None:
    """The options become one Selection; what the command declares besides is passed through."""
    seen: list[tuple[Selection, int]] = []

    @selection_filters(anonymized=True)
    def command(ctx: typer.Context, limit: int = 1, chosen: Selection = EVERY) -> None:
        seen.append((chosen, limit))

    options = dict.fromkeys(COMMON) | {"anonymized": False, "limit": 3}
    # Called as Typer calls it: every option by name, the context unused.
    called: Any = command
    called(ctx=None, **options | {"kind": CustomerKind.CORPORATE, "flags": [2, 3]})
    expected = Selection(
        kind=CustomerKind.CORPORATE, status_all=frozenset({2, 3}), anonymized=False
    )
    assert [(expected, 3)] == seen
