"""How to keep validation in Great Expectations at a cost in proportion: the options, measured.

Each option runs in its own process (`python -m benchmarks.validation_options OPTION STAGED`)
on the same staged rows of a register file (what the loader hands the suite), so its wall time
and peak RSS are its own. `prepare(csv)` writes the staged rows once as Parquet.

Options:
- gx_pandas: the register suite on a pandas DataFrame of the columns the rules need (the
  pipeline's choice for a new file).
- gx_object: the same with text columns as NumPy object arrays (pandas 3 otherwise
  backs text with Arrow, whose `take` GX calls for every expectation).
- gx_arrow: the same on an Arrow-backed DataFrame (pd.ArrowDtype columns).
- gx_all_columns: the same with every staged column, as a naive port would pass.
- gx_chunks: the suite on four frames split by hash(complaint_id), each queried on its own,
  so a duplicate id stays in one part and uniqueness still holds per file (the pipeline's
  choice for large files: batches of 250,000 rows).
- duckdb_sql: the same rules as one DuckDB query (the floor; what GX's SQL engine would give
  if its DuckDB support worked, see GX issue 10738).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

OPTIONS = ["gx_pandas", "gx_object", "gx_arrow", "gx_all_columns", "gx_chunks", "duckdb_sql"]

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
    CASE WHEN resolved_at < received_at THEN 'resolution_before_receipt' END,
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
    from pipelines.ingest.load import _prepare
    from pipelines.ingest.readers import read_export
    from pipelines.settings import get_settings
    from pipelines.warehouse import MODELS_DIR, discover_models
    from pipelines.work import parse_when

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    read_export(con, csv, "register")
    _prepare(con, get_settings(), parse_when("2026-09-30"), None)
    staged = discover_models(MODELS_DIR)["staging.register_rows"].sql
    con.execute(f"COPY (\n{staged}\n) TO '{out}' (FORMAT parquet)")
    return out


def run(option: str, staged: Path) -> int:
    con = duckdb.connect()
    if option == "duckdb_sql":
        con.execute(f"CREATE VIEW staged AS SELECT * FROM read_parquet('{staged}')")
        return len(con.execute(RULES_SQL).fetchall())
    from data_checks.register import COLUMNS, register_suite
    from data_checks.runner import run_suite

    columns = "*" if option == "gx_all_columns" else ", ".join(COLUMNS)
    suite = register_suite([], [])
    home = Path(tempfile.mkdtemp(prefix="bench-gx-"))
    source = f"SELECT {columns} FROM read_parquet('{staged}')"
    if option == "gx_chunks":  # as the loader does: each part its own query and frame
        found = 0
        for part in range(4):
            frame = con.execute(f"{source} WHERE hash(coalesce(complaint_id, '')) % 4 = {part} "
                                "ORDER BY source_row").df()
            found += len(run_suite(frame, suite, home, asset="register"))
            del frame
        return found
    relation = con.execute(f"{source} ORDER BY source_row")
    if option == "gx_arrow":
        frame = relation.to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)
    else:
        frame = relation.df()
    if option == "gx_object":
        text = frame.select_dtypes(include=["string", "str"]).columns
        frame[text] = frame[text].astype(object)
    return len(run_suite(frame, suite, home, asset="register"))


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        print(prepare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        print(run(sys.argv[1], Path(sys.argv[2])))
