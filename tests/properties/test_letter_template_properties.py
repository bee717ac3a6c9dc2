"""Properties of the mail-merge template parser and renderer (R10)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from custmodel import LetterTemplate, LetterTemplateError, letters
from custmodel.testing import strategies as cst

#: Any text without braces, line breaks and tabs included.
BRACELESS = st.text(st.characters(codec="utf-8", exclude_characters="{}"), max_size=60)

#: Any text, braces included.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)

KNOWN = st.sampled_from(letters.FIELDS)


@given(BRACELESS)
def test_text_without_braces_renders_unchanged(text: str) -> None:
    """A template without braces has no placeholders and renders as it is."""
    template = LetterTemplate.parse(text)

    assert ((), text) == (template.fields, template.render({}))


@given(BRACELESS, KNOWN, BRACELESS, ANY_TEXT)
def test_every_known_placeholder_parses_and_is_replaced(
    before: str, field: str, after: str, value: str
) -> None:
    """{Field} of every known field parses and renders as its value, text around it kept."""
    template = LetterTemplate.parse(f"{before}{{{field}}}{after}")

    assert ((field,), before + value + after) == (
        template.fields,
        template.render({field: value}),
    )


@given(BRACELESS, BRACELESS)
def test_an_unknown_placeholder_is_refused_naming_it(before: str, name: str) -> None:
    """{Name} of anything but a known field is refused, naming it and where it starts."""
    assume(unicodedata.normalize("NFC", name) not in letters.FIELDS)
    with pytest.raises(LetterTemplateError) as info:
        LetterTemplate.parse(f"{before}{{{name}}}")

    assert (name, len(before)) == (info.value.placeholder, info.value.position)


@given(ANY_TEXT)
def test_doubled_braces_render_as_the_text(text: str) -> None:
    """Any text with its braces doubled renders back to itself."""
    escaped = text.replace("{", "{{").replace("}", "}}")

    assert text == LetterTemplate.parse(escaped).render({})


@given(cst.letter_templates())
def test_a_templates_text_parses_back_to_it(template: LetterTemplate) -> None:
    """parse(t.text) == t: the text form loses nothing."""
    assert template == LetterTemplate.parse(template.text)


@given(cst.letter_templates(), st.dictionaries(KNOWN, ANY_TEXT))
def test_values_are_inserted_literally(template: LetterTemplate, values: dict[str, str]) -> None:
    """Values are never parsed again: a customer named "{OP-Betrag}" stays so in the letter."""
    expected = template.literals[0] + "".join(
        values.get(field, "") + literal
        for field, literal in zip(template.fields, template.literals[1:], strict=True)
    )

    assert expected == template.render(values)


@given(ANY_TEXT)
def test_any_text_parses_or_is_refused_with_a_template_error(text: str) -> None:
    """Parsing never fails with anything but a LetterTemplateError that gives a position."""
    position: int | None = 0
    try:
        LetterTemplate.parse(text)
    except LetterTemplateError as error:
        position = error.position
    assert position is not None
