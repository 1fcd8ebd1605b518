"""tables.xlsx: the month's marts for analysts, one sheet each, codes as stored.

Safe against spreadsheet formula injection: every text is written as a string cell (never a
formula), and text beginning with = + - @ tab or CR gets a leading apostrophe, so it stays text
even after a round trip through CSV.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from reports import data, fmt

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS) else value


def _sheets(month: dt.date) -> list[tuple[str, str, str, str, list, tuple[str, ...]]]:
    """(sheet, Vietnamese note, English note, SQL, params, tables needed)."""
    year_ago = data.add_months(month, -11)
    return [
        (
            "sla_monthly",
            "Thời hạn phản hồi theo tháng tiếp nhận, 12 tháng (Điều 5.1)",
            "Response times by month of receipt, 12 months (clause 5.1)",
            "SELECT * FROM marts.sla_monthly WHERE month BETWEEN ? AND ? ORDER BY month",
            [year_ago, month],
            ("marts.sla_monthly",),
        ),
        (
            "sla_breakdown",
            "Thời hạn phản hồi theo nhóm, kênh, bộ phận, nhân viên xử lý, đối tác",
            "Response times by category, channel, team, handler, partner",
            "SELECT * FROM marts.sla_breakdown WHERE month = ? ORDER BY dimension, dimension_value",
            [month],
            ("marts.sla_breakdown",),
        ),
        (
            "review_monthly",
            "Yêu cầu xem xét lại theo tháng giải quyết (Điều 4.3)",
            "Review requests by month of resolution (clause 4.3)",
            "SELECT * FROM marts.review_monthly WHERE month BETWEEN ? AND ? ORDER BY month",
            [year_ago, month],
            ("marts.review_monthly",),
        ),
        (
            "open_at_risk",
            "Khiếu nại đang mở quá hạn hoặc sắp đến hạn (tại ngày dữ liệu)",
            "Open complaints overdue or nearly due (as of the data date)",
            "SELECT * FROM marts.open_at_risk",
            [],
            ("marts.open_at_risk",),
        ),
        (
            "employee_monthly",
            "Khiếu nại theo mã nhân viên trong tháng (không có họ tên)",
            "Complaints per staff code in the month (no names)",
            "SELECT * FROM marts.employee_monthly WHERE month = ? ORDER BY employee_id",
            [month],
            ("marts.employee_monthly",),
        ),
        (
            "partner_monthly",
            "Khiếu nại theo đối tác trong tháng",
            "Complaints per partner",
            "SELECT p.*, c.name AS partner_name FROM marts.partner_monthly p LEFT JOIN "
            "core.partners c USING (partner_id) WHERE p.month = ? ORDER BY partner_id",
            [month],
            ("marts.partner_monthly", "core.partners"),
        ),
        (
            "handler_monthly",
            "Thời hạn phản hồi theo nhân viên xử lý (Điều 5.2, 6.3)",
            "Response times per handler (clauses 5.2, 6.3)",
            "SELECT * FROM marts.handler_monthly WHERE month = ? ORDER BY handler_id",
            [month],
            ("marts.handler_monthly",),
        ),
        (
            "funnel",
            "Biểu đồ phễu: kỳ rà soát của tháng (Điều 4.5)",
            "Funnel: the month's review window (clause 4.5)",
            "SELECT * FROM marts.funnel WHERE review_month = ? "
            "ORDER BY subject_type, peer_group, subject_id",
            [month],
            ("marts.funnel",),
        ),
        (
            "pattern_flags",
            "Dấu hiệu của kỳ rà soát tháng (Điều 3.4, 7.1)",
            "Flags of the month's review (clauses 3.4, 7.1)",
            "SELECT * EXCLUDE (complaint_ids), array_to_string(complaint_ids, ', ') AS "
            "complaint_ids FROM marts.pattern_flags WHERE review_month = ? "
            "ORDER BY severity, subject_type, subject_id, rule",
            [month],
            ("marts.pattern_flags",),
        ),
        (
            "flag_chance",
            "Số dấu hiệu tỷ lệ bất thường có thể chỉ do ngẫu nhiên, theo tháng (Điều 4.5)",
            "Outlier flags chance alone would give, by month (clause 4.5)",
            "SELECT * FROM marts.flag_chance WHERE review_month BETWEEN ? AND ? "
            "ORDER BY review_month",
            [year_ago, month],
            ("marts.flag_chance",),
        ),
        (
            "findings",
            "Kết luận có cơ sở trong tháng, theo tháng kết luận (Điều 3.4, 4.3)",
            "Findings decided in the month (clauses 3.4, 4.3)",
            "SELECT subject_type, subject_id, complaint_id, received_at, decided_at, category, "
            "conduct, subcategory, outcome, review_outcome, appeal, substantiated, "
            "other_finding FROM marts.complaint_subjects WHERE decision_month = ? "
            "ORDER BY subject_type, subject_id, decided_at, complaint_id",
            [month],
            ("marts.complaint_subjects",),
        ),
        (
            "activity_coverage",
            "Dữ liệu lượt tương tác của kỳ rà soát (Điều 4.5)",
            "Activity data for the review window (clause 4.5)",
            "SELECT * FROM marts.activity_coverage WHERE review_month = ?",
            [month],
            ("marts.activity_coverage",),
        ),
        (
            "register_integrity",
            "Tính toàn vẹn của sổ đăng ký (Điều 2.3)",
            "Register integrity (clause 2.3)",
            "SELECT * FROM marts.register_integrity",
            [],
            ("marts.register_integrity",),
        ),
    ]


class _Writer:
    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self.bold = self.book.add_format({"bold": True, "bg_color": "#EEF2F6"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.stamp = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})

    def cell(self, sheet, row: int, col: int, value: object) -> None:
        if fmt.missing(value):  # None, NaN, NaT, and pandas' NA of nullable columns
            sheet.write_blank(row, col, None)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, float(value))
        elif isinstance(value, dt.datetime | pd.Timestamp):
            sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), self.stamp)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.date)
        else:
            sheet.write_string(row, col, safe_text(str(value)))

    def table(self, name: str, frame: pd.DataFrame) -> None:
        sheet = self.book.add_worksheet(name[:31])
        for col, header in enumerate(frame.columns):
            sheet.write_string(0, col, safe_text(str(header)), self.bold)
            sheet.set_column(col, col, max(10, min(len(str(header)) + 2, 40)))
        for row, values in enumerate(frame.astype(object).itertuples(index=False), start=1):
            for col, value in enumerate(values):
                self.cell(sheet, row, col, value)
        sheet.freeze_panes(1, 0)
        if len(frame.columns):
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def write_tables(con: duckdb.DuckDBPyConnection, month: dt.date, path: Path) -> None:
    """Write the workbook to ``path``: an 'about' sheet with bilingual notes, then the marts."""
    writer = _Writer(path)
    about = writer.book.add_worksheet("about")
    about.set_column(0, 0, 22)
    about.set_column(1, 2, 70)
    for col, text in enumerate(("sheet / trang", "Tiếng Việt", "English")):
        about.write_string(0, col, text, writer.bold)
    about.write_string(1, 0, "month / tháng")
    about.write_string(
        1,
        1,
        f"{month:%m/%Y}. Giá trị là mã như trong kho dữ liệu; không có "
        "thông tin cá nhân của khách hàng.",
    )
    about.write_string(
        1, 2, f"{month:%Y-%m}. Values are the warehouse's codes; no customer personal data."
    )
    row = 2
    for name, note_vi, note_en, sql, params, needs in _sheets(month):
        rows = data.frame(con, sql, params, needs=needs)
        if rows is None:
            continue
        writer.table(name, rows)
        for col, text in enumerate((name, note_vi, note_en)):
            about.write_string(row, col, text)
        row += 1
    writer.book.close()
