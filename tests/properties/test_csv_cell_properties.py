"""Properties of the formula guard on CSV cells: it is safe to open and exactly reversible."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from custmodel.cli._common import FORMULA_TRIGGERS, escape_formula, unescape_formula

#: Text that often starts with quotes and formula triggers, and sometimes is a number.
CELLS = st.one_of(
    st.text(),
    st.builds(
        "".join,
        st.lists(st.sampled_from(["'", *FORMULA_TRIGGERS, "1", ".", "e", "x", " "]), max_size=6),
    ),
)


@given(CELLS)
def test_unescaping_an_escaped_cell_gives_the_cell_back(cell: str) -> None:
    """What an export writes, an import reads back as it was stored."""
    assert cell == unescape_formula(escape_formula(cell))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@given(CELLS)
def test_an_escaped_cell_starts_with_no_trigger_unless_it_is_a_number(cell: str) -> None:
    """A written cell starts with a trigger only when it is a plain number like -12.50."""
    written = escape_formula(cell)

    runnable = written[:1] in set(FORMULA_TRIGGERS) and not _number(written)
    assert False is runnable
