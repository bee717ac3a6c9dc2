"""German-aware folding of names and keys: umlauts, ß, accents, titles, company suffixes."""

from __future__ import annotations

import re
import unicodedata
from types import ModuleType

from custmodel.errors import MissingExtraError

__all__ = ["digits", "extra", "fold", "normalize_name", "normalize_street", "phonetic_code"]

#: Words that are no part of a person's or company's name.
_TITLES = frozenset(
    {"dr", "prof", "professor", "dipl", "ing", "med", "herr", "frau", "hr", "fr", "divers"}
)
#: Legal forms a company name may carry or leave out.
_SUFFIXES = frozenset(
    {"gmbh", "mbh", "ag", "kg", "ohg", "ug", "gbr", "se", "kgaa", "co", "ek", "ev", "inc", "ltd"}
)
_DOTTED_FORMS = re.compile(r"\b(e)\s*\.\s*(k|v)\s*\.?", re.IGNORECASE)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NON_DIGITS = re.compile(r"\D+")
# "Hauptstr. 5", "Hauptstraße 5" and "Haupt Str 5" are one street.
_STREET_WORD = re.compile(r"(?<=[a-z])\s*(?:str|strasse)\b")
_STREET_ALONE = re.compile(r"\bstr\b")


def extra() -> tuple[ModuleType, ModuleType]:
    """Import rapidfuzz and cologne_phonetics, or say which extra to install."""
    try:
        import cologne_phonetics  # type: ignore[import-untyped]
        import rapidfuzz
    except ImportError as error:
        raise MissingExtraError("dedupe", "finding duplicates") from error
    return rapidfuzz, cologne_phonetics


def fold(text: str) -> str:
    """Fold case, umlauts, ß, accents and punctuation: "Straße 5a" -> "strasse 5a"."""
    if text.isascii():
        return " ".join(_NON_ALNUM.sub(" ", text.lower()).split())
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
    return " ".join(_NON_ALNUM.sub(" ", stripped).split())


def normalize_name(text: str) -> str:
    """Fold a name: "Dr. Jürgen Müller-Lüdenscheidt" -> "juergen mueller luedenscheidt".

    Case, umlauts (ä -> ae, ß -> ss), other accents, punctuation and whitespace are folded;
    titles and company suffixes (GmbH, AG, e.K., ...) are dropped.
    """
    text = _DOTTED_FORMS.sub(lambda m: f" {m.group(1)}{m.group(2)} ", text)
    return " ".join(t for t in fold(text).split() if t not in _TITLES and t not in _SUFFIXES)


def phonetic_code(text: str) -> str:
    """Kölner Phonetik code of a normalized name, word codes joined by spaces."""
    _rapidfuzz, cologne = extra()
    if not text:
        return ""
    return " ".join(code for _word, code in cologne.encode(text))


def digits(text: str) -> str:
    """The digits of ``text``: "+49 30/123-45" -> "493012345"."""
    return _NON_DIGITS.sub("", text)


def normalize_street(text: str) -> str:
    """Fold a street: "Hauptstr. 5a" and "Haupt-Straße 5 a" -> "hauptstrasse 5 a"."""
    folded = _STREET_WORD.sub("strasse", fold(text))
    return _STREET_ALONE.sub("strasse", folded)
