"""How an import reads a text file: its encoding and, for CSV, its delimiter.

German offices export from Excel and older back-office software: semicolons between the cells
and Windows-1252 text are the rule there, not the exception. An import finds both out when it
is not told, says what it found, and when the guess is wrong says which line showed it and
which option to give.
"""

from __future__ import annotations

import codecs
import csv
import enum
import shlex
from pathlib import Path

import attrs

from custmodel import InvalidInputError
from custmodel.cli._common import BadValue

__all__ = ["Delimiter", "TextLayout", "delimiter_hint", "encoding_of", "sniff_delimiter"]

#: Read when the file is valid UTF-8; a byte order mark at the start is dropped.
UTF8 = "utf-8-sig"
#: Tried when the file is not UTF-8: what Excel and Windows programs write in Germany.
WINDOWS = "cp1252"


class Delimiter(enum.StrEnum):
    """The separators a CSV import takes: comma, semicolon or tab."""

    COMMA = ","
    SEMICOLON = ";"
    TAB = "tab"

    @property
    def character(self) -> str:
        """The character between two cells."""
        return "\t" if self is Delimiter.TAB else self.value


@attrs.frozen
class TextLayout:
    """How to read a file: the codec, and a note to show when it was guessed.

    Attributes:
        encoding: The Python codec name to read with.
        note: What the import says about a guess ("read as Windows-1252"), or "".
    """

    encoding: str
    note: str = ""


def _codec(name: str) -> str:
    """The codec ``--encoding NAME`` names; ``utf-8`` drops a byte order mark too."""
    try:
        found = codecs.lookup(name).name
    except LookupError:
        raise BadValue("--encoding names no known encoding (try utf-8 or cp1252)") from None
    return UTF8 if found in ("utf-8", "utf-8-sig") else found


def first_bad_line(path: Path, encoding: str) -> int | None:
    """The number of the first line of ``path`` that ``encoding`` cannot decode, or None.

    The file is read line by line as bytes, so a large file costs one fast pass and no memory.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return max(number, 1)
    return None


def encoding_of(path: Path, given: str | None) -> TextLayout:
    """How to decode ``path``: ``given`` (``--encoding``), or UTF-8, or else Windows-1252.

    Without ``--encoding`` a file that is not valid UTF-8 is read as Windows-1252 when every
    byte of it is one, and the layout's note says so with the first line that is not UTF-8.

    Raises:
        InvalidInputError: a line the given encoding (or both guesses) cannot decode, by number.
        BadValue: ``given`` names no encoding.
    """
    if given is not None:
        codec = _codec(given)
        bad = first_bad_line(path, codec)
        if bad is not None:
            hint = (
                "; a file from Excel or Windows is often --encoding cp1252" if codec == UTF8 else ""
            )
            raise InvalidInputError(
                f"{path.name} is not {given} text: line {bad} cannot be decoded{hint}"
            )
        return TextLayout(codec)
    bad = first_bad_line(path, UTF8)
    if bad is None:
        return TextLayout(UTF8)
    if first_bad_line(path, WINDOWS) is None:
        return TextLayout(
            WINDOWS,
            f"{path.name} is not UTF-8 (line {bad} is not): read as Windows-1252 (cp1252); "
            "name another encoding with --encoding",
        )
    raise InvalidInputError(
        f"{path.name} is neither UTF-8 (line {bad} is not) nor Windows-1252 text: "
        "name its encoding with --encoding"
    )


def sniff_delimiter(header: str) -> Delimiter:
    """The delimiter of a CSV file, from its header row (comma when it has one column)."""
    try:
        found = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return Delimiter.COMMA
    return Delimiter.TAB if found == "\t" else Delimiter(found)


def delimiter_hint(header: str, used: Delimiter, fits: frozenset[str]) -> str:
    """Say which other delimiter would split ``header`` into names of ``fits``, or "".

    ``header`` is the header row as text; the hint names no cell of it.
    """
    for other in Delimiter:
        if other is used:
            continue
        names = next(csv.reader([header], delimiter=other.character), [])
        if len(names) > 1 and fits.issuperset(names):
            return (
                f"; the delimiter seems to be {other.value}, not {used.value}: "
                f"try --delimiter {shlex.quote(other.value)}"
            )
    return ""
