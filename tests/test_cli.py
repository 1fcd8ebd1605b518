"""The command line in-process (typer's CliRunner) over the API of pipelines.runs: options are
parsed into enums, every error a person can act on is one `error:` line and exit code 2, results
come back typed, and progress shows on a terminal only. Real Dagster runs on a temporary home;
one subprocess on a real pseudo-terminal, because only a real process has a tty."""

from __future__ import annotations

import datetime as dt
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from pipelines import runs
from pipelines.cli import app
from pipelines.definitions import defs
from pipelines.ingest import batch
from tests.conftest import REPO, complaint
from tests.shapes import write_rows


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def error_lines(result: Result) -> list[str]:
    assert "Traceback" not in result.stderr + result.stdout
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "--lang", "fr"], "'fr' is not one of 'vi', 'en'"),
        (["ingest", "x.csv", "--kind", "customers"], "'customers' is not one of 'register'"),
        (["ingest", "x.csv", "--scope", "some"], "'some' is not one of 'full', 'delta'"),
        (["report", "--month", "2026-13"], "'2026-13' does not match the format"),
        # HR options left `report`: the dossier is its own command
        (["report", "--audience", "hr"], "No such option: --audience"),
        (["hr-dossier", "--employee", "NV1", "--requested-by", "Lan"], "Missing option '--reason'"),
        (["ingest"], "Missing argument 'paths'"),
    ],
)
def test_option_errors_are_one_line_and_exit_2(home, args, expected):
    result = invoke(*args)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.startswith("error: ") and expected in line


def test_report_before_any_build_says_what_to_run(home):
    result = invoke("report")
    assert result.exit_code == 2
    assert error_lines(result) == ["error: nothing built yet: run `complaints build` first"]


def test_hr_dossier_refuses_a_blank_reason_before_any_run(home, settings):
    result = invoke(
        "hr-dossier",
        "--employee",
        "NV1",
        "--requested-by",
        "Lan",
        "--reason",
        " ",
        "--month",
        "2026-01",
    )
    assert result.exit_code == 2
    assert error_lines(result) == ["error: the HR dossier needs reason (every request is audited)"]
    assert not settings.dagster_home.exists()  # refused before Dagster was started


def test_a_refused_file_is_one_line_in_process(tmp_path, home):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,price\nphở,45000\n", encoding="utf-8")
    result = invoke("ingest", str(bad))
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"error: {bad}: missing required columns complaint_id (Mã khiếu nại), "
        "received_at (Thời gian tiếp nhận); nothing was loaded"
    ]


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_a_date_not_written_yyyy_mm_dd_is_refused_in_the_option_s_own_words(
    tmp_path, home, command
):
    # 15/08 could be read, 01/02 could not be told from 2 January: such dates are all refused.
    path = str(_register(tmp_path))
    if command == "ingest":
        result = invoke("ingest", path, "--exported-at", "31/01/2026")
        expected = "error: --exported-at: '31/01/2026' is not a date (YYYY-MM-DD)"
    else:
        assert invoke("ingest", path).exit_code == 0
        result = invoke("build", "--as-of", "15/08/2026")
        expected = "error: --as-of: '15/08/2026' is not a date (YYYY-MM-DD)"
    assert result.exit_code == 2
    assert error_lines(result) == [expected]


def _register(tmp_path):
    # K2 answered before it was received: rejected; K1 loads.
    return write_rows(
        tmp_path / "register_2026-01-31.csv",
        [
            complaint("K1", "2026-01-05 09:00", first_response_at="2026-01-06 09:00"),
            complaint("K2", "2026-01-07 09:00", first_response_at="2026-01-04 09:00"),
        ],
        "csv_utf8_en",
    )


def test_ingest_build_report_through_the_cli_without_a_terminal_print_no_progress(tmp_path, home):
    path = _register(tmp_path)
    result = invoke("ingest", str(path), "--exported-at", "2026-01-31")
    assert result.exit_code == 0, result.stderr
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("✓ register_2026-01-31")]
    # --exported-at as a day: the end of that day
    assert line.endswith(
        ", exported 2026-01-31 23:59]: read 2, loaded 1, unchanged 0, rejected 1, warned 0"
    )
    result = invoke("build")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("✓ built ") and " as of 2026-01-31: " in result.stdout
    result = invoke("report", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert f"Report: {home / 'reports' / '2026-01' / 'management.en.html'}" in result.stdout
    # CliRunner's streams are not a terminal: no progress lines at all
    assert "stage " not in result.stderr and "Loading" not in result.stderr


def test_the_api_returns_typed_results_and_reports_progress_on_request(tmp_path, home):
    lines: list[str] = []
    loaded = runs.ingest(
        [_register(tmp_path)], runs.Kind.register, "2026-01-31", progress=lines.append
    )
    assert [(f.rows_read, f.rows_loaded, f.rows_rejected) for f in loaded.files] == [(2, 1, 1)]
    # 1 rejected of 2 checked is over the 5% share but under the minimum count: a warning
    assert loaded.problems == [] and len(loaded.warnings) == 1
    assert lines[:2] == ["Loading 1 file(s) as register…", "stage ingest_exports…"]
    lines.clear()
    built = runs.raise_for_problems(runs.build(progress=lines.append))
    assert built.as_of == "2026-01-31"
    assert {"core/build_params", "core/calendar", "marts/complaint_sla"} <= set(built.tables)
    assert {
        "stage core.build_params…",
        "stage core.calendar…",
        "stage marts…",
        "  marts.complaint_sla: 1 rows",
    } <= set(lines)  # one complaint loaded: one row
    quiet = runs.report(dt.date(2026, 1, 15))  # no progress asked: none made
    assert quiet.month == dt.date(2026, 1, 1) and quiet.problems == []
    assert sorted(p.name for p in quiet.files) == [
        "management.html",
        "plotly.min.js",
        "quality.html",
        "tables.xlsx",
    ]
    assert all(p.exists() for p in quiet.files)


@pytest.mark.parametrize("command", ["ingest", "validate"])
def test_each_file_s_line_shows_before_the_next_file_is_read(tmp_path, home, monkeypatch, command):
    """A batch can take minutes: each file's outcome, or its refusal, reaches the progress
    function as soon as that file is done, in the ingest job and in the dry run alike."""
    events: list[str] = []
    read = batch.load_file

    def load_file(con, path, *args, **kwargs):  # marks when each file starts being read
        events.append(f"<read {path.name}>")
        return read(con, path, *args, **kwargs)

    monkeypatch.setattr(batch, "load_file", load_file)
    first = _register(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,price\nphở,45000\n", encoding="utf-8")
    second = write_rows(
        tmp_path / "register_2026-02-28.csv", [complaint("K3", "2026-02-05 09:00")], "csv_utf8_en"
    )
    getattr(runs, command)([first, bad, second], runs.Kind.register, progress=events.append)
    lines = [e.strip() for e in events]
    status, verb = ("dry run", "would load") if command == "validate" else ("loaded", "loaded")
    order = [
        "<read register_2026-01-31.csv>",
        f"{first}: {status}, read 2, {verb} 1, unchanged 0, rejected 1",
        "<read bad.csv>",
        f"refused: {bad}: missing required columns complaint_id (Mã khiếu nại), "
        "received_at (Thời gian tiếp nhận); nothing was loaded",
        "<read register_2026-02-28.csv>",
        f"{second}: {status}, read 1, {verb} 1, unchanged 0, rejected 0",
    ]
    assert [line for line in lines if line in order] == order


def test_jobs_of_the_code_location_carry_no_progress_logger():
    """The sensor and the schedule run these definitions: only a run started with a progress
    function (the CLI on a terminal) gets the progress logger."""
    for job in defs.resolve_all_job_defs():
        assert "progress" not in job.loggers


def _on_a_terminal(home: Path, *args: str, env: dict | None = None) -> str:
    """Run the CLI with stdout and stderr on a real pseudo-terminal; everything it wrote."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=secondary,
        env={
            **{k: v for k, v in os.environ.items() if k != "CI"},
            "COMPLAINTS_HOME": str(home),
            **(env or {}),
        },
    )
    os.close(secondary)
    out = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        out += chunk
    os.close(primary)
    assert proc.wait(timeout=120) == 0, out.decode(errors="replace")
    return out.decode()


def test_progress_shows_on_a_terminal_and_not_in_ci(tmp_path, home):
    path = _register(tmp_path)
    shown = _on_a_terminal(home, "ingest", str(path))
    assert "Loading 1 file(s) as register…" in shown and "stage ingest_exports…" in shown
    ci = _on_a_terminal(home, "ingest", str(path), env={"CI": "true"})
    assert "already loaded" in ci  # the same file again: a no-op, reported
    assert "Loading" not in ci and "stage " not in ci


def test_help_and_option_errors_do_not_import_dagster():
    """Dagster takes seconds to import on a busy machine; parsing options and printing help or
    an option error must not wait for it."""
    code = (
        "import sys\nfrom pipelines.cli import app\n"
        "code = app(['report', '--lang', 'fr'], standalone_mode=False)\n"
        "print('DAGSTER', 'dagster' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert "error: Invalid value for '--lang'" in proc.stderr
    assert "DAGSTER False" in proc.stdout


def _tables(home: Path, *tables: str) -> dict[str, list[tuple]]:
    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


def test_month_is_ingest_build_report_in_one_process(tmp_path, monkeypatch, home):
    path = _register(tmp_path)
    result = invoke("month", str(path), "--exported-at", "2026-01-31", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert any(
        ln.startswith("✓ register_2026-01-31") and ln.endswith("rejected 1, warned 0") for ln in out
    )
    assert any(ln.startswith("✓ built ") and ln.endswith(" tables as of 2026-01-31") for ln in out)
    assert f"Report: {home / 'reports' / '2026-01' / 'management.en.html'}" in out
    # The same warehouse as the three commands give, on a second home with the same key.
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("COMPLAINTS_HOME", str(other))
    runs.get_settings.cache_clear()
    runs.ingest([path], runs.Kind.register, "2026-01-31")
    built = runs.raise_for_problems(runs.build())
    runs.raise_for_problems(runs.report(None, runs.Lang.en))
    tables = ("core.complaints", "marts.complaint_sla", "marts.sla_monthly", "marts.funnel")
    assert _tables(home, *tables) == _tables(other, *tables)
    assert len(built.tables) == int(next(ln for ln in out if ln.startswith("✓ built")).split()[2])


def test_a_blocked_month_builds_and_reports_nothing(tmp_path, home):
    # 12 of 12 rows answered before they were received: over the share and the minimum count.
    rows = [
        complaint(f"B{i}", "2026-01-07 09:00", first_response_at="2026-01-04 09:00")
        for i in range(12)
    ]
    path = write_rows(tmp_path / "register_2026-01-31.csv", rows, "csv_utf8_en")
    result = invoke("month", str(path))
    assert result.exit_code == 2
    (line, *_) = error_lines(result)
    assert line.startswith("error: blocked: ")
    assert not (home / "reports").exists()
    assert "✓ built" not in result.stdout


def test_reports_for_any_month_the_register_holds_and_one_line_for_others(tmp_path, home):
    """A 2015 register: every month from its first to the build's as_of can be reported (the
    partitions follow the register); a month outside them is one bilingual line, exit 2."""
    path = write_rows(
        tmp_path / "register_2015.csv",
        [
            complaint("OLD-1", "2015-03-02 09:00", first_response_at="2015-03-03 10:00"),
            complaint("OLD-2", "2015-06-10 14:00"),
        ],
        "csv_utf8_en",
    )
    assert invoke("ingest", str(path), "--exported-at", "2015-07-15").exit_code == 0
    built = invoke("build")
    assert built.exit_code == 0 and " as of 2015-07-15" in built.stdout, built.stderr
    months = runs.instance().get_dynamic_partitions("report_months")
    assert months == ["2015-03-01", "2015-04-01", "2015-05-01", "2015-06-01", "2015-07-01"]
    result = invoke("report", "--month", "2015-06", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert f"Report: {home / 'reports' / '2015-06' / 'management.en.html'}" in result.stdout
    for month in ("2015-02", "2015-08", "2023-01"):
        result = invoke("report", "--month", month)
        assert result.exit_code == 2
        assert error_lines(result) == [
            f"error: không có dữ liệu cho tháng {month}: sổ đăng ký có dữ liệu từ 2015-03 đến "
            f"2015-07 / no data for {month}: the register has data from 2015-03 to 2015-07"
        ]
    assert not (home / "reports" / "2015-02").exists()
