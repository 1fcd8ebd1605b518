"""marts.register_integrity: edits after the fact, vanished complaints, reused ids."""

from __future__ import annotations

from pipelines.ingest.load import load_file
from pipelines.models import discover_models, materialise
from tests.conftest import complaint
from tests.shapes import write_rows


def test_integrity_findings(tmp_path, con, settings):
    jan = [
        complaint("R-1", "2026-01-05 09:00", first_response_at="2026-01-06 09:00"),
        complaint("R-2", "2026-01-07 09:00", customer_id="KH-1"),
        complaint("R-3", "2026-01-08 09:00"),
    ]
    feb = [
        complaint("R-1", "2026-01-04 09:00", first_response_at="2026-01-06 11:00"),
        complaint("R-2", "2026-01-07 09:00", customer_id="KH-2"),
    ]
    for name, rows in [("register_2026-01-31.csv", jan), ("register_2026-02-28.csv", feb)]:
        load_file(con, write_rows(tmp_path / name, rows, "csv_utf8_en"), "register", settings)
    materialise(con, discover_models()["marts.register_integrity"])
    got = con.execute(
        "SELECT complaint_id, issue, old_value, new_value FROM "
        "marts.register_integrity ORDER BY 1, 2"
    ).fetchall()
    assert got == [
        ("R-1", "first_response_at_changed", "2026-01-06 09:00", "2026-01-06 11:00"),
        ("R-1", "received_at_changed", "2026-01-05 09:00", "2026-01-04 09:00"),
        ("R-2", "id_reused", None, None),
        ("R-3", "missing_from_latest_export", None, None),
    ]
    vi = con.execute(
        "SELECT detail_vi FROM marts.register_integrity WHERE complaint_id = 'R-3'"
    ).fetchall()[0][0]
    assert vi == "có trong lần xuất ngày 31/01/2026, không có trong lần xuất đầy đủ ngày 28/02/2026"
