"""One small fixture per validation rule, asserting the exact quarantined rows and reasons."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.ingest.load import load_file
from tests.conftest import complaint
from tests.shapes import write_rows

EXPORTED = dt.datetime(2026, 3, 31, 18, 0)
GOOD = complaint("OK-1", "2026-03-02 09:00", first_response_at="2026-03-03 09:00")

ERROR_CASES = {
    "missing_complaint_id": complaint(None, "2026-03-02 09:00"),
    "missing_received_at": complaint("E-2", None),
    "unparseable_received_at": {**complaint("E-3", None), "received_at": "31/02/2026 10:00"},
    "unparseable_first_response_at": {
        **complaint("E-4", "2026-03-02 09:00"),
        "first_response_at": "không rõ",
    },
    "unparseable_resolved_at": {
        **complaint("E-5", "2026-03-02 09:00"),
        "resolved_at": "01/01/1900",
    },
    "unparseable_review_requested_at": {
        **complaint("E-6", "2026-03-02 09:00"),
        "review_requested_at": "2101-01-01",
    },
    "response_before_receipt": complaint(
        "E-7", "2026-03-02 09:00", first_response_at="2026-03-01 09:00"
    ),
    "resolved_before_receipt": complaint("E-8", "2026-03-02 09:00", resolved_at="2026-03-02 08:59"),
    "review_before_receipt": complaint(
        "E-9", "2026-03-02 09:00", review_requested_at="2026-02-28 09:00"
    ),
    "received_after_export": complaint("E-10", "2026-04-01 09:00"),
}
REASON_VI = {
    "missing_complaint_id": "thiếu mã khiếu nại",
    # the timestamps the reason is about, written in (E-7, E-8, E-9, E-10 above; EXPORTED)
    "response_before_receipt": "thời gian phản hồi đầu tiên 2026-03-01 09:00 sớm hơn thời gian "
    "tiếp nhận 2026-03-02 09:00",
    "resolved_before_receipt": "thời gian giải quyết 2026-03-02 08:59 sớm hơn thời gian tiếp "
    "nhận 2026-03-02 09:00",
    "review_before_receipt": "thời gian yêu cầu xem xét lại 2026-02-28 09:00 sớm hơn thời gian "
    "tiếp nhận 2026-03-02 09:00",
    "received_after_export": "thời gian tiếp nhận 2026-04-01 09:00 muộn hơn thời điểm xuất dữ "
    "liệu 2026-03-31 18:00",
}
REASON_EN = {
    "resolved_before_receipt": "resolved_at 2026-03-02 08:59 is earlier than received_at "
    "2026-03-02 09:00",
    "received_after_export": "received_at 2026-04-01 09:00 is later than the export's "
    "exported_at 2026-03-31 18:00",
}


@pytest.mark.parametrize("shape", ["csv_utf8_en", "xlsx_vi", "csv_cp1258_vi"])
@pytest.mark.parametrize("rule", list(ERROR_CASES))
def test_row_error_goes_to_quarantine_with_reason(rule, shape, tmp_path, con, settings):
    path = write_rows(tmp_path / f"r.{shape[:4]}", [GOOD, ERROR_CASES[rule]], shape)
    result = load_file(con, path, "register", settings, exported_at=EXPORTED)

    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    rejected = con.execute(
        "SELECT source_row, complaint_id, rule, reason_en, reason_vi, "
        "row_values FROM quarantine.rejected_rows"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rejected] == [(3, ERROR_CASES[rule]["complaint_id"], rule)]
    assert rejected[0][3] and rejected[0][4]
    if rule in REASON_VI:
        assert rejected[0][4] == REASON_VI[rule]
    if rule in REASON_EN:
        assert rejected[0][3] == REASON_EN[rule]
    values = json.loads(rejected[0][5])
    assert values["customer_name"] == "***" and values["customer_phone"] == "***"
    assert con.execute("SELECT complaint_id FROM core.complaints").fetchall() == [("OK-1",)]


def test_same_id_twice_with_different_content_rejects_both(tmp_path, con, settings):
    rows = [GOOD, complaint("D-1", "2026-03-02 09:00"), complaint("D-1", "2026-03-03 09:00")]
    path = write_rows(tmp_path / "r.csv", rows, "csv_utf8_en")
    result = load_file(con, path, "register", settings, exported_at=EXPORTED)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert con.execute(
        "SELECT source_row, rule FROM quarantine.rejected_rows ORDER BY 1"
    ).fetchall() == [(3, "duplicate_complaint_id"), (4, "duplicate_complaint_id")]


def test_exact_duplicate_row_counts_as_unchanged(tmp_path, con, settings):
    path = write_rows(tmp_path / "r.csv", [GOOD, GOOD], "csv_utf8_en")
    result = load_file(con, path, "register", settings, exported_at=EXPORTED)
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged, result.rows_rejected) == (
        2,
        1,
        1,
        0,
    )


WARNING_CASES = {
    "unknown_category": complaint("W-1", "2026-03-02 09:00", category="Linh tinh"),
    "unknown_subcategory": complaint(
        "W-2", "2026-03-02 09:00", category="staff_conduct", employee_id="NV1", subcategory="Nói to"
    ),
    "staff_conduct_without_employee": complaint(
        "W-3", "2026-03-02 09:00", category="staff_conduct"
    ),
    "partner_conduct_without_partner": complaint(
        "W-4", "2026-03-02 09:00", category="partner_conduct"
    ),
    "resolved_without_response": complaint(
        "W-5", "2026-03-02 09:00", resolved_at="2026-03-04 09:00"
    ),
    "unknown_employee": complaint(
        "W-6", "2026-03-02 09:00", category="staff_conduct", employee_id="NV999"
    ),
    "unknown_partner": complaint(
        "W-7", "2026-03-02 09:00", category="partner_conduct", partner_id="DT-99"
    ),
    # a note typed into an id column: cut to its code, the rest never stored
    "id_cut_to_code": complaint(
        "W-8", "2026-03-02 09:00", employee_id="NV1 - chị Thảo gọi lại 0903 456 789"
    ),
    "id_not_a_code": complaint("W-9", "2026-03-02 09:00", partner_id="Lê Văn Tèo"),
}


@pytest.mark.parametrize("rule", list(WARNING_CASES))
def test_warning_keeps_the_row_and_lists_it(rule, tmp_path, con, settings):
    directory = tmp_path / "staff.csv"
    directory.write_text(
        "employee_id,name,team\nNV1,Nguyễn Văn Một,collections\n", encoding="utf-8"
    )
    load_file(con, directory, "staff", settings)
    partners = tmp_path / "partners.csv"
    partners.write_text(
        "partner_id,name,partner_type\nDT-01,Agency,collection_agency\n", encoding="utf-8"
    )
    load_file(con, partners, "partners", settings)
    path = write_rows(tmp_path / "r.csv", [WARNING_CASES[rule]], "csv_utf8_bom_vi")
    result = load_file(con, path, "register", settings, exported_at=EXPORTED)
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    # (02/03/2026 could be either order: the file also carries date_order_assumed)
    assert con.execute(
        "SELECT source_row, complaint_id, rule FROM quarantine.warnings "
        "WHERE kind = 'register' AND source_row IS NOT NULL"
    ).fetchall() == [(2, WARNING_CASES[rule]["complaint_id"], rule)]
    if rule == "unknown_category":  # kept as given, never mapped to a code
        assert con.execute("SELECT category FROM core.complaints").fetchall() == [("Linh tinh",)]


def test_corrected_export_resolves_the_quarantine_entry(tmp_path, con, settings):
    bad = complaint("C-1", "2026-03-02 09:00", first_response_at="2026-03-01 09:00")
    first = write_rows(tmp_path / "register_2026-03-31.csv", [GOOD, bad], "csv_utf8_en")
    load_file(con, first, "register", settings)
    assert con.execute(
        "SELECT count(*) FROM quarantine.rejected_rows WHERE resolved_at IS NULL"
    ).fetchall() == [(1,)]
    fixed = complaint("C-1", "2026-03-02 09:00", first_response_at="2026-03-02 15:00")
    second = write_rows(tmp_path / "register_2026-04-01.csv", [GOOD, fixed], "csv_utf8_en")
    result = load_file(con, second, "register", settings)
    assert (result.rows_loaded, result.rows_unchanged) == (1, 1)
    assert con.execute(
        "SELECT complaint_id, resolved_at IS NOT NULL FROM quarantine.rejected_rows"
    ).fetchall() == [("C-1", True)]


def test_edits_after_the_fact_and_disappearances_are_warned(tmp_path, con, settings):
    a = complaint("H-1", "2026-03-02 09:00", first_response_at="2026-03-03 09:00")
    b = complaint("H-2", "2026-03-05 09:00")
    load_file(
        con,
        write_rows(tmp_path / "register_2026-03-31.csv", [a, b], "csv_utf8_en"),
        "register",
        settings,
    )
    edited = {**a, "received_at": dt.datetime(2026, 3, 1, 9, 0)}
    load_file(
        con,
        write_rows(tmp_path / "register_2026-04-30.csv", [edited], "csv_utf8_en"),
        "register",
        settings,
    )
    assert con.execute(
        "SELECT complaint_id, rule, old_value, new_value FROM quarantine.warnings ORDER BY rule"
    ).fetchall() == [
        ("H-2", "missing_from_export", None, None),
        ("H-1", "register_edited", "2026-03-02 09:00:00", "2026-03-01 09:00:00"),
    ]
    # Kept, never deleted: the vanished complaint stays in core.complaints.
    assert con.execute("SELECT complaint_id FROM core.complaints ORDER BY 1").fetchall() == [
        ("H-1",),
        ("H-2",),
    ]


def test_reference_rules(tmp_path, con, settings):
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "employee_id,name,team\nNV1,A,collections\n,B,collections\n"
        "NV2,C,collections\nNV2,D,telesales\n",
        encoding="utf-8",
    )
    result = load_file(con, staff, "staff", settings)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 1, 3)
    assert con.execute(
        "SELECT source_row, rule FROM quarantine.rejected_rows ORDER BY 1"
    ).fetchall() == [(3, "missing_key"), (4, "duplicate_key"), (5, "duplicate_key")]
    activity = tmp_path / "activity.csv"
    activity.write_text(
        "month,employee_id,interactions\n2026-03,NV1,1200\n13/2026,NV1,5\n2026-03,NV2,-4\n",
        encoding="utf-8",
    )
    result = load_file(con, activity, "activity", settings)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert con.execute(
        "SELECT source_row, rule FROM quarantine.rejected_rows WHERE kind = 'activity' ORDER BY 1"
    ).fetchall() == [(3, "unparseable_month"), (4, "invalid_interactions")]


def test_a_snapshot_rechecks_new_content_and_every_duplicated_id(tmp_path, con, settings):
    # The second snapshot repeats K1-K3 as stored (checked when first seen, not again), adds a
    # bad new row K4, and a second, different K2: both K2 rows must be rejected, although one
    # of them is stored content.
    first = [complaint(f"K{i}", "2026-03-02 09:00") for i in (1, 2, 3)]
    load_file(
        con,
        write_rows(tmp_path / "register_2026-03-31.csv", first, "csv_utf8_en"),
        "register",
        settings,
    )
    second = first + [
        complaint("K4", "2026-04-02 09:00", first_response_at="2026-04-01 09:00"),
        complaint("K2", "2026-03-02 09:00", channel="phone"),
    ]
    result = load_file(
        con,
        write_rows(tmp_path / "register_2026-04-30.csv", second, "csv_utf8_en"),
        "register",
        settings,
    )
    rejected = con.execute(
        "SELECT complaint_id, rule FROM quarantine.rejected_rows WHERE load_id = ? ORDER BY ALL",
        [result.load_id],
    ).fetchall()
    assert rejected == [
        ("K2", "duplicate_complaint_id"),
        ("K2", "duplicate_complaint_id"),
        ("K4", "response_before_receipt"),
    ]
    assert (result.rows_read, result.rows_unchanged, result.rows_rejected) == (5, 2, 3)
