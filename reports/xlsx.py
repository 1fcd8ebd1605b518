"""tables.xlsx (Vietnamese) and tables.en.xlsx (English): the month's marts for analysts, one
sheet each, in the reader's words: sheet names and headers translated (reports/xlsx_words.py),
every code as its label, shares as percentages and months and dates in the language's format,
and a first sheet saying what each sheet holds.

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
from xlsxwriter.worksheet import Worksheet

from reports import data, fmt
from reports.i18n import field_words, label, peer_label
from reports.quality import explanation
from reports.xlsx_words import CODED, COLUMNS, MONTHS, PERCENT, SHEETS, SMALL

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS) else value


def _sheets(month: dt.date) -> list[tuple[str, str, str, str, list, tuple[str, ...]]]:
    """(sheet, Vietnamese note, English note, SQL, params, tables needed)."""
    year_ago = data.add_months(month, -11)
    return [
        (
            "sla_monthly",
            "Thời hạn phản hồi theo tháng tiếp nhận, 12 tháng (Điều 5.1); số đang mở tính đến "
            "ngày dữ liệu (khác chỉ số 'đang mở cuối kỳ', là tồn đọng tại cuối tháng)",
            "Response times by month of receipt, 12 months (clause 5.1); the open columns are as "
            "of the data date (unlike the 'open at period end' tile, the backlog at month end)",
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
            "complaints_return",
            "Tiếp nhận, đã đóng theo kết quả và thời gian giải quyết theo tháng, 12 tháng (Điều "
            "2.3, 5.1); các cột thời gian cộng lại bằng số đã đóng",
            "Received, closed by outcome and by time to resolution, by month, 12 months (clauses "
            "2.3, 5.1); the time columns add up to closed",
            "SELECT * FROM marts.complaints_return WHERE month BETWEEN ? AND ? ORDER BY month",
            [year_ago, month],
            ("marts.complaints_return",),
        ),
        (
            "backlog_ageing",
            "Khiếu nại đang mở (chưa phản hồi) theo tuổi, tại ngày dữ liệu",
            "Open complaints (not yet answered) by age, as of the data date",
            "SELECT as_of, band, complaints AS open_complaints FROM marts.backlog_ageing "
            "ORDER BY band_order",
            [],
            ("marts.backlog_ageing",),
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


DATE_FORMATS = {  # (month, date, timestamp) number formats per language
    "vi": ("mm/yyyy", "dd/mm/yyyy", "dd/mm/yyyy hh:mm"),
    "en": ("yyyy-mm", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"),
}


class _Writer:
    def __init__(self, path: Path, lang: str) -> None:
        self.lang = lang
        month, date, stamp = DATE_FORMATS[lang]
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
                "default_date_format": date,
            },
        )
        self.bold = self.book.add_format({"bold": True, "bg_color": "#EEF2F6", "text_wrap": True})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {
            "month": self.book.add_format({"num_format": month}),
            "date": self.book.add_format({"num_format": date}),
            "stamp": self.book.add_format({"num_format": stamp}),
            "pct": self.book.add_format({"num_format": "0.0%"}),
            "small": self.book.add_format({"num_format": "0.000000"}),
            "decimal": self.book.add_format({"num_format": "#,##0.00"}),
            "int": self.book.add_format({"num_format": "#,##0"}),
        }

    def cell(self, sheet: Worksheet, row: int, col: int, value: object, column: str) -> None:
        f = self.formats
        if fmt.missing(value):  # None, NaN, NaT, and pandas' NA of nullable columns
            sheet.write_blank(row, col, None)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if column in PERCENT:
                style = f["pct"]
            elif column in SMALL:
                style = f["small"]
            elif float(value).is_integer():
                style = f["int"]
            else:
                style = f["decimal"]
            sheet.write_number(row, col, float(value), style)
        elif isinstance(value, dt.datetime | pd.Timestamp):
            stamp = pd.Timestamp(value).to_pydatetime()
            style = f["month"] if column in MONTHS else f["stamp"]
            sheet.write_datetime(row, col, stamp, style)
        elif isinstance(value, dt.date):
            style = f["month"] if column in MONTHS else f["date"]
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), style)
        else:
            sheet.write_string(row, col, safe_text(str(value)))

    def table(self, name: str, frame: pd.DataFrame) -> str:
        title = SHEETS[name][1 if self.lang == "en" else 0][:31]
        sheet = self.book.add_worksheet(title)
        sheet.set_row(0, 32)
        for col, column in enumerate(frame.columns):
            header = header_text(str(column), self.lang)
            sheet.write_string(0, col, safe_text(header), self.bold)
            sheet.set_column(col, col, max(10, min(len(header) * 0.6 + 4, 40)))
        for row, values in enumerate(frame.astype(object).itertuples(index=False), start=1):
            for col, value in enumerate(values):
                self.cell(sheet, row, col, value, str(frame.columns[col]))
        sheet.freeze_panes(1, 1)
        if len(frame.columns):
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
        return title


def header_text(column: str, lang: str) -> str:
    """A column's header in ``lang``; a column without one reads as words, never as a code."""
    known = COLUMNS.get(column)
    if known:
        return known[1 if lang == "en" else 0]
    return column.replace("_", " ").capitalize()


def in_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sheet's codes as labels: coded columns, peer groups (by subject type), a breakdown's
    values (by dimension), one language's explanation or detail, lists as text."""
    frame = frame.copy()
    if "explanation_vi" in frame.columns:
        frame["explanation"] = [explanation(r, lang) for r in frame.to_dict("records")]
        frame = frame.drop(columns=["explanation_vi", "explanation_en"])
    if "detail_vi" in frame.columns:
        frame["detail"] = [field_words(v, lang) for v in frame[f"detail_{lang}"]]
        frame = frame.drop(columns=["detail_vi", "detail_en"])
    if "peer_group" in frame.columns:
        kinds = (
            frame["subject_type"] if "subject_type" in frame.columns else ["employee"] * len(frame)
        )
        frame["peer_group"] = [
            peer_label(k, g, lang) for k, g in zip(kinds, frame["peer_group"], strict=True)
        ]
    if "dimension_value" in frame.columns:
        fields = {"category": "category", "channel": "channel", "handler_team": "team"}
        frame["dimension_value"] = [
            label(fields[d], v, lang) if d in fields else v
            for d, v in zip(frame["dimension"], frame["dimension_value"], strict=True)
        ]
    for column, field in CODED.items():
        if column in frame.columns:
            frame[column] = [
                None if fmt.missing(v) else label(field, v, lang) for v in frame[column]
            ]
    if "missing_months" in frame.columns:
        frame["missing_months"] = [
            ", ".join(map(str, v)) if isinstance(v, list | tuple) or hasattr(v, "tolist") else v
            for v in frame["missing_months"]
        ]
    return frame


ABOUT = {
    "vi": (
        ("Trang", "Nội dung"),
        "Tháng {month}. Mỗi trang là một bảng dữ liệu của tháng; các mã đã được ghi bằng lời, "
        "tỷ lệ ở dạng phần trăm, tháng dạng mm/yyyy, ngày dạng dd/mm/yyyy. Không có thông tin "
        "cá nhân của khách hàng; nhân viên chỉ được nêu bằng mã. Bản tiếng Anh: tables.en.xlsx.",
    ),
    "en": (
        ("Sheet", "What it holds"),
        "Month {month}. Each sheet is one of the month's tables; codes are written as words, "
        "shares as percentages, months as yyyy-mm and dates as yyyy-mm-dd. No customer personal "
        "data; staff appear by code only. Vietnamese version: tables.xlsx.",
    ),
}


def write_tables(con: duckdb.DuckDBPyConnection, month: dt.date, path: Path, lang: str) -> None:
    """Write the workbook in ``lang`` to ``path``: a first sheet saying what each sheet holds,
    then the marts in words."""
    writer = _Writer(path, lang)
    about = writer.book.add_worksheet(SHEETS["about"][1 if lang == "en" else 0])
    about.set_column(0, 0, 32)
    about.set_column(1, 1, 100)
    headers, intro = ABOUT[lang]
    for col, text in enumerate(headers):
        about.write_string(0, col, text, writer.bold)
    about.write_string(1, 0, fmt.month(month, lang))
    about.write_string(1, 1, intro.format(month=fmt.month(month, lang)), writer.wrap)
    row = 2
    for name, note_vi, note_en, sql, params, needs in _sheets(month):
        rows = data.frame(con, sql, params, needs=needs)
        if rows is None:
            continue
        title = writer.table(name, in_words(rows, lang))
        about.write_string(row, 0, title)
        about.write_string(row, 1, note_en if lang == "en" else note_vi, writer.wrap)
        row += 1
    writer.book.close()
