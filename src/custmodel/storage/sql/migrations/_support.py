"""What the migrations share. A migration stays as it was written: never change a value here
that a migration uses; a new need gets a new name.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["MYSQL_TABLE_OPTIONS"]

#: Table options for MySQL/MariaDB tables. utf8mb4_nopad_bin compares text exactly as Python
#: does (case, accents, trailing spaces). SQLAlchemy reads the ``mariadb_`` spelling for
#: ``mariadb://`` URLs and the ``mysql_`` one otherwise.
MYSQL_TABLE_OPTIONS: Final[dict[str, Any]] = {
    f"{prefix}_{option}": value
    for prefix in ("mysql", "mariadb")
    for option, value in (
        ("engine", "InnoDB"),
        ("charset", "utf8mb4"),
        ("collate", "utf8mb4_nopad_bin"),
    )
}
