"""Issue 11: every value of an export is read right, or refused (or warned) with a reason.

Day/month order decided per date column from its values, counts in every spelling, unknown
labels kept and warned, a resolution standing in for a missing first response, the rejected
share gate, and times read in the company's time zone whatever the host's clock says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from dagster import AssetCheckSeverity, DagsterInstance, RunConfig, materialize
from hypothesis import example, given, settings
from hypothesis import strategies as st

from base.errors import InputError
from pipelines.assets.ingest import IngestConfig, ingest_exports
from pipelines.build_params import write_build_params
from pipelines.calendar import write_calendar
from pipelines.gate import rejected_share_problem
from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.load import load_file
from pipelines.models import build_model
from reports.i18n import label
from reports.management import team_table
from tests.conftest import complaint, run_cli
from tests.shapes import write_rows

D = dt.datetime


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    """Text cells stay text (as typed dates are in many registers); numbers stay numbers."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if isinstance(v, float | int):
                sheet.write_number(i, j, v)
            elif v is not None:
                sheet.write_string(i, j, v)
    book.close()
    return path


def write_table(path: Path, header: list[str], rows: list[list]) -> Path:
    return (write_xlsx if path.suffix == ".xlsx" else write_csv)(path, header, rows)


def mapping(tmp_path: Path, text: str) -> HeaderMapping:
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return HeaderMapping.load(path)


def stored(con: duckdb.DuckDBPyConnection, *columns: str) -> list[tuple]:
    return con.execute(
        f"SELECT complaint_id, {', '.join(columns)} FROM core.complaints ORDER BY complaint_id"
    ).fetchall()


def warnings(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT source_row, rule, new_value FROM quarantine.warnings ORDER BY rule, source_row"
    ).fetchall()


# ------------------------------------------------------------------------------------- dates

HEADER = ["complaint_id", "received_at", "first_response_at", "resolved_at"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_month_first_dates_are_read_month_first(suffix, tmp_path, con, settings):
    # 9/30 and 12/25 can only be month-first, so the whole column is: 9/10/2013 is 10 September.
    rows = [
        ["US-1", "9/10/2013", "9/11/2013 2:30 PM", ""],
        ["US-2", "9/30/2013 14:05", "", "10/2/2013 9:15 AM"],
        ["US-3", "12/25/2013", "12/26/13", "1/3/14"],
    ]
    path = write_table(tmp_path / f"us{suffix}", HEADER, rows)
    result = load_file(con, path, "register", settings, exported_at=D(2014, 1, 31))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    assert stored(con, "received_at", "first_response_at", "resolved_at") == [
        ("US-1", D(2013, 9, 10), D(2013, 9, 11, 14, 30), None),
        ("US-2", D(2013, 9, 30, 14, 5), None, D(2013, 10, 2, 9, 15)),
        ("US-3", D(2013, 12, 25), D(2013, 12, 26), D(2014, 1, 3)),
    ]
    assert "date_order_assumed" not in result.warnings


def test_ambiguous_dates_are_read_day_first_with_one_warning_per_file(tmp_path, con, settings):
    rows = [
        ["A-1", "01/02/2026 09:00", "03/02/2026 10:00", ""],
        ["A-2", "04/03/2026", "05/03/2026", "06/03/2026"],
    ]
    path = write_csv(tmp_path / "vn.csv", HEADER, rows)
    result = load_file(con, path, "register", settings, exported_at=D(2026, 3, 31))
    assert stored(con, "received_at", "first_response_at", "resolved_at") == [
        ("A-1", D(2026, 2, 1, 9), D(2026, 2, 3, 10), None),
        ("A-2", D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 6)),
    ]
    assert result.warnings == {"date_order_assumed": 1}
    message = con.execute("SELECT message_en, message_vi FROM quarantine.warnings").fetchall()[0]
    assert message[0].startswith(
        "every date of received_at, first_response_at, resolved_at "
        "could be day-first or month-first"
    )
    assert "đã đọc theo ngày trước" in message[1]


def test_ambiguous_dates_follow_the_declared_order(tmp_path, con, settings):
    rows = [["M-1", "01/02/2026", "01/03/2026"], ["M-2", "02/03/2026", "02/04/2026"]]
    path = write_csv(tmp_path / "us.csv", HEADER[:3], rows)
    result = load_file(
        con,
        path,
        "register",
        settings,
        mapping(tmp_path, "date_order: mdy\n"),
        exported_at=D(2026, 3, 31),
    )
    assert stored(con, "received_at", "first_response_at") == [
        ("M-1", D(2026, 1, 2), D(2026, 1, 3)),
        ("M-2", D(2026, 2, 3), D(2026, 2, 4)),
    ]
    assert result.warnings == {}


def test_a_declared_order_per_column(tmp_path, con, settings):
    # received_at declared month-first; first_response_at not declared: day-first, warned
    rows = [["C-1", "01/02/2026", "03/02/2026"]]
    path = write_csv(tmp_path / "r.csv", HEADER[:3], rows)
    result = load_file(
        con,
        path,
        "register",
        settings,
        mapping(tmp_path, "date_order:\n  received_at: mdy\n"),
        exported_at=D(2026, 3, 31),
    )
    assert stored(con, "received_at", "first_response_at") == [
        ("C-1", D(2026, 1, 2), D(2026, 2, 3))
    ]
    assert warnings(con) == [(None, "date_order_assumed", "dmy")]
    assert result.warnings == {"date_order_assumed": 1}
    assert (
        "every date of first_response_at could"
        in con.execute("SELECT message_en FROM quarantine.warnings").fetchall()[0][0]
    )


def test_the_values_outrank_a_declared_order(tmp_path, con, settings):
    # declared day-first, but 9/30 can only be month-first
    path = write_csv(tmp_path / "r.csv", HEADER[:2], [["V-1", "9/10/2013"], ["V-2", "9/30/2013"]])
    load_file(
        con,
        path,
        "register",
        settings,
        mapping(tmp_path, "date_order: dmy\n"),
        exported_at=D(2014, 1, 1),
    )
    assert stored(con, "received_at") == [("V-1", D(2013, 9, 10)), ("V-2", D(2013, 9, 30))]


def test_a_bad_date_order_declaration_is_refused(tmp_path):
    with pytest.raises(InputError, match="date_order must be dmy, mdy or ymd"):
        mapping(tmp_path, "date_order: month-first\n")
    with pytest.raises(InputError, match="date_order names 'received', which is not a date"):
        mapping(tmp_path, "date_order:\n  received: mdy\n")


def test_a_column_of_both_orders_refuses_what_it_cannot_tell(tmp_path, con, settings):
    rows = [
        ["X-1", "13/01/2026"],  # only day-first reads it: 13 January
        ["X-2", "01/13/2026"],  # only month-first reads it: 13 January
        ["X-3", "01/02/2026"],  # 1 February or 2 January: refused
        ["X-4", "05/05/2026"],  # 5 May either way
        ["X-5", "2026-01-20"],
    ]  # ISO: year first, no order involved
    path = write_csv(tmp_path / "mixed.csv", HEADER[:2], rows)
    result = load_file(con, path, "register", settings, exported_at=D(2026, 6, 30))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 4, 1)
    assert stored(con, "received_at") == [
        ("X-1", D(2026, 1, 13)),
        ("X-2", D(2026, 1, 13)),
        ("X-4", D(2026, 5, 5)),
        ("X-5", D(2026, 1, 20)),
    ]
    rejected = con.execute(
        "SELECT source_row, complaint_id, rule, reason_en, reason_vi FROM quarantine.rejected_rows"
    ).fetchall()
    assert [r[:3] for r in rejected] == [(4, "X-3", "date_order_mixed")]
    assert rejected[0][3].endswith(": received_at 01/02/2026 (13/01/2026, 01/13/2026)")
    assert rejected[0][4].startswith("không xác định được thứ tự ngày/tháng")


def test_two_digit_years_and_excel_serials_still_read(tmp_path, con, settings):
    rows = [["Y-1", "30/8/13", ""], ["Y-2", "45000.5", "45001"]]
    path = write_csv(tmp_path / "r.csv", HEADER[:3], rows)
    result = load_file(con, path, "register", settings, exported_at=D(2023, 12, 31))
    assert result.rows_rejected == 0
    # serial 45000 is 2023-03-15 (days since 1899-12-30); .5 is noon
    assert stored(con, "received_at", "first_response_at") == [
        ("Y-1", D(2013, 8, 30), None),
        ("Y-2", D(2023, 3, 15, 12), D(2023, 3, 16)),
    ]


def test_reference_exports_are_read_in_their_own_order(tmp_path, con, settings):
    staff = write_csv(
        tmp_path / "staff.csv",
        ["employee_id", "team", "start_date"],
        [["NV1", "a", "9/30/2013"], ["NV2", "a", "10/1/2013"]],
    )
    load_file(con, staff, "staff", settings)
    assert con.execute("SELECT employee_id, start_date FROM core.staff ORDER BY 1").fetchall() == [
        ("NV1", dt.date(2013, 9, 30)),
        ("NV2", dt.date(2013, 10, 1)),
    ]


@pytest.mark.parametrize("kind,key", [("staff", "employee_id"), ("partners", "partner_id")])
def test_an_unreadable_directory_date_loads_the_record_and_names_the_date(
    tmp_path, con, settings, kind, key
):
    path = write_csv(
        tmp_path / f"{kind}.csv",
        [key, "name", "start_date", "end_date"],
        [
            ["X1", "A", "31/02/2024", ""],
            ["X2", "B", "01/03/2024", "sometime"],
            ["X3", "C", "02/03/2024", "30/06/2026"],
        ],
    )
    result = load_file(con, path, kind, settings)
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    table = "core.staff" if kind == "staff" else "core.partners"
    assert con.execute(
        f"SELECT {key}, start_date, end_date FROM {table} ORDER BY 1"
    ).fetchall() == [
        ("X1", None, None),
        ("X2", dt.date(2024, 3, 1), None),
        ("X3", dt.date(2024, 3, 2), dt.date(2026, 6, 30)),
    ]
    warned = con.execute(
        "SELECT source_row, message_en FROM quarantine.warnings WHERE rule = "
        "'unreadable_directory_date' ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in warned] == [2, 3]
    assert "start_date 31/02/2024" in warned[0][1] and "end_date sometime" in warned[1][1]


# ------------------------------------------------------------------------------------ counts

COUNTS = {
    "1234": 1234,
    "1234.0": 1234,
    "1.234": 1234,
    "1 234": 1234,
    "1\u00a0234": 1234,
    "1,234": 1234,
    "1,234.0": 1234,
    "0": 0,
    "12.5": None,
    "1.5": None,
    "-4": None,
    "khoảng 100": None,
    "1.23": None,
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_count_spelling_in_an_activity_export(suffix, tmp_path, con, settings):
    spellings = list(COUNTS)
    rows: list[list] = [["2026-03", f"NV{i}", s] for i, s in enumerate(spellings)]
    if suffix == ".xlsx":  # number cells as a spreadsheet stores them
        rows += [["2026-03", "NUM-1", 1234.0], ["2026-03", "NUM-2", 12.5]]
    path = write_table(
        tmp_path / f"activity{suffix}", ["month", "employee_id", "interactions"], rows
    )
    result = load_file(con, path, "activity", settings, exported_at=D(2026, 3, 31))
    got = dict(con.execute("SELECT subject_id, interactions FROM core.activity").fetchall())
    expected = {f"NV{i}": v for i, (s, v) in enumerate(COUNTS.items()) if v is not None}
    if suffix == ".xlsx":
        expected["NUM-1"] = 1234
    assert got == expected
    refused = [s for s, v in COUNTS.items() if v is None] + (["12.5"] if suffix == ".xlsx" else [])
    assert result.rows_rejected == len(refused)
    reasons = [
        r[0]
        for r in con.execute(
            "SELECT reason_en FROM quarantine.rejected_rows ORDER BY source_row"
        ).fetchall()
    ]
    assert reasons == [
        f"interactions '{s}' is not a whole number >= 0 (a fraction, a sign or text)"
        for s in refused
    ]


# ------------------------------------------------------------------------------------ labels

UNKNOWN = {
    "channel": ("Zalo", {}),
    "category": ("Linh tinh", {}),
    "status": ("Chờ duyệt", {}),
    "outcome": ("Đã xác minh có vi phạm", {}),
    "review_outcome": ("Hủy bỏ", {"review_requested_at": "2026-03-20 09:00"}),
    "subcategory": ("Nói to", {"category": "staff_conduct", "employee_id": "NV1"}),
}


@pytest.mark.parametrize("field", list(UNKNOWN))
def test_an_unknown_label_is_kept_as_given_and_warned(field, tmp_path, con, settings):
    given, extra = UNKNOWN[field]
    rows = [
        complaint("L-1", "2026-03-16 09:00", **{field: given, **extra}),
        complaint("L-2", "2026-03-16 09:00"),
    ]
    path = write_rows(tmp_path / "r.csv", rows, "csv_utf8_en")
    result = load_file(con, path, "register", settings, exported_at=D(2026, 3, 31))
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert stored(con, field)[0] == ("L-1", given)
    rows = con.execute(
        "SELECT source_row, complaint_id, rule, new_value, message_en, message_vi "
        f"FROM quarantine.warnings WHERE rule = 'unknown_{field}'"
    ).fetchall()
    assert [r[:4] for r in rows] == [(2, "L-1", f"unknown_{field}", given)]
    assert f"'{given}'" in rows[0][4] and f"'{given}'" in rows[0][5]


def test_an_unknown_outcome_is_neither_pending_nor_substantiated(tmp_path, con, settings):
    rows = [
        complaint(
            "O-1",
            "2026-03-16 09:00",
            category="staff_conduct",
            employee_id="NV1",
            outcome="Đã xác minh có vi phạm",
        ),
        complaint(
            "O-2",
            "2026-03-17 09:00",
            category="staff_conduct",
            employee_id="NV1",
            outcome="Có cơ sở",
        ),
        complaint("O-3", "2026-03-18 09:00", category="staff_conduct", employee_id="NV1"),
    ]
    load_file(
        con,
        write_rows(tmp_path / "r.csv", rows, "csv_utf8_en"),
        "register",
        settings,
        exported_at=D(2026, 3, 31),
    )
    write_build_params(con, settings, "2026-03-31")
    for table in ("marts.complaint_subjects", "marts.subject_monthly", "marts.employee_monthly"):
        build_model(con, table)
    assert con.execute("""SELECT complaints, substantiated, pending, not_upheld, withdrawn,
        outcome_unrecognised FROM marts.subject_monthly
        WHERE subject_id = 'NV1' AND month = DATE '2026-03-01'""").fetchall() == [
        (3, 1, 1, 0, 0, 1)
    ]
    # the management report's team table shows it in its own column, not as pending
    team = team_table(con, dt.date(2026, 3, 1), "vi")
    assert team is not None, "March has complaints, so the report has a team table"
    row = dict(zip(team.headers, [c.text for c in team.rows[0]], strict=True))
    assert (row["Chưa kết luận"], row["Kết quả không xác định"]) == ("1", "1")
    assert label("outcome", "Đã xác minh có vi phạm", "vi") == (
        "Kết quả không xác định: Đã xác minh có vi phạm"
    )
    assert label("outcome", "Đã xác minh có vi phạm", "en") == (
        "Outcome not recognised: Đã xác minh có vi phạm"
    )
    assert label("outcome", "pending", "en") == "Pending"


# --------------------------------------------------------------------------------- responses


def test_a_resolution_without_first_response_counts_as_the_response(tmp_path, con, settings):
    # Received Mon 02/03/2026: 03 (1), 04 (2), 05 (3), 06 (4), 09 (5), 10 (6), 11 (7): due
    # 11/03. Resolved Wed 04/03 with no first response recorded: met, not open_overdue.
    rows = [
        complaint("R-1", "2026-03-02 09:00", resolved_at="2026-03-04 15:00"),
        complaint("R-2", "2026-03-02 09:00"),
    ]
    result = load_file(
        con,
        write_rows(tmp_path / "r.csv", rows, "csv_utf8_en"),
        "register",
        settings,
        exported_at=D(2026, 3, 31),
    )
    assert result.warnings == {"resolved_without_response": 1}
    write_build_params(con, settings, "2026-03-31")
    write_calendar(con, settings)
    build_model(con, "marts.complaint_sla")
    assert con.execute("""SELECT complaint_id, due_date, response_date, response_is_resolution,
        working_days_to_response, sla_status FROM marts.complaint_sla ORDER BY 1""").fetchall() == [
        ("R-1", dt.date(2026, 3, 11), dt.date(2026, 3, 4), True, 2, "met"),
        ("R-2", dt.date(2026, 3, 11), None, False, None, "open_overdue"),
    ]


# -------------------------------------------------------------------------------------- gate


def cli(home: Path, *args: str, tz: str | None = None) -> subprocess.CompletedProcess:
    return run_cli(home, *args, env={"TZ": tz} if tz else None)


def test_the_gate_on_a_small_file_warns_and_on_many_rejections_blocks(tmp_path, home):
    # 13 rows, one answered before receipt: a warning, exit 0, and the marts build.
    good = [complaint(f"G-{i:02d}", "2026-03-02 09:00") for i in range(12)]
    typo = complaint("T-1", "2026-03-02 09:00", first_response_at="2026-03-01 09:00")
    small = write_rows(tmp_path / "register_2026-03-31.csv", [*good, typo], "csv_utf8_en")
    proc = cli(home, "ingest", str(small))
    assert proc.returncode == 0, proc.stderr
    assert "read 13, loaded 12, unchanged 0, rejected 1" in proc.stdout
    assert [x for x in proc.stderr.splitlines() if x.startswith("warning:")] == [
        "warning: register_2026-03-31.csv: 1 of 13 rows checked in this load rejected (7.7%); "
        "within the limit (5%, or fewer than 10 rows): the other rows loaded, the rejected "
        "ones are in quarantine.rejected_rows"
    ]
    assert cli(home, "build").returncode == 0
    # The next export: the same 12 rows plus 12 new ones, all answered before receipt.
    bad = [
        complaint(f"B-{i:02d}", "2026-04-02 09:00", first_response_at="2026-04-01 09:00")
        for i in range(12)
    ]
    later = write_rows(tmp_path / "register_2026-04-30.csv", [*good, *bad], "csv_utf8_en")
    proc = cli(home, "ingest", str(later))
    assert proc.returncode == 2
    errors = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert errors == [
        "error: blocked: register_2026-04-30.csv: 12 of 12 rows checked in this load rejected "
        "(100.0%), over the allowed 5% (and at least 10 rows): the marts and reports are not "
        "built from it; to release, fix the rows listed in quarantine.rejected_rows at the "
        "source and load the corrected export (or raise COMPLAINTS_MAX_REJECTED_SHARE or "
        "COMPLAINTS_MIN_REJECTED_ROWS)"
    ]
    proc = cli(home, "build")
    assert proc.returncode == 2
    assert [x for x in proc.stderr.splitlines() if x.startswith("error:")] == [
        errors[0].replace("register_2026-04-30.csv", str(later))
    ]


def test_a_cumulative_snapshot_is_gated_on_the_rows_it_brings(tmp_path, warehouse, settings):
    # 300 rows already stored, then a snapshot repeating them with 12 new rows, all rejected:
    # 12 of 312 read (3.8%) would pass; 12 of the 12 checked blocks.
    old = [complaint(f"S-{i:03d}", "2026-03-02 09:00") for i in range(300)]
    new = [
        complaint(f"N-{i:02d}", "2026-04-02 09:00", first_response_at="2026-04-01 09:00")
        for i in range(12)
    ]
    first = write_rows(tmp_path / "register_2026-03-31.csv", old, "csv_utf8_en")
    second = write_rows(tmp_path / "register_2026-04-30.csv", old + new, "csv_utf8_en")
    for path, passed in ((first, True), (second, False)):
        result = materialize(
            [ingest_exports],
            resources={"warehouse": warehouse},
            run_config=RunConfig(ops={ingest_exports.op.name: IngestConfig(paths=[str(path)])}),
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
        check = next(iter(result.get_asset_check_evaluations()))
        assert check.passed is passed
    assert check.severity == AssetCheckSeverity.ERROR
    assert check.description is not None, "the failed check says why"
    assert check.description.startswith("register_2026-04-30.csv: 12 of 12 rows checked")
    from base.warehouse import connect

    with connect(settings.warehouse_path) as con:
        assert con.execute(
            "SELECT rows_read, rows_checked, rows_rejected FROM core.load_log ORDER BY load_id"
        ).fetchall() == [(300, 300, 0), (312, 12, 12)]
        problem = rejected_share_problem(con, settings)
        assert problem is not None, "12 of 12 checked rows rejected is a problem"
        assert problem.endswith("COMPLAINTS_MIN_REJECTED_ROWS)")


# ----------------------------------------------------------------------------- times, order


def test_export_time_from_mtime_is_company_time_on_a_utc_host(tmp_path, home):
    # Received 23:30 on 31/03 in Hà Nội; the file was written at 17:00 UTC = 00:00 on 01/04
    # in Hà Nội. On a UTC host the old reading (17:00) put receipt after the export.
    path = write_rows(
        tmp_path / "register.csv", [complaint("Z-1", "2026-03-31 23:30")], "csv_utf8_en"
    )
    written = dt.datetime(2026, 3, 31, 17, 0, tzinfo=dt.UTC).timestamp()
    os.utime(path, (written, written))
    proc = cli(home, "ingest", str(path), tz="UTC")
    assert proc.returncode == 0, proc.stderr
    assert (
        "[csv utf-8 ,, exported 2026-04-01 00:00 (thời gian sửa tệp / file modified)]: "
        "read 1, loaded 1"
    ) in proc.stdout


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("register_31-01-2026.csv", "'31-01-2026' in the file name is not written year first"),
        ("register_01.02.2026.csv", "'01.02.2026' in the file name is not written year first"),
        ("register_2026-02-30.csv", "'2026-02-30' in the file name is not a real date"),
    ],
)
def test_a_date_in_the_file_name_that_cannot_be_read_is_refused(name, why, tmp_path, con, settings):
    # Passed over, these took the file's modification time (a copy's is the day it was copied).
    path = write_rows(tmp_path / name, [complaint("Z-1", "2026-01-05 09:00")], "csv_utf8_en")
    with pytest.raises(InputError, match=why + r".*give --exported-at; nothing was loaded"):
        load_file(con, path, "register", settings)
    assert con.execute("SELECT count(*) FROM core.load_log").fetchall() == [(0,)]
    given = load_file(con, path, "register", settings, exported_at=dt.datetime(2026, 1, 31))
    assert (given.exported_at, given.rows_loaded) == (dt.datetime(2026, 1, 31), 1)


def test_event_log_order_by_a_timestamp_column(tmp_path, con, settings):
    # The latest event by time is row 3, not the last row of the file.
    header = ["number", "opened_at", "incident_state", "sys_updated_on"]
    rows = [
        ["INC1", "02/03/2026 09:00", "New", "02/03/2026 09:00"],
        ["INC1", "02/03/2026 09:00", "Closed", "20/03/2026 10:00"],
        ["INC1", "02/03/2026 09:00", "Active", "03/03/2026 11:00"],
    ]
    path = write_csv(tmp_path / "events.csv", header, rows)
    events = mapping(
        tmp_path,
        """
        event_log:
          order_by: sys_updated_on
        columns:
          number: complaint_id
          opened_at: received_at
          incident_state: status
        values:
          status: {New: new, Active: in_progress, Closed: closed}
        """,
    )
    result = load_file(con, path, "register", settings, events, exported_at=D(2026, 3, 31))
    assert (result.rows_loaded, result.rows_unchanged) == (1, 2)
    assert stored(con, "status") == [("INC1", "closed")]


def test_event_log_order_by_text_is_refused(tmp_path, con, settings):
    path = write_csv(
        tmp_path / "events.csv",
        ["number", "opened_at", "step"],
        [["INC1", "2026-03-02", "first"], ["INC1", "2026-03-02", "second"]],
    )
    events = mapping(
        tmp_path,
        """
        event_log: {order_by: step}
        columns: {number: complaint_id, opened_at: received_at}
        """,
    )
    with pytest.raises(
        InputError, match="order_by column 'step' is neither all numbers nor all dates"
    ):
        load_file(con, path, "register", settings, events, exported_at=D(2026, 3, 31))


# ------------------------------------------------------------------------ property tests


def _macro_connection():
    """A bare DuckDB connection with the staging macros (the pieces under test, no loader)."""
    import duckdb

    from base.warehouse import set_time_zone
    from pipelines.ingest import masking
    from pipelines.ingest.load import INGEST_DIR

    con = duckdb.connect()
    masking.register(con)  # the macros refer to the masking functions
    set_time_zone(con)
    con.execute("CREATE TEMP TABLE load_context AS SELECT '' AS opad, '' AS ipad")
    con.execute((INGEST_DIR / "macros.sql").read_text(encoding="utf-8"))
    return con


@given(
    st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)), min_size=1, max_size=40),
    st.sampled_from(["dmy", "mdy"]),
    st.sampled_from(["/", "-", "."]),
    st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_property_a_column_written_in_one_order_reads_back_exactly(days, order, sep, timed):
    """Dates written in one order are read back exactly when a value shows the order, and
    never read in the other order: when none does, day-first is assumed (and warned)."""
    from pipelines.ingest import dates

    def text(d: dt.date, i: int) -> str:
        parts = (d.day, d.month) if order == "dmy" else (d.month, d.day)
        clock = f" {i % 24}:{i % 60:02d}" if timed else ""
        return f"{parts[0]}{sep}{parts[1]}{sep}{d.year}{clock}"

    con = _macro_connection()
    con.execute("CREATE TEMP TABLE raw_rows (received_at VARCHAR)")
    con.executemany("INSERT INTO raw_rows VALUES (?)", [[text(d, i)] for i, d in enumerate(days)])
    (decision,) = dates.decide(con, "register", ["received_at"], None)
    got = [
        r[0]
        for r in con.execute(
            "SELECT parse_ts(received_at, date_order_of('received_at')) FROM raw_rows"
        ).fetchall()
    ]
    shows_order = any(d.day > 12 and d.day != d.month for d in days)
    symmetric = all(d.day == d.month or d.day > 12 for d in days)
    if shows_order or symmetric:
        assert not decision.assumed
        expected = [
            dt.datetime.combine(d, dt.time(i % 24, i % 60) if timed else dt.time())
            for i, d in enumerate(days)
        ]
        assert got == expected
    else:
        assert (decision.date_order, decision.assumed) == ("dmy", True)


@given(st.integers(0, 10**12), st.sampled_from(["plain", ",", ".", " ", "\u00a0", ".0", ",0"]))
@example(15000, ",")  # '15,000' was once read as 15: a zero fraction matched before grouping
@example(1000, ".")
@settings(max_examples=200, deadline=None)
def test_property_every_count_spelling_reads_back(n, style):
    digits = str(n)
    groups = [digits[max(0, i - 3) : i] for i in range(len(digits), 0, -3)][::-1]
    text = {"plain": digits, ".0": f"{digits}.0", ",0": f"{digits},0"}.get(
        style, style.join(groups)
    )
    con = _macro_connection()
    assert con.execute("SELECT parse_count(?)", [text]).fetchall() == [(n,)]
    # a real fraction or a sign is never a count
    assert con.execute(
        "SELECT parse_count(?), parse_count(?)", [f"{digits}.5", f"-{digits}"]
    ).fetchall() == [(None, None)]


def test_three_zeros_after_a_separator_are_a_thousands_group():
    con = _macro_connection()
    got = con.execute(
        "SELECT parse_count('1.000'), parse_count('15,000'), parse_count('15.0'), "
        "parse_count('1234.000'), parse_count('2.000.000'), parse_count('01.234')"
    ).fetchone()
    assert got == (1000, 15000, 15, 1234, 2000000, None)
