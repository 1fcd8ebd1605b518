"""Every export shape users produce loads to the same core rows, with exact row accounting."""

from __future__ import annotations

import datetime as dt

import pytest

from base.errors import InputError
from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.load import load_file
from tests.conftest import complaint
from tests.shapes import SHAPES, write_rows

ROWS = [
    complaint(
        "KN-001",
        "2025-04-25 09:15",
        category="staff_conduct",
        subcategory="threat",
        employee_id="NV0001",
        handler_id="NV0100",
        first_response_at="2025-04-28 10:00",
        outcome="upheld",
        description="Nhân viên đe dọa gọi cho người thân của tôi",
    ),
    complaint(
        "KN-002",
        "2025-04-26 23:30",
        channel="phone",
        category="partner_conduct",
        subcategory="excessive_contact",
        partner_id="DT-01",
        status="in_progress",
    ),
    complaint(
        "KN-003",
        "2025-05-02 08:00",
        category="complaint_handling",
        first_response_at="2025-05-02 16:45",
        resolved_at="2025-05-06 11:00",
        outcome="not_upheld",
        review_requested_at="2025-05-07 09:00",
        review_outcome="changed",
    ),
]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_loads_the_same_rows(shape, tmp_path, con, settings):
    path = write_rows(tmp_path / f"register_2025-05-31.{shape.split('_')[0]}", ROWS, shape)
    result = load_file(con, path, "register", settings)

    assert (result.rows_read, result.rows_loaded, result.rows_unchanged, result.rows_rejected) == (
        3,
        3,
        0,
        0,
    )
    got = con.execute("""SELECT complaint_id, received_at, channel, category, subcategory,
        employee_id, partner_id, first_response_at, resolved_at, status, outcome,
        review_requested_at, review_outcome FROM core.complaints ORDER BY 1""").fetchall()
    assert got == [
        (
            "KN-001",
            dt.datetime(2025, 4, 25, 9, 15),
            "email",
            "staff_conduct",
            "threat",
            "NV0001",
            None,
            dt.datetime(2025, 4, 28, 10, 0),
            None,
            "responded",
            "upheld",
            None,
            None,
        ),
        (
            "KN-002",
            dt.datetime(2025, 4, 26, 23, 30),
            "phone",
            "partner_conduct",
            "excessive_contact",
            None,
            "DT-01",
            None,
            None,
            "in_progress",
            None,
            None,
            None,
        ),
        (
            "KN-003",
            dt.datetime(2025, 5, 2, 8, 0),
            "email",
            "complaint_handling",
            None,
            None,
            None,
            dt.datetime(2025, 5, 2, 16, 45),
            dt.datetime(2025, 5, 6, 11, 0),
            "review_requested",
            "not_upheld",
            dt.datetime(2025, 5, 7, 9, 0),
            "changed",
        ),
    ]
    log = con.execute(
        "SELECT rows_read, rows_loaded + rows_unchanged + rows_rejected FROM core.load_log"
    ).fetchall()
    assert log == [(3, 3)]


def test_cp1258_text_is_nfc_normalised(tmp_path, con, settings):
    path = write_rows(tmp_path / "r.csv", ROWS[:1], "csv_cp1258_vi")
    assert "đe dọa".encode() not in path.read_bytes()  # stored decomposed, not UTF-8
    load_file(con, path, "register", settings)
    text = con.execute("SELECT description FROM core.complaints").fetchall()[0][0]
    assert text == "Nhân viên đe dọa gọi cho người thân của tôi"


def test_headers_match_ignoring_case_spaces_and_diacritics(tmp_path, con, settings):
    path = tmp_path / "r.csv"
    path.write_text(
        "MA KHIEU NAI,  thời   gian tiếp nhận ,NHOM KHIEU NAI\n"
        "K1,01/03/2026 10:00,hanh vi nhan vien\n",
        encoding="utf-8",
    )
    load_file(con, path, "register", settings)
    assert con.execute("SELECT complaint_id, category FROM core.complaints").fetchall() == [
        ("K1", "staff_conduct")
    ]


def test_iso_offsets_are_converted_to_local_time(tmp_path, con, settings):
    path = tmp_path / "r.csv"
    path.write_text(
        "complaint_id,received_at,first_response_at\n"
        "K1,2025-01-31T17:30:00Z,2025-02-01T00:40:00+07:00\n",
        encoding="utf-8",
    )
    load_file(con, path, "register", settings, exported_at=dt.datetime(2025, 2, 2))
    assert con.execute("SELECT received_at, first_response_at FROM core.complaints").fetchall() == [
        (dt.datetime(2025, 2, 1, 0, 30), dt.datetime(2025, 2, 1, 0, 40))
    ]


def test_every_offset_is_converted_or_refused_never_dropped(tmp_path, con, settings):
    # Hand-computed: Vietnam is UTC+7 all year. A plain TIMESTAMP or TIME cast would read
    # "17:30 +02:00" as 17:30 local; the value must be converted, or refused when it cannot be.
    path = tmp_path / "r.csv"
    path.write_text(
        "complaint_id,received_at\n"
        "K1,2025-01-31 17:30:00 UTC\n"  # 18:00 UTC -> 00:30 next day
        "K2,2025-01-31T12:00:00-05:00\n"  # 17:00 UTC -> 00:00 next day
        "K3,2025-01-31 08:15\n"  # no zone: local as written
        "K4,31/01/2025 17:30:00+02:00\n"  # d/m/y with an offset: refused
        "K5,2025-01-31 17:30:00 +02\n",  # an offset DuckDB cannot read: refused
        encoding="utf-8",
    )
    result = load_file(con, path, "register", settings, exported_at=dt.datetime(2025, 2, 2))
    assert (result.rows_loaded, result.rows_rejected) == (3, 2)
    assert con.execute(
        "SELECT complaint_id, received_at FROM core.complaints ORDER BY 1"
    ).fetchall() == [
        ("K1", dt.datetime(2025, 2, 1, 0, 30)),
        ("K2", dt.datetime(2025, 2, 1, 0, 0)),
        ("K3", dt.datetime(2025, 1, 31, 8, 15)),
    ]
    assert con.execute(
        "SELECT complaint_id FROM quarantine.rejected_rows ORDER BY 1"
    ).fetchall() == [("K4",), ("K5",)]


def test_missing_required_column_is_refused_and_nothing_loaded(tmp_path, con, settings):
    path = tmp_path / "r.csv"
    path.write_text("Mã khiếu nại,Kênh tiếp nhận\nK1,Email\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"received_at \(Thời gian tiếp nhận\)"):
        load_file(con, path, "register", settings)
    assert con.execute("SELECT count(*) FROM core.load_log").fetchall() == [(0,)]


def test_user_mapping_for_another_system(tmp_path, con, settings):
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(
        "columns:\n  Ticket: complaint_id\n  Opened: received_at\n"
        "  Type: category\nvalues:\n  category:\n    Rude agent: staff_conduct\n"
        "null_values: ['?']\nskip_rows: 1\n",
        encoding="utf-8",
    )
    path = tmp_path / "crm_2026-01-31.csv"
    path.write_text(
        "exported by CRM\nTicket,Opened,Type,Agent\nT-9,2026-01-05 10:00,Rude agent,?\n"
        "T-10,2026-01-06 10:00,?,x\n",
        encoding="utf-8",
    )
    result = load_file(con, path, "register", settings, HeaderMapping.load(mapping))
    assert result.rows_loaded == 2
    assert con.execute(
        "SELECT complaint_id, category, source_row FROM core.complaints ORDER BY 1"
    ).fetchall() == [("T-10", None, 4), ("T-9", "staff_conduct", 3)]


def test_exported_at_from_file_name_then_option(tmp_path, con, settings):
    path = write_rows(tmp_path / "register_2025-06-30.csv", ROWS[:1], "csv_utf8_en")
    assert load_file(con, path, "register", settings).exported_at == dt.datetime(
        2025, 6, 30, 23, 59, 59
    )
