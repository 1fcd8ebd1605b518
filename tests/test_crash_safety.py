"""SIGKILL a real load at several points; concurrent loads. The warehouse is always either
before the file or with the whole file, and a re-run ends exactly where an uninterrupted run
does."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from base.warehouse import connect
from tests.shapes import write_rows

pytestmark = pytest.mark.slow
TABLES = {
    "core.complaint_versions": "SELECT * EXCLUDE (load_id, loaded_at) FROM core.complaint_versions"
    " ORDER BY ALL",
    "core.complaints": "SELECT * FROM core.complaints ORDER BY ALL",
    "core.load_log": "SELECT source_sha256, rows_read, rows_loaded, rows_unchanged, rows_rejected"
    " FROM core.load_log ORDER BY ALL",
    "quarantine.rejected_rows": "SELECT * EXCLUDE (load_id, rejected_at) FROM "
    "quarantine.rejected_rows ORDER BY ALL",
    "quarantine.warnings": "SELECT * EXCLUDE (load_id, created_at) FROM quarantine.warnings "
    "ORDER BY ALL",
}


def big_register(path: Path, n: int) -> Path:
    start = dt.datetime(2025, 1, 1, 8, 0)
    rows = [
        {
            "complaint_id": f"B-{i:06d}" if i % 997 else None,
            "received_at": start + dt.timedelta(minutes=7 * i),
            "category": "service",
            "customer_name": f"Khách {i}",
            "description": "Khiếu nại về phí trả trước " * 3,
        }
        for i in range(n)
    ]
    return write_rows(path, rows, "csv_utf8_en")


def stderr(proc: subprocess.Popen[str]) -> str:
    """What a process started by cli() wrote to its stderr (cli() always pipes it)."""
    assert proc.stderr is not None
    return proc.stderr.read()


def cli(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "COMPLAINTS_HOME": str(home),
        "COMPLAINTS_PSEUDONYM_KEY": "crash-test",
        "COMPLAINTS_MAX_REJECTED_SHARE": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def snapshot(home: Path) -> dict:
    path = home / "warehouse.duckdb"
    if not path.exists():
        return {}
    with connect(path, read_only=True) as con:
        names = {
            r[0]
            for r in con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            ).fetchall()
        }
        return {t: con.execute(q).fetchall() for t, q in TABLES.items() if t in names}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of two files, and how long it takes."""
    base = tmp_path_factory.mktemp("crash")
    files = [
        big_register(base / "register_2025-06-30.csv", 30_000),
        big_register(base / "register_2025-07-31.csv", 31_000),
    ]
    home = base / "reference"
    started = time.monotonic()
    for f in files:
        proc = cli(home, "ingest", str(f))
        assert proc.wait(timeout=300) == 0, stderr(proc)
    return files, snapshot(home), time.monotonic() - started


@pytest.mark.parametrize("fraction", [0.15, 0.35, 0.55, 0.75, 0.9])
def test_sigkill_leaves_whole_files_only_and_rerun_converges(fraction, reference, tmp_path):
    files, expected, duration = reference
    home = tmp_path / "home"
    proc = cli(home, "ingest", *map(str, files))
    time.sleep(duration * fraction)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = snapshot(home)
    # Before any file, or with whole files: every loaded file's rows add up, nothing half-done.
    versions = len(partial.get("core.complaint_versions", []))
    loaded = sum(r[2] for r in partial.get("core.load_log", []))
    assert versions == loaded
    for _ in range(2):  # re-running twice must also change nothing
        proc = cli(home, "ingest", *map(str, files))
        assert proc.wait(timeout=300) == 0, stderr(proc)
    assert snapshot(home) == expected


def test_two_ingests_at_once_serialise(reference, tmp_path):
    files, expected, _ = reference
    home = tmp_path / "home"
    first, second = cli(home, "ingest", str(files[0])), cli(home, "ingest", str(files[1]))
    codes = [first.wait(timeout=300), second.wait(timeout=300)]
    errors = stderr(first) + stderr(second)
    assert "Traceback" not in errors
    if codes != [0, 0]:  # the loser must say so clearly, and the warehouse stays usable
        assert "in use by another complaints" in errors or "held the warehouse" in errors
        for f in files:
            assert cli(home, "ingest", str(f)).wait(timeout=300) == 0
    # Loaded in whichever order: the same final tables as the sequential reference (only the
    # split of a file's rows into loaded and unchanged depends on the order).
    got = snapshot(home)
    for state in (got, expected):
        state["core.load_log"] = sorted(
            (r[0], r[1], r[2] + r[3], r[4]) for r in state["core.load_log"]
        )
    assert got == expected
