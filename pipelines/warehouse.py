"""The DuckDB warehouse: connections, schemas and the SQL model runner.

Models live in ``models/<layer>/<table>.sql``, one SELECT per table. The runner
reads their references to other tables, orders them and materialises each as
``CREATE OR REPLACE TABLE <layer>.<table> AS <select>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
# No staging schema: a file's rows are typed inside its load (pipelines/ingest/staging/) and
# never stored.
SCHEMAS = ("core", "quarantine", "marts")
_REF = re.compile(r"\b(core|quarantine|marts)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse."""


class WriteFailed(RuntimeError):
    """The disk refused a write under $COMPLAINTS_HOME (full, too large, not permitted)."""

    def __init__(self, home: Path, exc: BaseException) -> None:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        super().__init__(
            f"cannot write the warehouse or its outputs under {home} (disk full or not "
            f"writable: {reason}); nothing from this step was committed; free space or fix "
            "the permissions and run it again")


# DuckDB's working memory; beyond it, temp tables and large joins spill to <warehouse>.tmp in
# the home. Keeps a 1M-row load within a laptop's means (see benchmarks/RESULTS.md).
MEMORY_LIMIT = "768MB"


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; a lock held by another process becomes one clear error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only and path.exists(),
                             config={"memory_limit": MEMORY_LIMIT})
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"{path}: the warehouse is in use by another complaints process; try again later"
            ) from None
        raise
    try:
        con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
        if not read_only:
            for schema in SCHEMAS:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    path: Path

    @property
    def table(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def refs(self) -> set[str]:
        text = re.sub(r"--[^\n]*", "", self.sql)
        return {f"{a.lower()}.{b.lower()}" for a, b in _REF.findall(text)} - {self.table}


def discover_models(models_dir: Path = MODELS_DIR) -> dict[str, Model]:
    """Every ``models/<layer>/<table>.sql`` file, keyed by ``layer.table``."""
    found = {}
    for path in sorted(models_dir.glob("*/*.sql")):
        model = Model(path.parent.name, path.stem, path)
        found[model.table] = model
    return found


def model_order(models: dict[str, Model]) -> list[str]:
    """Tables in an order where each model comes after the models it reads."""
    graph = {t: {r for r in m.refs() if r in models} for t, m in models.items()}
    return list(TopologicalSorter(graph).static_order())


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single value of a query.

    DuckDB 2 keeps a result open until it is fetched to the end, and an open result blocks the
    connection, so never use ``fetchone()`` on a query you do not drain.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``schema.name`` exists (a mart not built yet, a first load)."""
    schema, name = table.split(".")
    return bool(scalar(con, "SELECT count(*) FROM duckdb_tables() "
                            "WHERE schema_name = ? AND table_name = ?", [schema, name]))


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame) -> int:
    """``table`` replaced by a small DataFrame's rows (parameters, labels, the calendar)."""
    view = table.replace(".", "_") + "_frame"
    con.register(view, frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
    return len(frame)


def materialise(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    """Build one model as a table and return its row count."""
    con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{model.sql}")
    return scalar(con, f"SELECT count(*) FROM {model.table}")
