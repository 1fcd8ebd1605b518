"""Month-partitioned marts, built incrementally: only the review months whose inputs changed.

``marts.funnel`` is the costliest mart (1.5 s of the 4.0 s of SQL at 1M complaints) and a
month's rows of it read only (a) its inputs' rows of the months in that month's window and
(b) the settings. So a build recomputes a review month only when one of these changed since
the month was last computed, and keeps the other months' rows:

- an input's rows of a month in the window (``marts.subject_monthly``, ``marts.handler_monthly``;
  compared by a per-month digest of whole rows, stored at every build, so a build of a subset
  of the marts in between cannot hide a change);
- ``as_of``: the months from the earlier to the later of the two as_of months (the last
  month's period ends at as_of; months after it are dropped);
- anything else the model reads, or the model itself (a fingerprint of the settings' rows and
  the SQL): then the whole table is rebuilt, as it is when no state is stored.

Every difference makes more months recomputed, never fewer: a digest that differs only by the
last bits of a float costs a recomputation, not a stale row. The model reads the months to
compute from the DuckDB variable the spec names (unset: every month); the months' rows and the
state are replaced in one transaction. tests/test_month_marts.py compares every incremental
build of a series of exports with a full rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

import duckdb

from base.warehouse import has_table, scalar
from pipelines.models import Model, materialise


@dataclass(frozen=True)
class MonthPartitioned:
    column: str  # the mart's month column
    variable: str  # the DuckDB variable the model reads the months to compute from
    inputs: tuple[str, ...]  # tables with a `month` column, read over the window
    settings: dict[str, tuple[str, ...]]  # every other table read: columns not fingerprinted
    window: str  # SQL: the window in months (a change in month m reaches m .. m + window - 1)


# The DuckDB variable models/marts/funnel.sql reads (getvariable); check_models makes sure it does.
FUNNEL_REVIEW_MONTHS = "funnel_review_months"

PARTITIONED = {
    "marts.funnel": MonthPartitioned(
        column="review_month",
        variable=FUNNEL_REVIEW_MONTHS,
        inputs=("marts.subject_monthly", "marts.handler_monthly"),
        # as_of has its own rule; built_at changes at every build and the model does not read it
        settings={"core.pattern_params": (), "core.build_params": ("as_of", "built_at")},
        # a month's verdicts read its rule windows and the dispersion window; whether a
        # persistent flag is new reads the month before's verdict too: one month more
        window="SELECT greatest(outlier_window + trend_window, persistent_window, "
        "dispersion_window) + 1 FROM core.pattern_params",
    )
}

_STATE = """
CREATE TABLE IF NOT EXISTS core.mart_state (
    mart VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, as_of DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS core.mart_input_months (
    mart VARCHAR NOT NULL, input VARCHAR NOT NULL, month DATE, rows BIGINT NOT NULL,
    digest HUGEINT NOT NULL
);
"""


@dataclass(frozen=True)
class Built:
    rows: int
    months: list[dt.date] | None  # the review months recomputed; None: the whole table


def is_partitioned(table: str) -> bool:
    return table in PARTITIONED


def check_models(models: dict[str, Model]) -> None:
    """Each month-partitioned mart's SQL reads the variable its spec sets: a name that differs
    (a typo on either side) would recompute every month silently, so it stops the code location
    from loading instead."""
    for table, spec in PARTITIONED.items():
        if f"getvariable('{spec.variable}')" not in models[table].code:
            raise ValueError(
                f"{models[table].path} does not read getvariable('{spec.variable}'), the variable "
                f"pipelines/month_marts.py sets for {table}'s months"
            )


def build(con: duckdb.DuckDBPyConnection, model: Model) -> Built:
    """Build ``model`` (a month-partitioned mart), incrementally when its state allows."""
    spec = PARTITIONED[model.table]
    con.execute(_STATE)
    _digest_inputs(con, spec)
    fingerprint = _fingerprint(con, model, spec)
    as_of = scalar(con, "SELECT as_of FROM core.build_params")
    stored = con.execute(
        "SELECT fingerprint, as_of FROM core.mart_state WHERE mart = ?", [model.table]
    ).fetchall()
    incremental = bool(stored) and stored[0][0] == fingerprint and has_table(con, model.table)
    con.begin()
    try:
        if incremental:
            months = _months_to_compute(con, model.table, spec, stored[0][1], as_of)
            _replace_months(con, model, spec, months)
        else:
            months = None
            con.execute(f"SET VARIABLE {spec.variable} = NULL")
            materialise(con, model)
        _save_state(con, model.table, fingerprint, as_of)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute(f"RESET VARIABLE {spec.variable}")
    return Built(scalar(con, f"SELECT count(*) FROM {model.table}"), months)


def _digest_inputs(con: duckdb.DuckDBPyConnection, spec: MonthPartitioned) -> None:
    """input_months: per input and month, its rows and the sum of their whole-row hashes."""
    parts = [
        f"SELECT '{table}' AS input, month, count(*) AS rows, "
        f"sum(cast(hash(t) AS HUGEINT)) AS digest FROM {table} AS t GROUP BY month"
        for table in spec.inputs
    ]
    con.execute(f"CREATE OR REPLACE TEMP TABLE input_months AS {' UNION ALL '.join(parts)}")


def _fingerprint(con: duckdb.DuckDBPyConnection, model: Model, spec: MonthPartitioned) -> str:
    """The model's SQL and every settings row it reads; a model reading a table the spec does
    not name gets a fingerprint of its own each time, so it is always built whole."""
    if model.refs() != set(spec.inputs) | set(spec.settings):
        return f"unpartitionable {uuid.uuid4().hex}"
    text = [model.sql]
    for table, varying in sorted(spec.settings.items()):
        exclude = f" EXCLUDE ({', '.join(varying)})" if varying else ""
        rows = con.execute(f"SELECT CAST(t AS VARCHAR) FROM (SELECT *{exclude} FROM {table}) AS t")
        text += [table, *sorted(r[0] for r in rows.fetchall())]
    return hashlib.sha256("\n".join(text).encode()).hexdigest()


def _months_to_compute(
    con: duckdb.DuckDBPyConnection,
    table: str,
    spec: MonthPartitioned,
    previous_as_of: dt.date,
    as_of: dt.date,
) -> list[dt.date]:
    """The review months whose window holds a changed input month, and those as_of moved over."""
    window = int(scalar(con, spec.window))
    rows = con.execute(
        f"""
        WITH changed AS (
            SELECT coalesce(n.month, o.month) AS month
            FROM input_months AS n
            FULL JOIN (SELECT * FROM core.mart_input_months WHERE mart = ?) AS o
                ON o.input = n.input AND o.month IS NOT DISTINCT FROM n.month
            WHERE n.rows IS DISTINCT FROM o.rows OR n.digest IS DISTINCT FROM o.digest
        ),
        reached AS (
            SELECT CAST(c.month + to_months(CAST(k.range AS INTEGER)) AS DATE) AS month
            FROM changed AS c, range({window}) AS k
            WHERE c.month IS NOT NULL
        ),
        moved AS (
            SELECT CAST(range AS DATE) AS month
            FROM range(
                date_trunc('month', least(CAST(? AS DATE), CAST(? AS DATE))),
                date_trunc('month', greatest(CAST(? AS DATE), CAST(? AS DATE))) + INTERVAL 1 MONTH,
                INTERVAL 1 MONTH
            )
            WHERE CAST(? AS DATE) <> CAST(? AS DATE)
        )
        SELECT DISTINCT month FROM (SELECT month FROM reached UNION ALL SELECT month FROM moved)
        -- no review month is after as_of's, before or after this build
        WHERE month <= date_trunc('month', greatest(CAST(? AS DATE), CAST(? AS DATE)))
        ORDER BY month
        """,
        [table, *[previous_as_of, as_of] * 4],
    ).fetchall()
    return [r[0] for r in rows]


def _replace_months(
    con: duckdb.DuckDBPyConnection, model: Model, spec: MonthPartitioned, months: list[dt.date]
) -> None:
    """The rows of ``months`` deleted and computed again (none computed: nothing changed)."""
    if not months:
        return
    con.execute(f"SET VARIABLE {spec.variable} = ?::DATE[]", [months])
    con.execute(
        f"DELETE FROM {model.table} WHERE list_contains(?::DATE[], {spec.column})", [months]
    )
    con.execute(f"INSERT INTO {model.table} BY NAME\n{model.sql}")


def _save_state(
    con: duckdb.DuckDBPyConnection, table: str, fingerprint: str, as_of: dt.date
) -> None:
    con.execute("DELETE FROM core.mart_input_months WHERE mart = ?", [table])
    con.execute(
        "INSERT INTO core.mart_input_months SELECT ?, input, month, rows, digest FROM input_months",
        [table],
    )
    con.execute(
        "INSERT OR REPLACE INTO core.mart_state VALUES (?, ?, ?)", [table, fingerprint, as_of]
    )
