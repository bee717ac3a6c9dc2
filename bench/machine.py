"""The machine a run measured: CPU, cores, memory, load, and the versions that matter."""

from __future__ import annotations

import os
import platform
import sqlite3
from contextlib import closing
from importlib import metadata
from pathlib import Path

__all__ = ["describe", "load_average"]


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return "unknown"
    return f"{pages / 2**30:.1f} GiB"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, or "unknown"."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _postgres_version(url: str | None) -> str:
    if url is None:
        return "not measured"
    import psycopg

    from bench.stores import _libpq

    try:
        with closing(psycopg.connect(_libpq(url), connect_timeout=3)) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        return f"unreachable ({type(error).__name__})"
    return "unknown" if row is None else str(row[0])


def describe(postgres_url: str | None) -> list[tuple[str, str]]:
    """(what, value) pairs describing this machine and the software versions."""
    return [
        ("CPU", _cpu_model()),
        ("cores", str(os.cpu_count())),
        ("RAM", _memory_gib()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", _postgres_version(postgres_url)),
        ("SQLAlchemy", metadata.version("sqlalchemy")),
        ("psycopg", _optional_version("psycopg")),
        ("load average at start (1/5/15 min)", load_average()),
    ]


def _optional_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
