"""Writing a mail-merge data file to a path or an open text file, never half a file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from custmodel import letters as mailmerge
from custmodel.errors import InvalidInputError

#: Where a data file goes: a file path, or an open text file.
Target = str | os.PathLike[str] | mailmerge.TextSink


def check_target(target: object) -> None:
    """Refuse a ``target`` that is neither a file path nor a text file open for writing."""
    if not isinstance(target, str | os.PathLike) and not callable(getattr(target, "write", None)):
        raise InvalidInputError("target must be a file path or a text file open for writing")


def write(
    target: Target,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, str]],
    *,
    delimiter: str,
) -> int:
    """Write the data file to ``target``; return how many rows were written.

    A path is written to ``<name>.part`` first and renamed when complete, so a failed export
    leaves no half file; an open text file is written to as it is.
    """
    if not isinstance(target, str | os.PathLike):
        return mailmerge.write_data_file(target, columns, rows, delimiter=delimiter)
    path = Path(target)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as sink:
            count = mailmerge.write_data_file(sink, columns, rows, delimiter=delimiter)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
