"""The DuckDB warehouse connection and the small helpers every package reads it with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from base.settings import get_settings

if TYPE_CHECKING:  # pandas only for the hint: readers of the warehouse need not load it
    import pandas as pd

# No staging schema: a file's rows are typed inside its load (pipelines/ingest/staging/) and
# never stored.
SCHEMAS = ("core", "quarantine", "marts")
# The tables of those schemas that are not models: the load log, versions, directories,
# quarantine, the audit log, build parameters.
SCHEMA_FILE = Path(__file__).parent / "schema.sql"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse."""


class MemoryExhausted(RuntimeError):
    """DuckDB ran out of the working memory the settings give it, even after spilling."""

    def __init__(self) -> None:
        setting = get_settings().memory_limit
        in_bytes = limit_in_bytes(setting)
        physical = _physical_memory()
        # Double it, up to 90% of the machine: past that the operating system needs the rest.
        suggested = min(in_bytes * 2, int(physical * 0.9)) if in_bytes and physical else None
        if suggested and in_bytes and suggested > in_bytes * 1.1:
            advice = (
                f"raise COMPLAINTS_MEMORY_LIMIT to at least {_size(suggested)} "
                f"(this machine has {_size(physical or 0)})"
            )
        else:
            advice = (
                "this machine's memory is not enough for one export of this size: load it as "
                "several smaller exports (delta files) or on a machine with more memory"
            )
        limit = f"{setting} = {_size(in_bytes)}" if in_bytes and "%" in setting else setting
        super().__init__(
            f"the warehouse ran out of memory (COMPLAINTS_MEMORY_LIMIT={limit}); nothing from "
            f"this step was committed; {advice}, then run it again"
        )


_UNITS = {
    "KB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "TB": 1e12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}


def limit_in_bytes(setting: str) -> int | None:
    """A memory_limit setting ('80%', '4GB') in bytes on this machine, as DuckDB applies it."""
    text = setting.strip().upper()
    if text.endswith("%"):
        physical = _physical_memory()
        return int(physical * float(text[:-1]) / 100) if physical else None
    number = text.rstrip("KMGTIB")
    unit = text[len(number) :]
    return int(float(number) * _UNITS[unit]) if unit in _UNITS else None


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _size(n: int) -> str:
    """Bytes as DuckDB's settings take them: whole GB above 10 GB, else one decimal or MB."""
    gb = n / 1e9
    if gb >= 10:
        return f"{gb:.0f}GB"
    if gb >= 1:
        return f"{gb:.1f}GB"
    return f"{n / 1e6:.0f}MB"


class WriteFailed(RuntimeError):
    """The disk refused a write under $COMPLAINTS_HOME (full, too large, not permitted)."""

    def __init__(self, home: Path, exc: BaseException) -> None:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        super().__init__(
            f"cannot write the warehouse or its outputs under {home} (disk full or not "
            f"writable: {reason}); nothing from this step was committed; free space or fix "
            "the permissions and run it again"
        )


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's tables (base/schema.sql), made where missing: the one definition that
    loading, building, dry runs and the audit log all write to."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def set_time_zone(con: duckdb.DuckDBPyConnection, timezone: str | None = None) -> None:
    """The session reads and writes timestamps as wall-clock time in settings.timezone."""
    zone = (timezone or get_settings().timezone).replace("'", "''")
    con.execute(f"SET TimeZone = '{zone}'")


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a lock held by another process becomes one clear error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(
            str(path),
            read_only=read_only and path.exists(),
            config={"memory_limit": get_settings().memory_limit},
        )
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"{path}: the warehouse is in use by another complaints process; try again later"
            ) from None
        raise
    try:
        set_time_zone(con)
        if not read_only:
            for schema in SCHEMAS:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        yield con
    finally:
        con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """The single value of a query (None for no row), typed as the SQL makes it.

    DuckDB 2 keeps a result open until it is fetched to the end, and an open result blocks the
    connection, so never use ``fetchone()`` on a query you do not drain.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``schema.name`` exists (a mart not built yet, a first load)."""
    schema, name = table.split(".")
    return bool(
        scalar(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        )
    )


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """``table`` replaced by a small DataFrame's rows (parameters, labels, the calendar)."""
    view = table.replace(".", "_") + "_frame"
    con.register(view, frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
    return len(frame)
