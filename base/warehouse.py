"""The DuckDB warehouse connection and the small helpers every package reads it with."""

from __future__ import annotations

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

# DuckDB's working memory; beyond it, temp tables and large joins spill to <warehouse>.tmp in
# the home. Keeps a 1M-row load within a laptop's means (see benchmarks/RESULTS.md).
MEMORY_LIMIT = "768MB"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse."""


class WriteFailed(RuntimeError):
    """The disk refused a write under $COMPLAINTS_HOME (full, too large, not permitted)."""

    def __init__(self, home: Path, exc: BaseException) -> None:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        super().__init__(
            f"cannot write the warehouse or its outputs under {home} (disk full or not "
            f"writable: {reason}); nothing from this step was committed; free space or fix "
            "the permissions and run it again"
        )


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
            str(path), read_only=read_only and path.exists(), config={"memory_limit": MEMORY_LIMIT}
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
