"""Incremental core.complaints: after every load of a series of snapshots, the table merged from
the touched complaints is identical to a full rebuild of models/core/complaints.sql."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.ingest.load import load_file
from pipelines.models import MODELS_DIR, discover_models
from tests.conftest import complaint
from tests.shapes import write_rows


def _base(n: int) -> list[dict]:
    return [
        complaint(
            f"I-{i:03d}",
            f"2026-01-{1 + i % 28:02d} 09:00",
            first_response_at=f"2026-01-{1 + i % 28:02d} 15:00",
        )
        for i in range(n)
    ]


def _assert_equal_to_full_rebuild(con: duckdb.DuckDBPyConnection) -> int:
    model = discover_models(MODELS_DIR)["core.complaints"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE full_rebuild AS {model.sql}")
    merged = con.execute("SELECT * FROM core.complaints ORDER BY complaint_id").fetchall()
    full = con.execute("SELECT * FROM full_rebuild ORDER BY complaint_id").fetchall()
    assert merged == full
    columns = [r[0] for r in con.execute("DESCRIBE core.complaints").fetchall()]
    assert columns == [r[0] for r in con.execute("DESCRIBE full_rebuild").fetchall()]
    return len(merged)


def test_incremental_equals_full_rebuild_after_each_snapshot(tmp_path, con, settings):
    base = _base(40)
    loads = [
        # (file date, scope, rows): a first full export, then deltas small enough to merge
        # (with an exact repeat, and an id given twice with different content: rejected)
        (
            "2026-01-31",
            "full",
            [
                *base,
                base[0],
                complaint("D-1", "2026-01-05 09:00"),
                complaint("D-1", "2026-01-06 09:00"),
            ],
        ),
        # new complaints, two answered, one with a changed outcome
        (
            "2026-02-28",
            "delta",
            [
                complaint("I-100", "2026-02-03 09:00"),
                complaint("I-101", "2026-02-04 09:00"),
                {**base[3], "resolved_at": dt.datetime(2026, 2, 2, 9, 0), "outcome": "upheld"},
                {**base[4], "status": "closed"},
            ],
        ),
        # an older export arriving late: its versions are kept, the later ones stay current
        (
            "2026-01-15",
            "delta",
            [{**base[3], "outcome": "pending"}, complaint("I-102", "2026-01-10 09:00")],
        ),
        # the same content seen again later: only its lineage (exported_at, file, row) moves
        ("2026-03-31", "delta", [base[5], base[6]]),
        # a bad row is rejected, the good one merged
        (
            "2026-04-30",
            "delta",
            [
                complaint("I-103", "2026-04-02 09:00"),
                complaint("I-104", "2026-04-03 09:00", first_response_at="2026-04-01 09:00"),
            ],
        ),
        # a full export touching most complaints: rebuilt whole, then a delta merges again
        ("2026-05-31", "full", [{**r, "status": "closed"} for r in base[10:]]),
        ("2026-06-30", "delta", [{**base[35], "outcome": "not_upheld"}]),
    ]
    counts = []
    for day, scope, rows in loads:
        path = write_rows(tmp_path / f"register_{day}.csv", rows, "csv_utf8_en")
        load_file(con, path, "register", settings, scope=scope)
        counts.append(_assert_equal_to_full_rebuild(con))
    assert counts == [40, 42, 43, 43, 44, 44, 44]
    # The late older export did not displace the later version of I-003.
    assert con.execute(
        "SELECT outcome, exported_at FROM core.complaints WHERE complaint_id = 'I-003'"
    ).fetchall() == [("upheld", dt.datetime(2026, 2, 28, 23, 59, 59))]
    # The re-sighted content carries the later export's lineage.
    assert con.execute(
        "SELECT source_file LIKE '%2026-03-31%', source_row FROM core.complaints "
        "WHERE complaint_id = 'I-006'"
    ).fetchall() == [(True, 3)]
