"""Where the ingest SQL lives: statements in pipelines/ingest/sql/, staging queries in
pipelines/ingest/staging/ (never stored), the temp tables they share described once, and the
company's time zone taken from the session rather than written into the macros."""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from pipelines.ingest import load, masking
from pipelines.ingest.load import INGEST_DIR, load_file
from pipelines.models import discover_models
from tests.conftest import complaint
from tests.shapes import write_rows

SQL_FILES = sorted((INGEST_DIR / "sql").glob("*.sql"))
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_CREATED = re.compile(
    r"create\s+(?:or\s+replace\s+)?temp(?:orary)?\s+(?:table|view)\s+(\w+)", re.IGNORECASE
)


def _macro_connection(timezone: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    masking.register(con)
    con.execute(f"SET TimeZone = '{timezone}'")
    con.execute("CREATE TEMP TABLE load_context AS SELECT '' AS opad, '' AS ipad")
    con.execute((INGEST_DIR / "macros.sql").read_text(encoding="utf-8"))
    return con


def test_iso_timestamps_are_read_in_the_session_time_zone():
    """The macros take the company's zone from the session (settings.timezone, set when the
    warehouse connection opens), not from a zone name written into them."""
    values = ["2026-02-13T10:00:00Z", "2026-02-13T10:00:00+09:00", "2026-02-13 10:00"]
    query = "SELECT parse_ts(v, 'dmy') FROM unnest(?) AS t(v) ORDER BY v"
    # Hanoi is UTC+7: 10:00Z is 17:00, 10:00+09:00 is 08:00, a time without offset is local.
    hanoi = [
        r[0] for r in _macro_connection("Asia/Ho_Chi_Minh").execute(query, [values]).fetchall()
    ]
    assert hanoi == [
        dt.datetime(2026, 2, 13, 10),
        dt.datetime(2026, 2, 13, 8),
        dt.datetime(2026, 2, 13, 17),
    ]
    # Tokyo is UTC+9 (no daylight saving): 10:00Z is 19:00, 10:00+09:00 is 10:00.
    tokyo = [r[0] for r in _macro_connection("Asia/Tokyo").execute(query, [values]).fetchall()]
    assert tokyo == [
        dt.datetime(2026, 2, 13, 10),
        dt.datetime(2026, 2, 13, 10),
        dt.datetime(2026, 2, 13, 19),
    ]


def test_no_zone_name_is_written_into_the_ingest_sql():
    for path in [*SQL_FILES, *INGEST_DIR.glob("*.sql"), *(INGEST_DIR / "staging").glob("*.sql")]:
        assert "Asia/" not in path.read_text(encoding="utf-8"), path.name


def test_every_insert_names_its_columns():
    assert SQL_FILES
    inserts = 0
    for path in SQL_FILES:
        text = _JINJA.sub("x", path.read_text(encoding="utf-8"))
        for match in re.finditer(
            r"\binsert\s+into\s+[\w.]+\s*(\(|by\s+name\b|\S+)", text, re.IGNORECASE
        ):
            inserts += 1
            assert match.group(1) == "(" or match.group(1).lower().startswith("by"), path.name
    assert inserts >= 8
    # and load.py itself holds no statement that writes a table (nor do its steps, moved out)
    source = "".join(
        (INGEST_DIR / name).read_text(encoding="utf-8")
        for name in ("load.py", "steps.py", "statements.py")
    )
    writes = r"\b(insert\s+into|update\s+[\w.]+\s+(as\s+\w+\s+)?set|delete\s+from)\b"
    assert not re.search(writes, source, re.IGNORECASE)


def test_each_temp_table_is_made_in_one_place_and_described_once():
    made: dict[str, list[str]] = {}
    for path in SQL_FILES:
        for name in _CREATED.findall(path.read_text(encoding="utf-8")):
            made.setdefault(name, []).append(path.name)
    assert {n: files for n, files in made.items() if len(files) > 1} == {}
    assert {"file_rows", "rows_to_check", "row_fate", "valid_rows", "touched_ids"} <= set(made)
    # the table of load.py's docstring: one line per temp table, starting with its name
    table = load.__doc__.split("=" * 14, 1)[1]
    described = re.findall(r"^(\w+)\s{2,}", table, re.MULTILINE)
    assert sorted(described) == sorted(set(described))  # each described once
    shared = {*made, "raw_rows", "load_context", "labels", "rules", "findings"}
    assert shared <= set(described), shared - set(described)


def test_staging_is_not_a_schema_nor_a_model(tmp_path, con, settings):
    """The staging queries run inside the load; nothing is stored under a staging name."""
    assert not any(t.startswith("staging.") for t in discover_models())
    rows = [complaint("S-1", "2026-02-13 10:00", first_response_at="2026-02-16 09:00")]
    result = load_file(
        con,
        write_rows(tmp_path / "r.csv", rows, "csv_utf8_en"),
        "register",
        settings,
        exported_at=dt.datetime(2026, 3, 1),
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    assert "staging" not in schemas
    assert {"core", "quarantine", "marts"} <= schemas
