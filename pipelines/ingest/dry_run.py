"""The scratch database of a dry run: nothing reaches the warehouse. It holds a copy of what the
load compares a file with (directories, stored versions, the load log), so a dry run counts
unchanged, checked and rejected rows, and the gate's share, exactly as the load would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from base.settings import Settings
from base.warehouse import SCHEMAS, ensure_schema, scalar, set_time_zone
from pipelines.ingest import masking


@contextmanager
def scratch_copy(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory warehouse holding a copy of the real one's directories, register versions
    and load log, for dry runs."""
    con = duckdb.connect()
    try:
        set_time_zone(con, settings.timezone)
        spill = settings.home / "tmp" / "duckdb"  # an in-memory database spills to ./.tmp
        spill.mkdir(mode=0o700, parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{spill}'")
        # The masking function registered outside any transaction: each file's dry run rolls
        # back, and a Python function first registered inside a rolled-back transaction can be
        # neither removed nor registered again (the next file's load would fail).
        masking.register(con, settings.privacy.mask_workers)
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA {schema}")
        ensure_schema(con)
        if settings.warehouse_path.exists():
            con.execute(f"ATTACH '{settings.warehouse_path}' AS wh (READ_ONLY)")
            for table in ("staff", "partners", "complaint_versions", "load_log"):
                con.execute(f"INSERT INTO core.{table} BY NAME SELECT * FROM wh.core.{table}")
            if scalar(
                con,
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'wh' "
                "AND schema_name = 'core' AND table_name = 'complaints'",
            ):
                con.execute("CREATE TABLE core.complaints AS SELECT * FROM wh.core.complaints")
            con.execute("DETACH wh")
            # load ids of the dry run follow the copied log's
            after = scalar(con, "SELECT coalesce(max(load_id), 0) + 1 FROM core.load_log")
            con.execute("DROP SEQUENCE core.load_id_seq")
            con.execute(f"CREATE SEQUENCE core.load_id_seq START WITH {int(after)}")
        yield con
    finally:
        con.close()
