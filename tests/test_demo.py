"""The demo register: deterministic, every export shape, honest snapshot accounting, no personal
data downstream, the planted patterns found, and `complaints demo` end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from base.warehouse import connect, scalar
from pipelines.demo.generator import (
    EXTENSIONS,
    HANDLERS,
    PLANTED,
    SHAPES,
    generate_demo,
    generate_register_frame,
    register_lifecycle,
)
from pipelines.ingest.headers import TEMPLATES
from tests.conftest import HR_REQUESTERS, REPO
from tests.test_privacy import all_text

REVIEW_MONTH = "2026-10-01"


def manifest_of(home: Path) -> dict:
    return json.loads((home / "demo_exports" / "manifest.json").read_text(encoding="utf-8"))


def test_register_frame_is_deterministic_per_seed():
    a = generate_register_frame(3_000, 5, "2025-01-01", "2025-12-31")
    b = generate_register_frame(3_000, 5, "2025-01-01", "2025-12-31")
    c = generate_register_frame(3_000, 6, "2025-01-01", "2025-12-31")
    pd.testing.assert_frame_equal(a, b)
    assert not a["received_at"].equals(c["received_at"])


def test_demo_files_are_deterministic(demo_home, tmp_path):
    again = generate_demo(tmp_path / "again")
    first = manifest_of(demo_home)
    assert again == first
    for entry in first["files"]["register"]:
        if entry["shape"].startswith("csv"):  # xlsx files carry their creation time
            name = entry["file"]
            assert (tmp_path / "again" / name).read_bytes() == (
                demo_home / "demo_exports" / name
            ).read_bytes(), name


def test_manifest_matches_files_and_every_shape_is_present(demo_home):
    manifest = manifest_of(demo_home)
    out = demo_home / "demo_exports"
    snapshots = manifest["files"]["register"]
    assert len(snapshots) == 26
    assert {s["shape"] for s in snapshots} == set(SHAPES)
    for s in snapshots:
        path = out / s["file"]
        assert path.exists() and path.suffix == "." + EXTENSIONS[s["shape"]]
        assert s["file"] == f"register_{s['exported_at'][:10]}.{EXTENSIONS[s['shape']]}"
    heads = {s["shape"]: (out / s["file"]).read_bytes()[:4] for s in snapshots}
    assert heads["xlsx_vi"].startswith(b"PK")
    assert heads["csv_utf16_tab_vi"][:2] in (b"\xff\xfe", b"\xfe\xff")
    assert heads["csv_utf8_bom_en"].startswith(b"\xef\xbb\xbf")
    cp = next(out / s["file"] for s in snapshots if s["shape"] == "csv_cp1258_vi")
    text = cp.read_bytes().decode("cp1258")
    assert "\u0301" in text or "\u0323" in text  # tones stored as combining marks, like Excel
    rows = [s["rows"] for s in snapshots]
    assert all(b >= a - 1 for a, b in zip(rows, rows[1:], strict=False))  # one complaint vanishes
    for s in snapshots[-4:]:  # one of each shape: the files hold the rows the manifest says
        assert len(_read(out / s["file"], s["shape"])) == s["rows"], s["file"]
    assert 6_000 < manifest["complaints"] < 10_000
    staff = pd.read_excel(out / manifest["files"]["staff"], dtype=str)
    ids = set(staff[TEMPLATES["staff"]["employee_id"]])
    for pattern, subject in manifest["planted"].items():
        if subject.startswith("NV"):
            assert subject in ids, pattern
    teams = staff[TEMPLATES["staff"]["team"]].value_counts()
    assert teams["collections"] == 60 and teams["complaints"] == 8


def _read(path: Path, shape: str) -> pd.DataFrame:
    if shape.startswith("xlsx"):
        return pd.read_excel(path, dtype=str)
    encoding = {"csv_cp1258_vi": "cp1258", "csv_utf16_tab_vi": "utf-16"}.get(shape, "utf-8-sig")
    sep = {"csv_cp1258_vi": ";", "csv_utf16_tab_vi": "\t"}.get(shape, ",")
    return pd.read_csv(path, dtype=str, encoding=encoding, sep=sep)


def test_disbursement_staff_have_no_activity(demo_home):
    manifest = manifest_of(demo_home)
    out = demo_home / "demo_exports"
    staff = pd.read_excel(out / manifest["files"]["staff"], dtype=str)
    team = dict(
        zip(
            staff[TEMPLATES["staff"]["employee_id"]], staff[TEMPLATES["staff"]["team"]], strict=True
        )
    )
    activity = pd.read_csv(out / manifest["files"]["activity"], dtype=str)
    teams = set(activity["employee_id"].dropna().map(team))
    assert teams == {"collections", "customer_service", "telesales"}
    assert activity["partner_id"].dropna().nunique() == 12


def test_snapshot_accounting(demo_settings):
    with connect(demo_settings.warehouse_path, read_only=True) as con:
        rows = con.execute("""SELECT kind, source_file, rows_read, rows_loaded, rows_unchanged,
            rows_rejected FROM core.load_log WHERE status = 'loaded'""").fetchall()
        warned = dict(
            con.execute("""SELECT rule, count(*) FROM quarantine.warnings
            WHERE kind = 'register' GROUP BY rule""").fetchall()
        )
    registers = [r for r in rows if r[0] == "register"]
    assert len(registers) == 2
    for kind, source, read, loaded, unchanged, rejected in rows:
        assert read == loaded + unchanged + rejected, source
        if kind == "register":
            assert rejected / read < 0.01, source
    assert sum(r[5] for r in registers) > 0  # the September snapshot has a few bad rows
    assert warned.get("register_edited", 0) >= 1 and warned.get("missing_from_export", 0) == 1


def _personal_values(home: Path) -> list[str]:
    values = manifest_of(home)["personal_values"]
    assert len(values) >= 30
    return values


def test_personal_values_never_in_the_warehouse(demo_settings, demo_home):
    text = all_text(demo_settings.warehouse_path)
    raw = b"".join(p.read_bytes() for p in demo_settings.home.glob("warehouse.duckdb*"))
    for value in _personal_values(demo_home):
        assert value not in text, value
        assert value.encode() not in raw, value


def test_free_text_is_stored_masked_and_as_given(demo_settings, demo_home):
    anomalies = manifest_of(demo_home)["anomalies"]
    with connect(demo_settings.warehouse_path, read_only=True) as con:
        script = scalar(
            con,
            f"SELECT description FROM core.complaints WHERE complaint_id = '{anomalies['script']}'",
        )
        masked = scalar(
            con,
            "SELECT count(*) FROM core.complaints WHERE description "
            "LIKE '%[tên]%' AND description LIKE '%[sđt]%'",
        )
    assert script.startswith("<script>alert(1)</script>")  # escaping is the reports' job
    assert masked > 50


def test_register_frame_is_vectorised_at_scale():
    frame = generate_register_frame(100_000, 11, "2024-01-01", "2026-09-30")
    assert list(frame.columns) == list(TEMPLATES["register"])
    assert len(frame) == 100_000 and frame["complaint_id"].is_unique
    assert frame["received_at"].between("2024-01-01", "2026-10-01").all()
    answered = frame["first_response_at"].notna()
    assert (frame.loc[answered, "first_response_at"] >= frame.loc[answered, "received_at"]).all()
    assert ((frame["outcome"] == "pending") == frame["resolved_at"].isna()).all()
    conduct = frame["category"] == "staff_conduct"
    assert frame.loc[conduct, "employee_id"].notna().all()
    assert frame.loc[~conduct, "employee_id"].isna().all()


def test_lifecycle_meets_the_answer_rule_mostly():
    """~94% are answered within 6 working days; the planted handler breaches far more often."""
    from pipelines.calendar import build_calendar

    life = register_lifecycle(20_000, 3, "2025-01-01", "2026-06-30")
    cal = build_calendar(pd.Timestamp("2024-12-01").date(), pd.Timestamp("2027-12-31").date())
    number = pd.Series(
        cal["working_day_number"].to_numpy(), index=pd.to_datetime(cal["date"].astype(str))
    )
    days = (
        number.reindex(life["first_response_at"].dt.normalize()).to_numpy()
        - number.reindex(life["received_at"].dt.normalize()).to_numpy()
    )
    late = pd.Series(days > 7)
    slow = life["handler_id"] == HANDLERS.index(PLANTED["handler_sla"])
    assert 0.03 < late[~slow].mean() < 0.09
    assert 0.18 < late[slow].mean() < 0.32


def test_planted_patterns_are_found(demo_settings, demo_home):
    manifest = manifest_of(demo_home)
    with connect(demo_settings.warehouse_path, read_only=True) as con:
        flags = con.execute(
            """SELECT rule, subject_id, severity, complaint_ids
            FROM marts.pattern_flags WHERE review_month = ?""",
            [REVIEW_MONTH],
        ).fetchall()
        # the busy-but-normal agent carries no rate-based flag at any level in any month
        busy = con.execute(
            """SELECT review_month, rule, severity FROM marts.pattern_flags
            WHERE subject_id = ? AND rule IN ('outlier_rate', 'persistent', 'rising_trend')""",
            [manifest["planted"]["high_volume_normal"]],
        ).fetchall()
    assert busy == []
    found = {(rule, subject): ids for rule, subject, _, ids in flags}
    severity = {(rule, subject): level for rule, subject, level, _ in flags}
    # the planted persistent offender survives the false-discovery control over the month
    assert severity.get(("persistent", manifest["planted"]["persistent"])) == "high"
    for pattern, subject in manifest["planted"].items():
        if pattern == "high_volume_normal":
            assert ("outlier_rate", subject) not in found
            continue
        assert (pattern, subject) in found, f"{pattern} {subject} not flagged"
    for pattern, ids in manifest["planted_complaints"].items():
        if pattern in ("persistent", "serious_conduct"):
            flagged = set(found[(pattern, manifest["planted"][pattern])] or [])
            assert set(ids) <= flagged, pattern


@pytest.mark.slow
def test_complaints_demo_end_to_end(tmp_path, demo_home):
    home = tmp_path / "home"
    home.mkdir()
    # The same seed's exports are reused, as a second `make demo` would.
    shutil.copytree(demo_home / "demo_exports", home / "demo_exports")
    env = {
        **os.environ,
        "COMPLAINTS_HOME": str(home),
        "COMPLAINTS_PSEUDONYM_KEY": "e2e-key",
        # the demo's HR dossier is a request like any other: this account may make it
        "COMPLAINTS_PRIVACY__HR_REQUESTERS": HR_REQUESTERS,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    paths = {}
    for prefix in (
        "Warehouse:",
        "Data Docs:",
        "Report:",
        "HR dossier (restricted, audited):",
        "Demo exports:",
    ):
        found = [
            line.split(":", 1)[1].strip()
            if prefix != "HR dossier (restricted, audited):"
            else line[len(prefix) :].strip()
            for line in lines
            if line.startswith(prefix)
        ]
        assert found, f"no '{prefix}' line in:\n{proc.stdout}"
        for path in found:
            assert Path(path).exists(), path
        paths[prefix] = found
    reports = paths["Report:"]
    assert any(p.endswith(".html") for p in reports)
    outputs = [Path(p) for p in reports + paths["HR dossier (restricted, audited):"]]
    texts = {path: _report_text(path) for path in outputs}
    for value in _personal_values(home):
        for output, text in texts.items():
            assert value not in text, (value, output)


def _report_text(path: Path) -> str:
    """An HTML report's text, or every XML part of a workbook."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return path.read_text(encoding="utf-8")


def test_missing_values_are_blank_cells_in_the_workbook(demo_settings, tmp_path):
    # The demo's disbursement team has no activity data: its exposure is pandas' NA.
    import openpyxl

    from reports.xlsx import write_tables

    path = tmp_path / "tables.xlsx"
    with connect(demo_settings.warehouse_path, read_only=True) as con:
        write_tables(con, dt.date(2026, 10, 1), path, "vi")
    book = openpyxl.load_workbook(path)
    shown = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert not shown & {"<NA>", "nan", "NaN", "NaT", "None"}
