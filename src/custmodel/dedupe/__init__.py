"""Finding duplicate customers, German-aware: "Müller"/"Mueller", "Meier"/"Mayer".

Needs the ``dedupe`` extra (``pip install custmodel[dedupe]``): rapidfuzz and
cologne-phonetics.
"""

from __future__ import annotations

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
