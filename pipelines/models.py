"""The SQL model runner: ``models/<layer>/<table>.sql``, one SELECT per table.

The runner reads each model's references to other tables, orders them and materialises each as
``CREATE OR REPLACE TABLE <layer>.<table> AS <select>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import pandas as pd

from base.warehouse import scalar

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
_REF = re.compile(r"\b(core|quarantine|marts)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)


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

    @property
    def code(self) -> str:
        """The SQL without its comments, which may name tables or variables it does not read."""
        return re.sub(r"--[^\n]*", "", self.sql)

    def refs(self) -> set[str]:
        return {f"{a.lower()}.{b.lower()}" for a, b in _REF.findall(self.code)} - {self.table}


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


def materialise(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    """Build one model as a table and return its row count."""
    con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{model.sql}")
    return scalar(con, f"SELECT count(*) FROM {model.table}")


def mart_models() -> list[str]:
    """Derived tables rebuilt by `complaints build`, in dependency order."""
    models = discover_models(MODELS_DIR)
    return [t for t in model_order(models) if t.startswith("marts.")]


def final_marts() -> list[str]:
    """The marts no other mart reads, in dependency order: every mart is one of them or upstream
    of one, so what depends on these depends on every mart."""
    models = discover_models(MODELS_DIR)
    read = {ref for table in mart_models() for ref in models[table].refs()}
    return [t for t in mart_models() if t not in read]


def build_model(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return materialise(con, discover_models(MODELS_DIR)[table])


def preview(con: duckdb.DuckDBPyConnection, table: str, limit: int = 5) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {table} LIMIT {limit}").df()
