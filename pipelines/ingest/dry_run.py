"""The scratch database of a dry run: nothing reaches the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from base.settings import Settings
from base.warehouse import SCHEMAS, set_time_zone
from pipelines.ingest.load import ensure_schema


@contextmanager
def scratch_copy(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory warehouse holding the real one's directories, for dry runs."""
    con = duckdb.connect()
    try:
        set_time_zone(con, settings.timezone)
        spill = settings.home / "tmp" / "duckdb"  # an in-memory database spills to ./.tmp
        spill.mkdir(mode=0o700, parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{spill}'")
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA {schema}")
        ensure_schema(con)
        if settings.warehouse_path.exists():
            con.execute(f"ATTACH '{settings.warehouse_path}' AS wh (READ_ONLY)")
            for table in ("staff", "partners"):
                con.execute(f"INSERT INTO core.{table} SELECT * FROM wh.core.{table}")
            con.execute("DETACH wh")
        yield con
    finally:
        con.close()
