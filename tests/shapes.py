"""Write register rows in every shape users export: XLSX (datetime cells or Excel serials),
UTF-8 CSV with or without BOM, UTF-16 tab-separated, Windows-1258 `;` with combining marks."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import xlsxwriter

from base.labels import VALUE_LABELS
from pipelines.demo.generator import cp1258  # Excel's Windows-1258, as the demo writes it
from pipelines.ingest.headers import TEMPLATES

SHAPES = [
    "xlsx_vi",
    "xlsx_serial",
    "csv_utf8_en",
    "csv_utf8_bom_vi",
    "csv_utf16_tab_vi",
    "csv_cp1258_vi",
]


def _vi_value(field: str, value: Any) -> Any:
    labels = VALUE_LABELS.get(field)
    return labels.get(value, value) if labels and isinstance(value, str) else value


def _text(value: Any, iso: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat() if iso else value.strftime("%d/%m/%Y %H:%M")
    return str(value)


def excel_serial(value: dt.datetime) -> float:
    return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def write_rows(path: Path, rows: list[dict], shape: str, kind: str = "register") -> Path:
    """Write ``rows`` (canonical field -> value) as ``shape``; returns the path."""
    fields = list(TEMPLATES[kind])
    vietnamese = not shape.endswith("_en")
    headers = [TEMPLATES[kind][f] if vietnamese else f for f in fields]
    values = [[_vi_value(f, r.get(f)) if vietnamese else r.get(f) for f in fields] for r in rows]
    if shape.startswith("xlsx"):
        return _write_xlsx(path, headers, values, serial=shape == "xlsx_serial")
    iso = not vietnamese
    sep = "\t" if "tab" in shape else (";" if "cp1258" in shape else ",")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_text(v, iso) for v in row] for row in values])
    text = buf.getvalue()
    if "cp1258" in shape:
        data = cp1258(text)
    elif "utf16" in shape:
        data = text.encode("utf-16")
    elif "bom" in shape:
        data = text.encode("utf-8-sig")
    else:
        data = text.encode("utf-8")
    path.write_bytes(data)
    return path


def _write_xlsx(path: Path, headers: list[str], values: list[list], serial: bool) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sổ đăng ký")
    date_format = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, headers)
    for i, row in enumerate(values, start=1):
        for j, v in enumerate(row):
            if isinstance(v, dt.datetime):
                if serial:
                    sheet.write_number(i, j, excel_serial(v))
                else:
                    sheet.write_datetime(i, j, v, date_format)
            elif v is not None:
                sheet.write_string(i, j, str(v))
    book.close()
    return path
