"""The API under the CLI: each function runs a job of the Dagster code location in-process and
returns what happened as a dataclass. The CLI only parses and prints; `complaints demo` and the
tests call these functions too, so every caller runs the same jobs as the UI and the sensor.

Run config is typed (`dagster.RunConfig` with the assets' Config classes) and keyed by the op
names the asset objects carry, never by strings spelled out here.

Progress: pass `progress` (a function taking one line) to see stages, files and rows while a job
runs; the CLI passes one only on a terminal. Jobs started by the sensor or the schedule never get
the progress logger, so they stay quiet.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import dagster as dg
from filelock import FileLock
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine import Engine

from base.kinds import REFERENCE_KINDS
from base.settings import get_settings
from base.warehouse import connect, scalar
from pipelines.assets import reports as report_assets
from pipelines.assets.ingest import IngestConfig, ingest_exports
from pipelines.assets.keys import BUILD_PARAMS, LOAD_LOG
from pipelines.assets.marts import REPORT_MONTHS, BuildConfig, build_params
from pipelines.assets.reports import HrDossierConfig, ReportConfig, hr_dossier_job, monthly_review
from pipelines.build_params import month_problem
from pipelines.definitions import defs
from pipelines.gate import gate
from pipelines.ingest.batch import expand
from pipelines.ingest.batch import ingest as ingest_files
from pipelines.ingest.dry_run import scratch_copy
from pipelines.ingest.load import LoadResult
from pipelines.jobs import build_job, inbox_job, ingest_job, report_job
from pipelines.options import Kind, Lang, RunFailed, Scope

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IngestRun:
    files: list[LoadResult]
    warnings: list[str] = field(default_factory=list)  # gate lines under the limit
    problems: list[str] = field(default_factory=list)  # refused files, blocking gates
    dry_run: bool = False


@dataclass(frozen=True)
class BuildRun:
    as_of: str | None
    tables: list[str]
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportRun:
    month: dt.date
    files: list[Path]
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HrDossierRun:
    path: Path | None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MonthRun:
    ingest: IngestRun
    build: BuildRun
    report: ReportRun | None  # None when the load or the build failed: no report on them
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoRun:
    exports: Path
    manifest: dict
    steps: list[IngestRun | BuildRun | ReportRun | HrDossierRun]
    failed: list[str]  # report steps that failed, one line each; the warehouse stands


# Bound, not constrained: the demo passes a step that is either a report or the HR dossier.
Run = TypeVar("Run", bound=IngestRun | BuildRun | ReportRun | HrDossierRun | MonthRun)


def raise_for_problems(run: Run) -> Run:
    """The run itself, or RunFailed with its problems."""
    if run.problems:
        raise RunFailed("\n".join(run.problems))
    return run


def ingest(
    paths: list[str | Path],
    kind: Kind = Kind.register,
    exported_at: str | None = None,
    mapping: Path | None = None,
    scope: Scope = Scope.full,
    progress: Progress | None = None,
) -> IngestRun:
    """Load export files (or folders of them) into the warehouse, each file whole or not at all."""
    config = _ingest_config(paths, kind, exported_at, mapping, scope, progress)
    result = run_job(
        ingest_job.name, dg.RunConfig(ops={ingest_exports.op.name: config}), progress=progress
    )
    return IngestRun(_load_results(result), failed_checks(result, "WARN"), problems(result))


def _ingest_config(
    paths: list[str | Path],
    kind: Kind,
    exported_at: str | None,
    mapping: Path | None,
    scope: Scope,
    progress: Progress | None,
) -> IngestConfig:
    files = expand([str(p) for p in paths])
    if progress:
        progress(f"Loading {len(files)} file(s) as {kind}…")
    return IngestConfig(
        paths=[str(p) for p in files],
        kind=kind,
        exported_at=exported_at,
        mapping=str(mapping) if mapping else None,
        scope=scope,
    )


def validate(
    paths: list[str | Path],
    kind: Kind = Kind.register,
    exported_at: str | None = None,
    mapping: Path | None = None,
    progress: Progress | None = None,
) -> IngestRun:
    """Dry run on an in-memory copy of the warehouse's directories: loads nothing."""
    settings = get_settings()
    if progress:
        files = expand([str(p) for p in paths])
        progress(f"Checking {len(files)} file(s) as {Kind(kind).value} (nothing is loaded)…")
    with scratch_copy(settings) as con:
        outcome = ingest_files(
            con,
            settings,
            [str(p) for p in paths],
            kind,
            exported_at,
            str(mapping) if mapping else None,
            dry_run=True,
            # indented as the ingest job's per-file lines are under their stage
            say=(lambda line: progress(f"  {line}")) if progress else None,
        )
    # The same gate as the ingest check (pipelines.gate), on the same counts: what would block
    # the load is a problem here too (exit 2), what would be a warning is one.
    verdicts = [
        gate(Path(r.source_file).name, r.rows_rejected, r.rows_checked, settings)
        for r in outcome.results
        if r.rows_rejected
    ]
    return IngestRun(
        outcome.results,
        warnings=[f"{WOULD_WARN}{line}" for blocked, line in verdicts if not blocked],
        problems=[str(e) for e in outcome.errors]
        + [f"{WOULD_BLOCK}{line}" for blocked, line in verdicts if blocked],
        dry_run=True,
    )


WOULD_BLOCK = "sẽ chặn / would block: "
WOULD_WARN = "sẽ cảnh báo / would warn: "


def build(as_of: str | None = None, progress: Progress | None = None) -> BuildRun:
    """Rebuild the calendar, SLA and pattern marts as of a day (default: the latest export)."""
    if progress:
        progress("Building marts…")
    result = run_job(
        build_job.name,
        dg.RunConfig(ops={build_params.op.name: BuildConfig(as_of=as_of)}),
        progress=progress,
    )
    return _build_run(result)


def _build_run(result: dg.ExecuteInProcessResult) -> BuildRun:
    """The build's part of a run (in `month`, the run loaded the files first)."""
    loaded = ingest_exports.keys
    built = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key not in loaded
    ]
    params = [m for m in built if m.asset_key == BUILD_PARAMS]
    return BuildRun(
        as_of=str(params[0].metadata["as_of"].value) if params else None,
        tables=sorted({"/".join(m.asset_key.path) for m in built}),
        problems=problems(result),
    )


def month(
    paths: list[str | Path],
    kind: Kind = Kind.register,
    exported_at: str | None = None,
    mapping: Path | None = None,
    scope: Scope = Scope.full,
    lang: Lang = Lang.vi,
    progress: Progress | None = None,
) -> MonthRun:
    """The month's routine in one process: the exports loaded and the marts rebuilt in one run
    of the inbox sensor's job, then the reports of the month the build reviews. The same jobs as
    `ingest`, `build` and `report`, with Python, Dagster and the instance started once
    instead of three times (benchmarks/RESULTS.md: fixed cost per command)."""
    config = _ingest_config(paths, kind, exported_at, mapping, scope, progress)
    result = run_job(
        inbox_job.name,
        dg.RunConfig(ops={ingest_exports.op.name: config, build_params.op.name: BuildConfig()}),
        progress=progress,
    )
    loaded = IngestRun(_load_results(result), failed_checks(result, "WARN"))
    built = _build_run(result)  # its problems are the whole run's, the load's included
    if built.problems or built.as_of is None:
        return MonthRun(loaded, built, None, built.problems or ["nothing was built"])
    shown = report(None, lang, progress)
    return MonthRun(loaded, built, shown, shown.problems)


def report(
    month: dt.date | None = None, lang: Lang = Lang.vi, progress: Progress | None = None
) -> ReportRun:
    """The month's management and quality reports and analyst tables (default: the month of the
    latest build)."""
    first = _first_of_month(month)
    problem = _month_problem(first)
    if problem:
        return ReportRun(first, [], [problem])
    result = run_job(
        report_job.name,
        dg.RunConfig(ops={monthly_review.op.name: ReportConfig(lang=lang)}),
        partition_key=first.isoformat(),
        progress=progress,
    )
    files = [
        Path(p)
        for e in result.get_asset_materialization_events()
        for p in _json_list(e.materialization, "files")
    ]
    return ReportRun(first, files, problems(result))


def hr_dossier(
    employee: str,
    requested_by: str,
    reason: str,
    month: dt.date | None = None,
    lang: Lang = Lang.vi,
    progress: Progress | None = None,
) -> HrDossierRun:
    """One employee's restricted HR dossier; the request is audited. Only the request's opaque
    id goes into Dagster's run config (its run history is not restricted)."""
    from reports import hr_requests  # with reports.publish: plotly, off the ingest path

    for name, value in (("employee", employee), ("requested_by", requested_by), ("reason", reason)):
        if not value or not value.strip():
            raise RunFailed(
                f"the HR dossier needs {name.replace('_', '-')} (every request is audited)"
            )
    settings = get_settings()
    from reports.publish import os_account

    request = hr_requests.HrRequest(
        employee,
        _first_of_month(month).isoformat()[:7],
        requested_by,
        reason,
        lang,
        account=os_account(),  # who runs the command, not who --requested-by claims to be
    )
    request_id = hr_requests.save(settings, request)
    try:
        result = run_job(
            hr_dossier_job.name,
            dg.RunConfig(
                ops={report_assets.hr_dossier.name: HrDossierConfig(request_id=request_id)}
            ),
            progress=progress,
        )
    finally:
        hr_requests.discard(settings, request_id)
    found = problems(result)
    return HrDossierRun(
        None if found else Path(result.output_for_node(report_assets.hr_dossier.name)), found
    )


DEMO_EXPORTED_AT = "2026-10-31T18:00"  # the reference exports go with the last snapshot


def demo_exports(seed: int = 2026) -> tuple[Path, dict, bool]:
    """The demo export set under $COMPLAINTS_HOME/demo_exports, generated unless the same seed's
    set is already there; the flag says whether it was reused."""
    from pipelines.demo.generator import generate_demo  # only the demo needs it

    out = get_settings().home / "demo_exports"
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        names = [manifest["files"][k] for k in REFERENCE_KINDS]
        names += [s["file"] for s in manifest["files"][Kind.register]]
        if manifest.get("seed") == seed and all((out / n).exists() for n in names):
            return out, manifest, True
    return out, generate_demo(out, seed), False


def load_demo(
    out: Path, manifest: dict, snapshots: int | None = None, progress: Progress | None = None
) -> list[IngestRun | BuildRun]:
    """Ingest the demo's reference exports and register snapshots (the last `snapshots` of them,
    or all), then build. Raises RunFailed if a step fails."""
    files = manifest["files"]
    steps: list[IngestRun | BuildRun] = [
        raise_for_problems(ingest([out / files[kind]], kind, DEMO_EXPORTED_AT, progress=progress))
        for kind in REFERENCE_KINDS
    ]
    registers = [out / s["file"] for s in files[Kind.register]][-(snapshots or 0) :]
    steps.append(raise_for_problems(ingest(registers, Kind.register, progress=progress)))
    steps.append(raise_for_problems(build(progress=progress)))
    return steps


def demo(seed: int = 2026, progress: Progress | None = None) -> DemoRun:
    """Generate the demo register and run everything on it: ingest, build, reports in both
    languages, the HR dossier of the planted persistent pattern. A failed report step is
    recorded and the demo goes on."""
    out, manifest, _ = demo_exports(seed)
    steps: list = load_demo(out, manifest, progress=progress)
    month = dt.date.fromisoformat(f"{manifest['review_month'][:7]}-01")
    employee = manifest["planted"]["persistent"]
    reports: list[tuple[str, Callable[[], ReportRun | HrDossierRun]]] = [
        (f"report ({lang.value})", partial(report, month, lang, progress)) for lang in Lang
    ]
    reports.append(
        (
            f"HR dossier for {employee}",
            lambda: hr_dossier(
                employee, "demo", "Demo: planted persistent pattern", month, progress=progress
            ),
        )
    )
    failed = []
    for what, step in reports:
        try:
            steps.append(raise_for_problems(step()))
        except Exception as exc:  # noqa: BLE001 - reports may fail; the rest of the demo stands
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            failed.append(f"{what} failed: {message}")
    return DemoRun(out, manifest, steps, failed)


def latest_as_of() -> str | None:
    """The review date of the latest build, or None before the first."""
    if not get_settings().warehouse_path.exists():
        return None
    with connect(get_settings().warehouse_path, read_only=True) as con:
        value = scalar(con, "SELECT max(as_of) FROM core.build_params")
    return str(value) if value else None


def _month_problem(first: dt.date) -> str | None:
    """Why ``first``'s month cannot be reported (no data), else None, its partition made sure
    of: a build adds the register's months; one built before that gets its month here."""
    path = get_settings().warehouse_path
    if not path.exists():
        return (
            "chưa có kho dữ liệu: hãy nạp sổ đăng ký và chạy `complaints build` / "
            "no warehouse yet: ingest a register export and run `complaints build`"
        )
    with connect(path, read_only=True) as con:
        problem = month_problem(con, first)
    if problem is None:
        with _sqlite_without_fsync(), instance() as dagster_instance:
            if not dagster_instance.has_dynamic_partition(REPORT_MONTHS, first.isoformat()):
                dagster_instance.add_dynamic_partitions(REPORT_MONTHS, [first.isoformat()])
    return problem


def _first_of_month(month: dt.date | None) -> dt.date:
    """The partition of a month: its first day; by default the latest build's month."""
    if month is None:
        as_of = latest_as_of()
        if as_of is None:
            raise RunFailed("nothing built yet: run `complaints build` first")
        month = dt.date.fromisoformat(as_of[:10])
    return month.replace(day=1)


# --- running a job ------------------------------------------------------------------------------


def instance() -> dg.DagsterInstance:
    """The Dagster instance under $COMPLAINTS_HOME/dagster, shared with `make dev`."""
    home = get_settings().dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)
    # Two commands starting at once on a new home would both create Dagster's SQLite run
    # storage; one creates it while the other waits.
    with FileLock(str(home / "instance.lock")):
        found = dg.DagsterInstance.get()
        found.get_runs(limit=1)
    return found


# Dagster's SQLite storage (WAL mode) opens a connection for each event it writes, with
# SQLite's default synchronous=FULL: every commit waits for an fsync, and every close of a
# file's last connection checkpoints it, another. `complaints month` of one complaint on an
# empty home made 1,552 fsyncs, blocked 3.2-5.8 s while another load wrote to the same disk
# (523 fsyncs, 1.6-1.7 s with this; benchmarks/RESULTS.md). With synchronous=NORMAL a WAL
# commit does not wait for the disk and a crash cannot corrupt the file (SQLite's documented
# trade-off: a power cut may lose the last run records; the warehouse is DuckDB, untouched).
# One connection per file is held open for the run, so the checkpoint happens once per file,
# when the run ends.
_HELD: dict[str, sqlite3.Connection] = {}


def _wal_without_fsync(dbapi_connection: object, _record: object) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return  # DuckDB (duckdb-engine) or another database: untouched
    path = dbapi_connection.execute("PRAGMA database_list").fetchall()[0][2]
    mode = dbapi_connection.execute("PRAGMA journal_mode").fetchall()[0][0]
    if not path or mode != "wal":
        return  # NORMAL is safe against a crash only in WAL mode
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    if path not in _HELD:
        held = sqlite3.connect(path, check_same_thread=False)
        held.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the file now
        _HELD[path] = held


@contextmanager
def _sqlite_without_fsync() -> Iterator[None]:
    """Dagster's SQLite files in WAL mode without an fsync per event, for this block."""
    sqlalchemy_event.listen(Engine, "connect", _wal_without_fsync)
    try:
        yield
    finally:
        sqlalchemy_event.remove(Engine, "connect", _wal_without_fsync)
        while _HELD:
            _HELD.popitem()[1].close()


def run_job(
    name: str,
    run_config: dg.RunConfig,
    partition_key: str | None = None,
    progress: Progress | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute a job of the code location in-process; failures stay in the result."""
    warnings.filterwarnings("ignore")  # Dagster's deprecation and preview notes are not for users
    job = defs.resolve_job_def(name)
    loggers = {"console": {"config": {"log_level": "CRITICAL"}}}
    if progress:
        job = job.with_logger_defs({**job.loggers, "progress": _progress_logger(progress)})
        loggers["progress"] = {}
    config = dg.RunConfig(
        ops=run_config.ops,
        resources=run_config.resources,
        loggers=loggers,
        execution=run_config.execution,
    )
    with _sqlite_without_fsync(), instance() as dagster_instance:
        return job.execute_in_process(
            run_config=config,
            instance=dagster_instance,
            raise_on_error=False,
            partition_key=partition_key,
        )


def failed_checks(result: dg.ExecuteInProcessResult, severity: str) -> list[str]:
    """The descriptions of the run's failed asset checks of one severity (ERROR or WARN)."""
    return [
        # every check of the code location describes its result; the name is a fallback
        check.description or check.check_name
        for check in result.get_asset_check_evaluations()
        if not check.passed and check.severity.value == severity
    ]


def problems(result: dg.ExecuteInProcessResult) -> list[str]:
    """Why a run failed, in the words the pipeline gave: refused files, failed gates (each
    gate's description says what it blocks and how to release it)."""
    found = [f"blocked: {line}" for line in failed_checks(result, "ERROR")]
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            found.append(data.user_failure_data.description)
            continue
        assert data.error is not None, "a step failure without a Failure carries its error"
        if "AssetCheckFailed" not in (data.error.cls_name or ""):
            error = data.error.cause or data.error
            found.append(error.message.strip().split(": ", 1)[-1])
    return found


def _json_list(mat: dg.AssetMaterialization, key: str) -> list[Any]:
    """A list an asset attached as JSON metadata (``MetadataValue.json``)."""
    entry = mat.metadata[key]
    assert isinstance(entry, dg.JsonMetadataValue) and isinstance(entry.value, list), key
    return entry.value


def _load_results(result: dg.ExecuteInProcessResult) -> list[LoadResult]:
    """Per-file outcomes, from the metadata the ingest asset attached to core/load_log."""
    for event in result.get_asset_materialization_events():
        mat = event.materialization
        if mat.asset_key == LOAD_LOG:
            return [LoadResult.from_dict(d) for d in _json_list(mat, "files")]
    return []


class _ProgressHandler(logging.Handler):
    """Turns a run's log records into short lines: a stage starting, the ingest's per-file
    lines, and each table written with its rows."""

    def __init__(self, say: Progress) -> None:
        super().__init__(logging.DEBUG)  # Dagster logs its events at DEBUG
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.INFO and meta.get("orig_message"):
                self.say(f"  {meta['orig_message']}")
        elif event.event_type_value == "STEP_START":
            self.say(f"stage {event.step_key.replace('__', '.')}…")
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.materialization
            rows = mat.metadata.get("rows")
            if rows is not None:
                self.say(f"  {'.'.join(mat.asset_key.path)}: {rows.value} rows")


def _progress_logger(say: Progress) -> dg.LoggerDefinition:
    @dg.logger(
        config_schema=None,  # any config: the overloads need it said when a description is
        description="Stages, files and rows for a person at a terminal (CLI only).",
    )
    def progress(_init_context: dg.InitLoggerContext) -> logging.Logger:
        log = logging.Logger("complaints.progress", logging.DEBUG)  # not registered: per run
        log.addHandler(_ProgressHandler(say))
        return log

    return progress
