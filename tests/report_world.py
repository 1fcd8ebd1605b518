"""A small register with planted patterns and hostile text, ingested from files and built, for the
report tests (real ingest, real marts; nothing mocked)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pytest

from base.settings import Settings
from base.warehouse import connect
from pipelines.build_params import write_build_params
from pipelines.calendar import write_calendar
from pipelines.ingest.batch import ingest
from pipelines.models import build_model, mart_models
from tests.shapes import write_rows

AS_OF = "2026-03-31"
MONTH = dt.date(2026, 3, 1)
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
# Values given in the input that must never appear in any output.
PERSONAL = [
    "Phạm Thị Bímật",
    "0987654321",
    "bimat.rieng@example.vn",
    "079123456789",
    "HD-SECRET-7781",
    "KH-SECRET-0042",
    "Trần Văn Nhânviên",
]
TEAMS = ["thu_hoi_no", "cham_soc", SCRIPT]
STAFF = [f"NV{i:03d}" for i in range(1, 13)]
PARTNERS = [
    ("DT01", "Công ty Thu hồi nợ An Bình", "debt_collection"),
    ("DT02", FORMULA, "call_centre"),
    ("DT03", "Tổng đài Sao Mai", "call_centre"),
]
PLANTED = "NV001"  # many substantiated conduct complaints in the last three months
MONTHS = [dt.date(2025 + (m // 12), m % 12 + 1, 1) for m in range(2, 15)]  # 2025-03 .. 2026-03


def _staff_rows() -> list[dict]:
    return [
        {
            "employee_id": e,
            "name": f"Trần Văn Nhânviên {i}",
            "team": TEAMS[i % 3],
            "role": "agent",
            "start_date": "2024-01-01",
        }
        for i, e in enumerate(STAFF)
    ]


def _partner_rows() -> list[dict]:
    return [
        {"partner_id": p, "name": n, "partner_type": k, "start_date": "2024-01-01"}
        for p, n, k in PARTNERS
    ]


def _activity_rows() -> list[dict]:
    rows = [
        {"month": m.isoformat(), "employee_id": e, "interactions": 900 + 10 * i}
        for m in MONTHS
        for i, e in enumerate(STAFF)
    ]
    rows += [
        {"month": m.isoformat(), "partner_id": p, "interactions": 2000}
        for m in MONTHS
        for p, _, _ in PARTNERS
    ]
    return rows


def _complaint(rng: random.Random, n: int, month: dt.date, planted: bool) -> dict:
    received = dt.datetime.combine(month, dt.time(9)) + dt.timedelta(
        days=rng.randrange(0, 27), minutes=rng.randrange(0, 480)
    )
    conduct = planted or rng.random() < 0.5
    row = {
        "complaint_id": f"KN{n:05d}",
        "received_at": received,
        "channel": rng.choice(["email", "phone", "app"]),
        "customer_id": PERSONAL[5],
        "customer_name": PERSONAL[0],
        "customer_phone": PERSONAL[1],
        "customer_email": PERSONAL[2],
        "customer_national_id": PERSONAL[3],
        "contract_id": PERSONAL[4],
        "category": "staff_conduct" if conduct else rng.choice(["service", "process"]),
        "handler_id": rng.choice(["XL01", "XL02", "XL03"]),
        "description": f"{SCRIPT} {FORMULA} khách {PERSONAL[0]} gọi {PERSONAL[1]}",
        "resolution_summary": f"{SCRIPT} đã xử lý",
    }
    if conduct:
        row["employee_id"] = PLANTED if planted else rng.choice(STAFF)
        row["subcategory"] = (
            "threat" if planted else rng.choice(["abuse", "unreasonable", "excessive_contact"])
        )
    elif rng.random() < 0.4:
        row["partner_id"] = rng.choice([p for p, _, _ in PARTNERS])
        row["category"] = "partner_conduct"
        row["subcategory"] = "third_party_contact"
    answered = received + dt.timedelta(days=rng.choice([1, 2, 3, 5, 8, 12]))
    if answered.date() < dt.date.fromisoformat(AS_OF) and rng.random() < 0.92:
        row["first_response_at"] = answered
        resolved = answered + dt.timedelta(days=2)
        row["resolved_at"] = resolved
        row["status"] = "resolved"
        row["outcome"] = (
            "upheld"
            if planted
            else rng.choice(["upheld", "not_upheld", "not_upheld", "withdrawn", "partially_upheld"])
        )
        if rng.random() < 0.15:
            row["review_requested_at"] = resolved + dt.timedelta(days=3)
            row["review_outcome"] = rng.choice(["changed", "unchanged"])
    else:
        row["status"] = "in_progress"
        row["outcome"] = "pending"
    return row


def register_rows(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows, n = [], 0
    for month in MONTHS:
        volume = 45 if month == MONTHS[-2] else (22 if month == MONTHS[-1] else 30)
        for _ in range(volume):
            n += 1
            rows.append(_complaint(rng, n, month, planted=False))
        for _ in range(3 if month >= MONTHS[-3] else 0):
            n += 1
            rows.append(_complaint(rng, n, month, planted=True))
    return rows


def build_world(home: Path) -> Settings:
    """Write the export files, ingest them with the real loader, build every mart."""
    home.mkdir(parents=True, exist_ok=True)
    settings = Settings(home=home, pseudonym_key="test-key-not-secret")
    exports = home / "exports"
    exports.mkdir(exist_ok=True)
    files = [
        (write_rows(exports / "staff.csv", _staff_rows(), "csv_utf8_en", "staff"), "staff"),
        (
            write_rows(exports / "partners.csv", _partner_rows(), "csv_utf8_en", "partners"),
            "partners",
        ),
        (
            write_rows(exports / "activity.csv", _activity_rows(), "csv_utf8_en", "activity"),
            "activity",
        ),
        (write_rows(exports / "register.xlsx", register_rows(), "xlsx_vi"), "register"),
    ]
    with connect(settings.warehouse_path) as con:
        for path, kind in files:
            outcome = ingest(con, settings, [str(path)], kind, exported_at=AS_OF)
            assert not outcome.errors, outcome.errors
        build(con, settings)
    return settings


def build(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    write_build_params(con, settings, AS_OF)
    write_calendar(con, settings)
    for table in mart_models():
        build_model(con, table)


_BUILT: dict[str, Settings] = {}


def report_home_once(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The small world, built once per session, with its month's reports in both languages and
    the planted employee's dossier."""
    from reports.publish import write_hr_dossier, write_month_reports

    if "settings" in _BUILT:
        return _BUILT["settings"]
    settings = _BUILT["settings"] = build_world(tmp_path_factory.mktemp("reports") / "home")
    with connect(settings.warehouse_path) as con:
        for lang in ("vi", "en"):
            write_month_reports(con, settings, MONTH, lang)
        write_hr_dossier(con, settings, PLANTED, MONTH, "hr.lead", f"kỷ luật? {SCRIPT}", "vi")
    return settings
