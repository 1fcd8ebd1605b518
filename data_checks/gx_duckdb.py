"""Great Expectations' SQL datasource on DuckDB, through duckdb-engine.

GX Core 1.x has no DuckDB support of its own (GX issues 10738 and 11579, closed unfixed), and
a plain ``duckdb:///`` SQL datasource gives wrong answers without an error: every expectation
fails with no unexpected count. Read in the installed source (great_expectations 1.24.1):

1. ``SqlAlchemyExecutionEngine.execute_query`` returns a result that is still unread from
   inside ``with self.get_connection()``. For dialects outside
   ``_PERSISTED_CONNECTION_DIALECTS`` (sqlite, mssql, bigquery, databricks) that ``with``
   closes the connection first; SQLAlchemy rolls it back on return to the pool, and DuckDB,
   which keeps one pending result per connection, replaces the unread result with the
   rollback's, so ``fetchall()`` returns ``[]`` and ``resolve_metric_bundle`` fails with an
   ``IndexError`` that GX records as a failed expectation with no counts.
   Fix: DuckDB joins ``_PERSISTED_CONNECTION_DIALECTS``; GX then keeps one connection per
   execution engine (a ``StaticPool``) and results are read before anything else runs on it.
2. ``get_dialect_regex_expression`` has no DuckDB branch, so regex expectations are refused.
   Fix: DuckDB's ``regexp_matches`` (a partial match, as ``~`` in PostgreSQL).

``enable()`` applies both, once per process, and runs ``self_test()``: a tiny table with
planted bad rows whose unexpected counts and ``source_row`` indices are asserted, so a GX,
duckdb or duckdb-engine upgrade that breaks the workaround stops the first load loudly
instead of letting bad rows through. ``VERIFIED`` holds the versions it was verified on
(pinned in requirements.lock).

Where the rows live: the loader stages a file in TEMP tables inside an open transaction on the
warehouse connection. Nothing else can see those (TEMP tables are per connection, and the
transaction is uncommitted), and GX's engine must not share that connection: duckdb-engine
begins, commits and rolls back transactions on the connections it is given, which would end
the load's transaction. So the rows to check are streamed (Arrow record batches, no pandas)
into a named in-memory DuckDB database of this process, ``CHECKS_URL``, that GX's datasource
opens by the same name; nothing of it reaches a file.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import sqlalchemy as sa
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.execution_engine import sqlalchemy_execution_engine as gx_sql_engine
from great_expectations.expectations.metrics import util as gx_metrics_util
from great_expectations.expectations.row_conditions import Column

VERIFIED = {
    "great-expectations": "1.24.1",
    "duckdb": "2.0.1",
    "duckdb-engine": "0.17.0",
    "sqlalchemy": "2.1.9",
}
# A named in-memory database: every connection of this process opened by this name (through
# duckdb-engine, so with the same configuration) reaches the same database.
CHECKS_URL = "duckdb:///:memory:complaints_checks"
_SELF_TEST_URL = "duckdb:///:memory:complaints_gx_self_test"
CHECKS_MEMORY_LIMIT = "256MB"
# Modules that import get_dialect_regex_expression by name (each gets the patched one).
_REGEX_FUNCTION = "get_dialect_regex_expression"
_REGEX_USERS = (
    "great_expectations.expectations.metrics.util",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex_list",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex_list",
)


class GxDuckDBBroken(RuntimeError):
    """The GX-over-DuckDB workaround no longer gives right answers (an upgrade changed GX)."""


class _DuckDBDialectName(str):
    """'duckdb' where GX expects a GXSqlDialect member (compared as text, read via .value)."""

    @property
    def value(self) -> str:
        return str(self)


_enabled = False


def versions() -> dict[str, str]:
    return {name: version(name) for name in VERIFIED}


def enable() -> None:
    """Patch GX for DuckDB (idempotent) and prove it on planted rows before first use."""
    global _enabled
    if _enabled:
        return
    _patch_persisted_connection()
    _patch_regex()
    _enabled = True
    try:
        self_test()
    except BaseException:
        _enabled = False
        raise


def _patch_persisted_connection() -> None:
    if "duckdb" not in gx_sql_engine._PERSISTED_CONNECTION_DIALECTS:
        # GX's tuple is inferred as exactly its four GXSqlDialect members; GX reads only each
        # member's .value, which _DuckDBDialectName provides.
        gx_sql_engine._PERSISTED_CONNECTION_DIALECTS = (  # type: ignore[assignment]
            *gx_sql_engine._PERSISTED_CONNECTION_DIALECTS,
            _DuckDBDialectName("duckdb"),
        )


def _patch_regex() -> None:
    if getattr(gx_metrics_util.get_dialect_regex_expression, "__wrapped__", None) is not None:
        return
    original = gx_metrics_util.get_dialect_regex_expression

    # wraps() sets __wrapped__, which marks the patch as applied.
    @functools.wraps(original)
    def get_dialect_regex_expression(
        column: sa.Column | sa.ColumnClause,
        regex: str,
        dialect: ModuleType | type[sa.Dialect] | sa.Dialect,
        positive: bool = True,
    ) -> sa.SQLColumnExpression | None:
        if getattr(dialect, "name", None) == "duckdb":
            match = sa.func.regexp_matches(column, sa.literal(regex))
            return match if positive else sa.not_(match)
        return original(column, regex, dialect, positive)

    for name in _REGEX_USERS:
        setattr(importlib.import_module(name), _REGEX_FUNCTION, get_dialect_regex_expression)


@contextmanager
def checks_database(
    spill: Path | None = None, url: str = CHECKS_URL
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the named in-memory database GX reads; it lives while this is open.
    ``spill``: where it may spill to disk (an in-memory database would use ./.tmp)."""
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if driver is None:  # only once the pool has invalidated the connection
            raise GxDuckDBBroken(f"{url}: duckdb-engine gave no DuckDB connection")
        # duckdb-engine's ConnectionWrapper passes every call to the DuckDB connection it wraps.
        con: duckdb.DuckDBPyConnection = driver
        if spill is not None:
            spill.mkdir(mode=0o700, parents=True, exist_ok=True)
            con.execute(f"SET temp_directory = '{spill}'")
            # Bounded beside the warehouse's own limit: beyond it the rows spill (~100 MB a
            # million rows, so only files of several million rows spill).
            con.execute(f"SET memory_limit = '{CHECKS_MEMORY_LIMIT}'")
        yield con
    finally:
        raw.close()
        engine.dispose()


def copy_rows(
    source: duckdb.DuckDBPyConnection, query: str, target: duckdb.DuckDBPyConnection, table: str
) -> int:
    """``query``'s rows from the warehouse connection into ``table`` of the checks database,
    streamed as Arrow record batches (bounded memory, types kept)."""
    reader = source.sql(query).to_arrow_reader()
    target.register("incoming_rows", reader)
    try:
        target.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM incoming_rows')
    finally:
        target.unregister("incoming_rows")
    return target.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]


def result_format(rows: int) -> dict:
    """COMPLETE results with every unexpected row's source_row. On SQL, GX truncates the
    unexpected index list at partial_unexpected_count (20 by default), so it is the row count."""
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": ["source_row"],
        "partial_unexpected_count": max(rows, 1),
        # the index list carries source_row only; values stay in the warehouse
        "exclude_unexpected_values": True,
    }


def unexpected_rows(run_result: ExpectationSuiteValidationResult) -> dict[str, list[int]]:
    """Per expectation (its meta 'rule', else its type), the source_row of each unexpected row;
    an expectation that could not run raises."""
    found: dict[str, list[int]] = {}
    for r in run_result.results:
        config = r.expectation_config
        if config is None:  # a suite's results each carry their expectation
            raise GxDuckDBBroken("GX returned a result without its expectation")
        name = (config.meta or {}).get("rule") or config.type
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise GxDuckDBBroken(
                f"check {name} could not run: {r.exception_info.get('exception_message')}"
            )
        hits = _source_rows(r.result.get("unexpected_index_list") or [])
        if len(hits) != (r.result.get("unexpected_count") or 0):
            raise GxDuckDBBroken(
                f"check {name}: GX counted {r.result.get('unexpected_count')} unexpected rows "
                f"but listed {len(hits)}"
            )
        found.setdefault(name, []).extend(hits)
    return found


def _source_rows(index_list: list[dict]) -> list[int]:
    """source_row of each entry: one dict per row, or (with exclude_unexpected_values) one
    dict holding the list of them."""
    rows: list[int] = []
    for hit in index_list:
        value = hit["source_row"]
        rows.extend(int(v) for v in value) if isinstance(value, list) else rows.append(int(value))
    return rows


# The self-test: rows 1-8, each planted to break one kind of expectation the suites rely on.
_SELF_TEST_ROWS = """
SELECT * FROM (VALUES
    (1, 'A1', 'service',       TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-06 09:00', 5),
    (2, NULL, 'service',       TIMESTAMP '2026-01-05 09:00', NULL,                          5),
    (3, 'A3', 'nonsense',      TIMESTAMP '2026-01-05 09:00', NULL,                          5),
    (4, 'A4', 'staff_conduct', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-04 09:00', 5),
    (5, 'A5', 'service',       TIMESTAMP '2026-01-05 09:00', NULL,                         -1),
    (6, 'A6', 'service',       TIMESTAMP '2026-01-05 09:00', NULL,                          5),
    (7, 'A6', 'service',       TIMESTAMP '2026-01-06 09:00', NULL,                          5),
    (8, 'B8', 'staff_conduct', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 09:00', 5)
) AS t(source_row, complaint_id, category, received_at, first_response_at, interactions)
"""
_SELF_TEST_EXPECTED = {
    "not_null": [2],
    "unique": [6, 7],
    "in_set": [3],
    "pair": [4],
    "between": [5],
    "regex": [8],
    "conditional": [4, 8],
}


def self_test() -> None:
    """Run one expectation of each kind on planted rows and compare with the rows planted."""
    with checks_database(url=_SELF_TEST_URL) as db:
        db.execute(f"CREATE OR REPLACE TABLE planted AS {_SELF_TEST_ROWS}")
        # In memory, without the temporary Data Docs folder an ephemeral context makes by
        # default (nothing of a load is written outside $COMPLAINTS_HOME).
        context = gx.get_context(
            mode="ephemeral",
            project_config=DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
            ),
        )
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_sql("self_test", connection_string=_SELF_TEST_URL)
        batch = source.add_table_asset(
            "planted", table_name="planted"
        ).add_batch_definition_whole_table("all")
        suite = gx.ExpectationSuite(
            name="gx_duckdb_self_test",
            expectations=[
                gxe.ExpectColumnValuesToNotBeNull(column="complaint_id", meta={"rule": "not_null"}),
                gxe.ExpectColumnValuesToBeUnique(column="complaint_id", meta={"rule": "unique"}),
                gxe.ExpectColumnValuesToBeInSet(
                    column="category",
                    value_set=["service", "staff_conduct"],
                    meta={"rule": "in_set"},
                ),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="first_response_at",
                    column_B="received_at",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta={"rule": "pair"},
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column="interactions", min_value=0, meta={"rule": "between"}
                ),
                gxe.ExpectColumnValuesToMatchRegex(
                    column="complaint_id", regex="^A[0-9]+$", meta={"rule": "regex"}
                ),
                gxe.ExpectColumnValuesToBeNull(
                    column="first_response_at",
                    row_condition=Column("category") == "staff_conduct",
                    meta={"rule": "conditional"},
                ),
            ],
        )
        definition = gx.ValidationDefinition(
            name="self_test", data=batch, suite=context.suites.add(suite)
        )
        try:
            result = definition.run(result_format=result_format(8))
            found = {rule: sorted(rows) for rule, rows in unexpected_rows(result).items()}
        except GxDuckDBBroken:
            raise
        except Exception as exc:  # any failure inside GX means the workaround is broken
            raise GxDuckDBBroken(f"{type(exc).__name__}: {exc}") from exc
        db.execute("DROP TABLE planted")
    if found != _SELF_TEST_EXPECTED:
        raise GxDuckDBBroken(
            "Great Expectations over DuckDB no longer finds the planted bad rows "
            f"(expected {_SELF_TEST_EXPECTED}, got {found}); verified on {VERIFIED}, "
            f"installed {versions()}: see data_checks/gx_duckdb.py"
        )
