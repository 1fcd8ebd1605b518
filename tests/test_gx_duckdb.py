"""Great Expectations validates inside DuckDB (data_checks/gx_duckdb.py): the self-test, and GX's
unexpected rows against planted bad rows and against the same rules as a plain DuckDB query."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys

import duckdb
import pytest

from data_checks import gx_duckdb
from pipelines.ingest.load import _prepare, _validate, load_file, stage_file_rows
from pipelines.ingest.readers import read_export
from tests.conftest import REPO, complaint
from tests.shapes import write_rows

EXPORTED = dt.datetime(2026, 3, 31, 18, 0)


def test_verified_versions_are_the_installed_and_locked_ones():
    assert gx_duckdb.versions() == gx_duckdb.VERIFIED
    lock = (REPO / "requirements.lock").read_text()
    for name, pinned in gx_duckdb.VERIFIED.items():
        assert f"{name}=={pinned}\n" in lock


def test_self_test_passes_on_the_verified_versions():
    gx_duckdb.enable()
    gx_duckdb.self_test()


def test_self_test_fails_loudly_without_the_workaround():
    # A fresh process with GX as shipped: the self-test must refuse it, not pass silently.
    code = (
        "from data_checks import gx_duckdb\n"
        "try:\n    gx_duckdb.self_test()\n"
        "except gx_duckdb.GxDuckDBBroken as e:\n    print('BROKEN', e)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("BROKEN")


def _directories(tmp_path, con, settings):
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "employee_id,name,team\nNV1,Nguyễn Văn Một,collections\nNV2,Trần Thị Hai,collections\n",
        encoding="utf-8",
    )
    load_file(con, staff, "staff", settings)
    partners = tmp_path / "partners.csv"
    partners.write_text(
        "partner_id,name,partner_type\nDT-01,Agency,collection_agency\n", encoding="utf-8"
    )
    load_file(con, partners, "partners", settings)


def test_every_rule_planted_in_one_file(tmp_path, con, settings):
    """Rows 2.. of one file, each planted to break the rules named beside it (hand-computed)."""
    _directories(tmp_path, con, settings)
    rows = [
        complaint("OK-1", "2026-03-02 09:00", first_response_at="2026-03-03 09:00"),  # 2
        complaint(None, "2026-03-02 09:00"),  # 3 missing_complaint_id
        complaint("E-2", None),  # 4 missing_received_at
        {**complaint("E-3", None), "received_at": "31/02/2026 10:00"},  # 5
        {**complaint("E-4", "2026-03-02 09:00"), "first_response_at": "không rõ"},  # 6
        {**complaint("E-5", "2026-03-02 09:00"), "resolved_at": "01/01/1900"},  # 7
        {**complaint("E-6", "2026-03-02 09:00"), "review_requested_at": "2101-01-01"},  # 8
        complaint("E-7", "2026-03-02 09:00", first_response_at="2026-03-01 09:00"),  # 9
        complaint(
            "E-8",
            "2026-03-02 09:00",
            first_response_at="2026-03-02 10:00",
            resolved_at="2026-03-02 08:59",
        ),  # 10
        complaint("E-9", "2026-03-02 09:00", review_requested_at="2026-02-28 09:00"),  # 11
        complaint("E-10", "2026-04-01 09:00"),  # 12 received_after_export
        complaint("D-1", "2026-03-02 09:00"),  # 13 duplicate_complaint_id
        complaint("D-1", "2026-03-03 09:00"),  # 14 duplicate_complaint_id
        complaint("W-1", "2026-03-02 09:00", category="Linh tinh"),  # 15 unknown_category
        complaint(
            "W-2",
            "2026-03-02 09:00",
            category="staff_conduct",
            employee_id="NV1",
            subcategory="Nói to",
        ),  # 16 unknown_subcategory
        complaint("W-3", "2026-03-02 09:00", category="staff_conduct"),  # 17
        complaint("W-4", "2026-03-02 09:00", category="partner_conduct"),  # 18
        complaint("W-5", "2026-03-02 09:00", resolved_at="2026-03-04 09:00"),  # 19
        complaint(
            "W-6", "2026-03-02 09:00", category="staff_conduct", employee_id="NV999"
        ),  # 20 unknown_employee
        complaint(
            "W-7", "2026-03-02 09:00", category="partner_conduct", partner_id="DT-99"
        ),  # 21 unknown_partner
        # 22: an error and a warning on one row: rejected, so not listed as a warning
        complaint(
            "X-1",
            "2026-03-02 09:00",
            category="staff_conduct",
            first_response_at="2026-03-01 09:00",
        ),
        complaint(
            "W-8", "2026-03-02 09:00", handler_id="XL01 - chị Thảo gọi lại 0903 456 789"
        ),  # 23 id_cut_to_code
        complaint("W-9", "2026-03-02 09:00", partner_id="Lê Văn Tèo"),  # 24 id_not_a_code
    ]
    path = write_rows(tmp_path / "register.csv", rows, "csv_utf8_en")
    result = load_file(con, path, "register", settings, exported_at=EXPORTED)
    rejected = con.execute(
        "SELECT source_row, rule FROM quarantine.rejected_rows WHERE kind = 'register' ORDER BY ALL"
    ).fetchall()
    assert rejected == [
        (3, "missing_complaint_id"),
        (4, "missing_received_at"),
        (5, "unparseable_received_at"),
        (6, "unparseable_first_response_at"),
        (7, "unparseable_resolved_at"),
        (8, "unparseable_review_requested_at"),
        (9, "response_before_receipt"),
        (10, "resolved_before_receipt"),
        (11, "review_before_receipt"),
        (12, "received_after_export"),
        (13, "duplicate_complaint_id"),
        (14, "duplicate_complaint_id"),
        (22, "response_before_receipt"),
    ]
    warned = con.execute(
        "SELECT source_row, rule FROM quarantine.warnings WHERE kind = 'register' ORDER BY ALL"
    ).fetchall()
    assert warned == [
        (15, "unknown_category"),
        (16, "unknown_subcategory"),
        (17, "staff_conduct_without_employee"),
        (18, "partner_conduct_without_partner"),
        (19, "resolved_without_response"),
        (20, "unknown_employee"),
        (21, "unknown_partner"),
        (23, "id_cut_to_code"),
        (24, "id_not_a_code"),
    ]
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (23, 10, 13)
    # the code kept, the note and the name nowhere
    assert con.execute(
        "SELECT complaint_id, handler_id, partner_id FROM core.complaints "
        "WHERE complaint_id IN ('W-8', 'W-9') ORDER BY 1"
    ).fetchall() == [("W-8", "XL01", None), ("W-9", None, None)]


# The register rules as one plain DuckDB query, written apart from the GX suite.
PLAIN_RULES = """
SELECT source_row, rule FROM (
    SELECT source_row, unnest([
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
        CASE WHEN exported_at < received_at THEN 'received_after_export' END,
        CASE WHEN complaint_id IS NOT NULL
              AND count(*) OVER (PARTITION BY complaint_id) > 1 THEN 'duplicate_complaint_id' END,
        CASE WHEN category IS NOT NULL AND category NOT IN ('service', 'process',
             'staff_conduct', 'partner_conduct', 'complaint_handling', 'other')
             THEN 'unknown_category' END,
        CASE WHEN category IN ('staff_conduct', 'partner_conduct') AND subcategory IS NOT NULL
              AND NOT subcategory_known THEN 'unknown_subcategory' END,
        CASE WHEN category = 'staff_conduct' AND employee_id IS NULL
             THEN 'staff_conduct_without_employee' END,
        CASE WHEN category = 'partner_conduct' AND partner_id IS NULL
             THEN 'partner_conduct_without_partner' END,
        CASE WHEN resolved_at IS NOT NULL AND first_response_at IS NULL
             THEN 'resolved_without_response' END,
        CASE WHEN id_cut IS NOT NULL THEN 'id_cut_to_code' END,
        CASE WHEN id_refused IS NOT NULL THEN 'id_not_a_code' END,
        CASE WHEN employee_id NOT IN ('NV1', 'NV2') THEN 'unknown_employee' END,
        CASE WHEN partner_id NOT IN ('DT-01') THEN 'unknown_partner' END
    ]) AS rule
    FROM file_rows WHERE NOT exact_repeat
) WHERE rule IS NOT NULL
"""


def _random_rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    base = dt.datetime(2026, 1, 1, 8, 0)

    def ts(lo: int, hi: int) -> dt.datetime:
        return base + dt.timedelta(minutes=rng.randint(lo, hi))

    rows = []
    for _ in range(n):
        received = ts(0, 140_000)
        row = complaint(
            f"R-{rng.randint(0, int(n * 0.97))}" if rng.random() > 0.02 else None,
            received.isoformat(sep=" ", timespec="minutes"),
        )
        pick = rng.random
        if pick() < 0.03:
            row["received_at"] = None
        elif pick() < 0.02:
            row["received_at"] = rng.choice(["31/02/2026 10:00", "hôm qua", "1899-12-31"])
        if pick() < 0.6:
            row["first_response_at"] = received + dt.timedelta(hours=rng.randint(-30, 200))
        elif pick() < 0.03:
            row["first_response_at"] = "không rõ"
        if pick() < 0.4:
            row["resolved_at"] = received + dt.timedelta(hours=rng.randint(-10, 400))
        elif pick() < 0.03:
            row["resolved_at"] = "01/01/1900"
        if pick() < 0.05:
            row["review_requested_at"] = rng.choice(
                [received + dt.timedelta(days=rng.randint(-3, 30)), "2101-01-01"]
            )
        row["category"] = rng.choice(
            [
                "service",
                "process",
                "staff_conduct",
                "partner_conduct",
                "Hành vi nhân viên",
                "Linh tinh",
                None,
            ]
        )
        if pick() < 0.5:
            row["employee_id"] = rng.choice(["NV1", "NV2", "NV999", "NV2 gọi chị Hà", "Chị Hà"])
        if pick() < 0.3:
            row["partner_id"] = rng.choice(["DT-01", "DT-99", "DT-01: Lê Văn Tèo"])
        if pick() < 0.4:
            row["subcategory"] = rng.choice(["threat", "Đe dọa", "Nói to", "abuse"])
        rows.append(row)
        if pick() < 0.02:
            rows.append(dict(row))  # an exact repeat: not a conflict
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_gx_finds_what_a_plain_duckdb_query_finds(seed, tmp_path, con, settings):
    _directories(tmp_path, con, settings)
    path = write_rows(tmp_path / "register.csv", _random_rows(3000, seed), "csv_utf8_en")
    # The loader's staging, in an open transaction as in load_file.
    con.execute("BEGIN TRANSACTION")
    read_export(con, path, "register", None)
    _prepare(con, settings, EXPORTED, None)
    stage_file_rows(con, "register", event_log=False)
    findings = _validate(con, "register", settings)
    gx_found = sorted(
        zip(findings["source_row"].to_pylist(), findings["rule"].to_pylist(), strict=True)
    )
    plain = sorted(con.execute(PLAIN_RULES).fetchall())
    # GX ran on other connections and did not end this one's transaction or its TEMP tables.
    assert con.execute("SELECT count(*) FROM file_rows").fetchall()[0][0] > 3000
    con.execute("ROLLBACK")
    assert len(plain) > 500 and len({r for _, r in plain}) == 20
    assert gx_found == plain


def test_the_checks_database_cannot_see_the_load_transaction(tmp_path, con, settings):
    """Why the rows are copied: another connection sees neither TEMP tables nor uncommitted
    rows of the warehouse connection."""
    con.execute("CREATE TABLE core.probe (n INTEGER)")
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE TEMP TABLE file_rows AS SELECT 1 AS source_row")
    con.execute("INSERT INTO core.probe VALUES (1)")
    other = con.cursor()
    with pytest.raises(duckdb.CatalogException):
        other.execute("SELECT * FROM file_rows")
    assert other.execute("SELECT count(*) FROM core.probe").fetchall() == [(0,)]
    other.close()
    con.execute("ROLLBACK")
