"""Disk errors and where the pipeline writes (issue "Nothing lost").

A full disk is simulated for real: the CLI runs in a subprocess whose file-size limit
(RLIMIT_FSIZE) stops the warehouse from growing, so DuckDB's writes fail with EFBIG the way
they fail with ENOSPC on a full disk (a limit also binds root, unlike file permissions).
"""

from __future__ import annotations

import resource
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import complaint, run_cli
from tests.shapes import write_rows

CORE_TABLES = [
    "core.complaint_versions",
    "core.complaints",
    "core.load_log",
    "quarantine.rejected_rows",
    "quarantine.warnings",
]


def cli(
    home: Path,
    *args: str,
    cwd: Path | None = None,
    max_file_bytes: int | None = None,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    def limit() -> None:
        if max_file_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, not the process
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return run_cli(home, *args, env=env, cwd=cwd, preexec_fn=limit)


def snapshot(path: Path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in CORE_TABLES}


def rows(n: int, start: int = 0) -> list[dict]:
    return [
        complaint(
            f"KN{i:06d}",
            f"2026-03-{1 + i % 28:02d} 09:30",
            description="Nhân viên gọi điện nhiều lần " * 20,
        )
        for i in range(start, start + n)
    ]


def test_a_full_disk_fails_in_one_line_and_leaves_the_warehouse_as_it_was(tmp_path):
    home = tmp_path / "home"
    first = write_rows(tmp_path / "register_2026-03-31.csv", rows(50), "csv_utf8_en")
    assert cli(home, "ingest", str(first)).returncode == 0
    warehouse = home / "warehouse.duckdb"
    before = snapshot(warehouse)

    big = write_rows(tmp_path / "register_2026-04-30.csv", rows(20_000), "csv_utf8_en")
    result = cli(home, "ingest", str(big), max_file_bytes=warehouse.stat().st_size + 64_000)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "warehouse" in errors[0] and "disk" in errors[0], errors[0]
    assert snapshot(warehouse) == before  # nothing of the failed file, the first one intact

    assert cli(home, "ingest", str(big)).returncode == 0  # space back: the same load completes
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.complaints").fetchall() == [(20_000,)]


@pytest.mark.slow
def test_everything_written_stays_under_the_home(tmp_path):
    home, cwd, system_tmp = tmp_path / "home", tmp_path / "cwd", tmp_path / "system-tmp"
    cwd.mkdir()
    system_tmp.mkdir()
    # Windows-1258 forces a transcoded copy, the kind of scratch file that could leak.
    export = write_rows(tmp_path / "register_2026-03-31.csv", rows(30), "csv_cp1258_vi")
    env = {"TMPDIR": str(system_tmp)}
    for args in (["ingest", str(export)], ["validate", str(export)], ["build"]):
        result = cli(home, *args, cwd=cwd, env=env)
        assert result.returncode == 0, result.stderr
    assert list(cwd.iterdir()) == [] and list(system_tmp.iterdir()) == []
    assert not list((home / "tmp").glob("transcode-*"))  # the copy is gone once read
