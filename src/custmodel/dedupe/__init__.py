"""Finding duplicate customers, German-aware: "Müller"/"Mueller", "Meier"/"Mayer".

Customers are folded (case, umlauts, ß, accents, titles, company suffixes), put into several
bounded blocks (phonetic names in either order, birth date, e-mail, phone, street, postal code
with either name) so that a typo anywhere, swapped names or a missing field still meet, and
every pair of a block is scored by a Fellegi-Sunter model whose weights are learnt from the
customers themselves. A pair's score is the probability that it is one party; its
comparisons say what each field contributed. docs/duplicates.md tells the whole story.

Needs the ``dedupe`` extra (``pip install custmodel[dedupe]``): rapidfuzz and
cologne-phonetics.
"""

from __future__ import annotations

from custmodel.dedupe._blocking import MAX_BLOCK, WINDOW
from custmodel.dedupe._compare import FIELDS
from custmodel.dedupe._finder import (
    DEFAULT_THRESHOLD,
    candidate_keys,
    find_duplicate_groups,
    likely_duplicates,
)
from custmodel.dedupe._normalize import normalize_name, phonetic_code
from custmodel.dedupe._types import (
    CandidateKeys,
    Comparison,
    DuplicateCandidate,
    DuplicateGroup,
    DuplicatePair,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "FIELDS",
    "MAX_BLOCK",
    "WINDOW",
    "CandidateKeys",
    "Comparison",
    "DuplicateCandidate",
    "DuplicateGroup",
    "DuplicatePair",
    "candidate_keys",
    "find_duplicate_groups",
    "likely_duplicates",
    "normalize_name",
    "phonetic_code",
]
