"""Validation with Great Expectations: on pandas frames (the way before issue 14), inside DuckDB
(the pipeline's way, data_checks/gx_duckdb.py), and the same rules as one DuckDB query (the floor).

Each option runs in its own process (`python -m benchmarks.validation_options OPTION STAGED`)
on the same staged rows of a register file (what the loader hands the suite), so its wall time
and peak RSS are its own. `prepare(csv)` writes the staged rows once as Parquet.

Options:
- gx_pandas: the register suite on one pandas DataFrame of the columns the rules read.
- gx_duckdb: the register suite through GX's SQL datasource on a DuckDB table of those columns,
  streamed from the staged rows as Arrow, as the loader does (validation results and Data Docs
  kept in a file context).
- duckdb_sql: the same rules as one DuckDB query, no GX.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import duckdb

OPTIONS = ["gx_pandas", "gx_duckdb", "duckdb_sql"]

RULES_SQL = """
SELECT source_row, unnest(list_filter([
    CASE WHEN complaint_id IS NULL THEN 'missing_complaint_id' END,
    CASE WHEN received_at_given IS NULL THEN 'missing_received_at' END,
    CASE WHEN received_at IS NULL AND received_at_given IS NOT NULL
         THEN 'unparseable_received_at' END,
    CASE WHEN first_response_at IS NULL AND first_response_at_given IS NOT NULL
         THEN 'unparseable_first_response_at' END,
    CASE WHEN resolved_at IS NULL AND resolved_at_given IS NOT NULL
         THEN 'unparseable_resolved_at' END,
    CASE WHEN review_requested_at IS NULL AND review_requested_at_given IS NOT NULL
         THEN 'unparseable_review_requested_at' END,
    CASE WHEN first_response_at < received_at THEN 'response_before_receipt' END,
    CASE WHEN resolved_at < received_at THEN 'resolved_before_receipt' END,
    CASE WHEN review_requested_at < received_at THEN 'review_before_receipt' END,
    CASE WHEN received_at > exported_at THEN 'received_after_export' END,
    CASE WHEN count(*) OVER (PARTITION BY complaint_id) > 1 AND complaint_id IS NOT NULL
         THEN 'duplicate_complaint_id' END,
    CASE WHEN category NOT IN ('service', 'process', 'staff_conduct', 'partner_conduct',
         'complaint_handling', 'other') THEN 'unknown_category' END,
    CASE WHEN category IN ('staff_conduct', 'partner_conduct') AND subcategory IS NOT NULL
         AND NOT subcategory_known THEN 'unknown_subcategory' END,
    CASE WHEN category = 'staff_conduct' AND employee_id IS NULL
         THEN 'staff_conduct_without_employee' END,
    CASE WHEN category = 'partner_conduct' AND partner_id IS NULL
         THEN 'partner_conduct_without_partner' END,
    CASE WHEN resolved_at IS NOT NULL AND first_response_at IS NULL
         THEN 'resolved_without_response' END
], lambda r: r IS NOT NULL)) AS rule
FROM staged
"""


def prepare(csv: Path, out: Path) -> Path:
    """The staged rows of ``csv`` as the loader produces them, written to Parquet once."""
    if out.exists():
        return out
    os.environ.setdefault("COMPLAINTS_HOME", tempfile.mkdtemp(prefix="bench-home-"))
    os.environ.setdefault("COMPLAINTS_PSEUDONYM_KEY", "bench")
    from base.settings import get_settings
    from base.warehouse import set_time_zone
    from pipelines.ingest.load import prepare_staging, staging_sql
    from pipelines.ingest.readers import read_export
    from pipelines.when import parse_when

    con = duckdb.connect()
    set_time_zone(con)
    raw = read_export(con, csv, "register")
    prepare_staging(
        con, csv, "register", raw.fields, get_settings(), parse_when("2026-09-30"), None
    )
    staged = staging_sql("register")
    con.execute(f"COPY (\n{staged}\n) TO '{out}' (FORMAT parquet)")
    return out


def run(option: str, staged: Path) -> int:
    con = duckdb.connect()
    source = f"read_parquet('{staged}')"
    if option == "duckdb_sql":
        con.execute(f"CREATE VIEW staged AS SELECT * FROM {source}")
        return len(con.execute(RULES_SQL).fetchall())
    from data_checks.register import COLUMNS, register_suite

    suite = register_suite([], [])
    query = f"SELECT {', '.join(COLUMNS)} FROM {source}"
    if option == "gx_duckdb":
        from data_checks.gx_duckdb import checks_database, copy_rows
        from data_checks.runner import run_suite

        home = Path(tempfile.mkdtemp(prefix="bench-gx-"))
        with checks_database() as checks:
            rows = copy_rows(con, query, checks, "register")
            return len(run_suite("register", rows, suite, home, asset="register"))
    import great_expectations as gx

    frame = con.execute(f"{query} ORDER BY source_row").df()
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("p")
        .add_dataframe_asset("r")
        .add_batch_definition_whole_dataframe("b")
    )
    definition = gx.ValidationDefinition(name="v", data=batch, suite=context.suites.add(suite))
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["source_row"],
        },
    )
    return sum(len(r.result.get("unexpected_index_list") or []) for r in result.results)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        print(prepare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        print(run(sys.argv[1], Path(sys.argv[2])))
