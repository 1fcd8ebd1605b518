"""Snapshots: every version kept, latest exported_at wins in any load order, nothing doubled."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from base.warehouse import connect
from pipelines.ingest.load import load_file
from tests.conftest import complaint
from tests.shapes import write_rows

CORE_TABLES = {
    "core.complaint_versions": "SELECT * EXCLUDE (load_id, loaded_at) FROM core.complaint_versions"
    " ORDER BY complaint_id, content_hash",
    "core.complaints": "SELECT * FROM core.complaints ORDER BY complaint_id",
    "quarantine.rejected_rows": "SELECT * EXCLUDE (load_id, rejected_at, resolved_at, source_file)"
    " FROM quarantine.rejected_rows ORDER BY source_sha256, source_row",
}


def snapshots(tmp_path):
    jan = [complaint("S-1", "2026-01-05 09:00"), complaint("S-2", "2026-01-20 09:00")]
    feb = [
        complaint("S-1", "2026-01-05 09:00", first_response_at="2026-01-06 10:00"),
        complaint("S-2", "2026-01-20 09:00"),
        complaint("S-3", "2026-02-10 09:00"),
        complaint("S-4", "2026-02-11 09:00", first_response_at="2026-02-10 09:00"),
    ]
    mar = [
        complaint(
            "S-1",
            "2026-01-05 09:00",
            first_response_at="2026-01-06 10:00",
            resolved_at="2026-01-09 10:00",
            outcome="upheld",
        ),
        complaint("S-2", "2026-01-20 09:00"),
        complaint("S-3", "2026-02-10 09:00", first_response_at="2026-02-11 09:00"),
        complaint("S-4", "2026-02-11 09:00", first_response_at="2026-02-12 09:00"),
    ]
    return [
        write_rows(tmp_path / f"register_2026-{m}-28.{ext}", rows, shape)
        for m, rows, shape, ext in [
            ("01", jan, "xlsx_vi", "xlsx"),
            ("02", feb, "csv_cp1258_vi", "csv"),
            ("03", mar, "csv_utf8_en", "csv"),
        ]
    ]


def state(path: Path) -> dict:
    with connect(path, read_only=True) as con:
        return {t: con.execute(q).fetchall() for t, q in CORE_TABLES.items()}


def test_versions_and_latest(tmp_path, con, settings):
    for f in snapshots(tmp_path):
        load_file(con, f, "register", settings)
    assert con.execute(
        "SELECT complaint_id, count(*) FROM core.complaint_versions GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("S-1", 3), ("S-2", 1), ("S-3", 2), ("S-4", 1)]
    assert con.execute(
        "SELECT complaint_id, outcome, exported_at FROM core.complaints WHERE complaint_id = 'S-1'"
    ).fetchall() == [("S-1", "upheld", dt.datetime(2026, 3, 28, 23, 59, 59))]
    log = con.execute(
        "SELECT rows_read, rows_loaded, rows_unchanged, rows_rejected "
        "FROM core.load_log ORDER BY load_id"
    ).fetchall()
    assert log == [(2, 2, 0, 0), (4, 2, 1, 1), (4, 3, 1, 0)]
    assert all(r[0] == r[1] + r[2] + r[3] for r in log)


def test_any_order_and_repeats_give_the_same_core_tables(tmp_path, settings):
    files = snapshots(tmp_path)
    states = []
    for n, order in enumerate(itertools.permutations(files)):
        path = tmp_path / f"w{n}.duckdb"
        with connect(path) as con:
            for f in [*order, order[0], order[-1]]:  # and some files twice
                load_file(con, f, "register", settings)
        states.append(state(path))
    assert all(s == states[0] for s in states[1:])
    assert [r[0] for r in states[0]["core.complaints"]] == ["S-1", "S-2", "S-3", "S-4"]


def test_same_file_twice_changes_nothing(tmp_path, con, settings):
    f = snapshots(tmp_path)[0]
    load_file(con, f, "register", settings)
    before = con.execute("SELECT count(*) FROM core.load_log").fetchall()
    again = load_file(con, f, "register", settings)
    assert again.status == "duplicate_file"
    assert con.execute("SELECT count(*) FROM core.load_log").fetchall() == before


def test_every_stored_row_carries_lineage(tmp_path, con, settings):
    for f in snapshots(tmp_path):
        load_file(con, f, "register", settings)
    assert con.execute("""SELECT count(*) FROM core.complaints WHERE source_file IS NULL
        OR source_sha256 IS NULL OR source_row IS NULL""").fetchall() == [(0,)]
    assert con.execute(
        "SELECT source_row FROM core.complaints WHERE complaint_id = 'S-4'"
    ).fetchall() == [(5,)]
