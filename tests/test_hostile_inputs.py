"""Hostile and broken files: one clear error naming the file, and nothing from it loaded."""

from __future__ import annotations

import zipfile

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from base.errors import InputError
from pipelines.ingest.load import load_file
from tests.conftest import complaint
from tests.shapes import cp1258, write_rows

HEADER = "complaint_id,received_at,description\n"


def _xlsx_two_registers(path):
    book = xlsxwriter.Workbook(str(path))
    for name in ("Tháng 1", "Tháng 2"):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["Mã khiếu nại", "Thời gian tiếp nhận"])
        sheet.write_row(1, 0, ["K1", "01/01/2026 09:00"])
    book.close()


def _truncated_xlsx(path, tmp_path):
    good = write_rows(tmp_path / "good.xlsx", [complaint("K1", "2026-01-01 09:00")], "xlsx_vi")
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _corrupt_member_xlsx(path, tmp_path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<not-xml")
        z.writestr("xl/workbook.xml", "garbage")


CASES = {
    "empty.csv": (lambda p, t: p.write_bytes(b""), "empty"),
    "header_only.csv": (lambda p, t: p.write_text(HEADER), "no rows"),
    "truncated.xlsx": (_truncated_xlsx, "XLSX"),
    "corrupt.xlsx": (_corrupt_member_xlsx, "XLSX"),
    "two_registers.xlsx": (lambda p, t: _xlsx_two_registers(p), "several sheets"),
    "password.xlsx": (
        lambda p, t: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)),
        "password-protected",
    ),
    "junk.csv": (lambda p, t: p.write_bytes(bytes(range(256)) * 64), "binary"),
    "mixed.csv": (
        lambda p, t: p.write_bytes(
            HEADER.encode()
            + "K1,01/01/2026,Đe dọa khách\n".encode()
            + b"K2,01/01/2026,"
            + cp1258("Đe dọa khách")
            + b"\n"
        ),
        "mixed text encodings",
    ),
    "huge_cell.csv": (
        lambda p, t: p.write_text(HEADER + "K1,01/01/2026," + "x" * 100_000_000 + "\n"),
        "not a readable CSV",
    ),
    "wide.csv": (
        lambda p, t: p.write_text(",".join(f"c{i}" for i in range(10_000)) + "\n"),
        "columns",
    ),
    "not_a_register.csv": (
        lambda p, t: p.write_text("name,price\nphở,45000\n"),
        "missing required columns complaint_id",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_refused_with_one_clear_line(name, tmp_path, con, settings):
    make, expected = CASES[name]
    path = tmp_path / name
    make(path, tmp_path)
    with pytest.raises(InputError) as err:
        load_file(con, path, "register", settings)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and expected in message
    assert con.execute("SELECT count(*) FROM core.load_log").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM core.complaint_versions").fetchall() == [(0,)]


def test_formulas_and_far_dates_are_data_not_code(tmp_path, con, settings):
    rows = [
        complaint("F-1", "2026-01-05 09:00", description='=HYPERLINK("http://x","y")'),
        {**complaint("F-2", None), "received_at": "01/01/1900 00:00"},
        {**complaint("F-3", None), "received_at": "2100-06-01 00:00"},
    ]
    result = load_file(
        con, write_rows(tmp_path / "r.csv", rows, "csv_utf8_en"), "register", settings
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert con.execute("SELECT description FROM core.complaints").fetchall() == [
        ('=HYPERLINK("http://x","y")',)
    ]


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2000))
def test_fuzz_csv_reader_never_crashes_or_loads_part(tmp_path, con, settings, blob):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(HEADER.encode() + blob)
    before = con.execute("SELECT count(*) FROM core.complaint_versions").fetchall()
    try:
        result = load_file(con, path, "register", settings)
    except InputError as exc:
        assert "\n" not in str(exc)
        assert con.execute("SELECT count(*) FROM core.complaint_versions").fetchall() == before
        return
    assert result.rows_read == result.rows_loaded + result.rows_unchanged + result.rows_rejected


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(min_size=1, max_size=4000), st.integers(min_value=0, max_value=4000))
def test_fuzz_xlsx_reader(tmp_path, con, settings, blob, cut):
    good = write_rows(tmp_path / "good.xlsx", [complaint("K1", "2026-01-01 09:00")], "xlsx_vi")
    data = bytearray(good.read_bytes())
    pos = cut % len(data)
    data[pos : pos + len(blob)] = blob  # overwrite a stretch of the zip with noise
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(data))
    try:
        load_file(con, path, "register", settings)
    except InputError as exc:
        assert "\n" not in str(exc)
