"""`complaints`: a thin command line over the Dagster jobs, run in-process.

Bad input ends in one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from base.errors import InputError
from base.settings import get_settings
from base.warehouse import WarehouseBusy, WriteFailed

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Complaints register pipeline (Customer Conduct and Complaints Policy).")


class CommandFailed(Exception):
    """A job failed for a reason the user can act on; the message is that reason."""


def _instance():
    """The Dagster instance under $COMPLAINTS_HOME/dagster, shared with `make dev`."""
    settings = get_settings()
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)
    from dagster import DagsterInstance
    from filelock import FileLock

    # Two commands starting at once on a new home would both create Dagster's SQLite run
    # storage; one creates it while the other waits.
    with FileLock(str(home / "instance.lock")):
        instance = DagsterInstance.get()
        instance.get_runs(limit=1)
    return instance


def run_job(name: str, run_config: dict, partition_key: str | None = None) -> object:
    """Execute a job of the code location in-process; turn a failure into its plain reason."""
    warnings.filterwarnings("ignore")
    from pipelines.definitions import defs

    run_config = {**run_config, "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    with _instance() as instance:
        result = defs.resolve_job_def(name).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False,
            partition_key=partition_key)
    return result


def _check_failures(result, severity: str) -> list[str]:
    """The descriptions of the run's failed asset checks of one severity (ERROR or WARN)."""
    return [event.event_specific_data.description for event in result.all_events
            if event.event_type_value == "ASSET_CHECK_EVALUATION"
            and not event.event_specific_data.passed
            and event.event_specific_data.severity.value == severity]


def _problems(result) -> list[str]:
    """Why a run failed, in the words the pipeline gave: refused files, failed gates (each
    gate's description says what it blocks and how to release it)."""
    problems = [f"blocked: {line}" for line in _check_failures(result, "ERROR")]
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                problems.append(data.user_failure_data.description)
            elif "AssetCheckFailed" not in (data.error.cls_name or ""):
                error = data.error.cause or data.error
                problems.append(error.message.strip().split(": ", 1)[-1])
    return problems


def _print_results(results, dry_run: bool = False) -> None:
    verb = "would load" if dry_run else "loaded"
    for r in results:
        name = Path(r.source_file).name
        if r.status == "duplicate_file":
            typer.echo(f"= {name}: already loaded (load {r.load_id}); nothing changed")
            continue
        typer.echo(f"✓ {name} [{r.shape}, exported {r.exported_at:%Y-%m-%d %H:%M}]: "
                   f"read {r.rows_read}, {verb} {r.rows_loaded}, unchanged {r.rows_unchanged}, "
                   f"rejected {r.rows_rejected}, warned {r.rows_warned}")
        for rule, count in r.warnings.items():
            typer.echo(f"    warning {rule}: {count}")
        for row in r.rejected[:5] if dry_run or r.rows_rejected else []:
            typer.echo(f"    row {row['source_row']} ({row['complaint_id'] or '-'}): "
                       f"{row['reason_vi']} / {row['reason_en']}")


def _data_docs_line() -> None:
    index = get_settings().data_docs_dir / "index.html"
    if index.exists():
        typer.echo(f"Data Docs: {index.resolve()}")


Paths = Annotated[list[str], typer.Argument(help="Export files or folders of exports.")]
Kind = Annotated[str, typer.Option(help="register | staff | partners | activity")]
ExportedAt = Annotated[str | None, typer.Option(
    help="Snapshot time (YYYY-MM-DD[THH:MM]); default: a date in the file name, else mtime.")]
Mapping = Annotated[Path | None, typer.Option(help="YAML header/value mapping for other systems.")]


@app.command("ingest")
def ingest_cmd(paths: Paths, kind: Kind = "register", exported_at: ExportedAt = None,
               mapping: Mapping = None,
               scope: Annotated[str, typer.Option(help="full: the export lists every "
                                                  "complaint; delta: only some")] = "full",
               ) -> None:
    """Load export files into the warehouse (each file whole, or not at all)."""
    from pipelines.ingest.batch import expand

    files = expand(paths)
    typer.echo(f"Loading {len(files)} file(s) as {kind}…", err=True)
    config = {"paths": [str(p) for p in files], "kind": kind, "exported_at": exported_at,
              "mapping": str(mapping) if mapping else None, "scope": scope}
    result = run_job("ingest_job", {"ops": {"ingest_exports": {"config": config}}})
    _print_results(_results_of(result))
    for line in _check_failures(result, "WARN"):
        typer.echo(f"warning: {line}", err=True)
    _data_docs_line()
    problems = _problems(result)
    if problems:
        raise CommandFailed("\n".join(problems))


def _results_of(result) -> list:
    """Per-file outcomes, from the metadata the ingest asset attached to core/load_log."""
    from pipelines.ingest.load import LoadResult

    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key.path == ["core", "load_log"]:
            return [LoadResult.from_dict(d) for d in mat.metadata["files"].value]
    return []


@app.command("validate")
def validate_cmd(paths: Paths, kind: Kind = "register", exported_at: ExportedAt = None,
                 mapping: Mapping = None) -> None:
    """Dry run: show what each file would load, warn and reject. Loads nothing."""
    from pipelines.ingest.batch import ingest
    from pipelines.ingest.dry_run import scratch_copy

    settings = get_settings()
    with scratch_copy(settings) as con:
        outcome = ingest(con, settings, paths, kind, exported_at,
                         str(mapping) if mapping else None, dry_run=True)
    _print_results(outcome.results, dry_run=True)
    _data_docs_line()
    if outcome.errors:
        raise CommandFailed("\n".join(str(e) for e in outcome.errors))


@app.command("build")
def build_cmd(as_of: Annotated[str | None, typer.Option(
        help="Review date YYYY-MM-DD; default: the latest exported_at loaded.")] = None) -> None:
    """Rebuild the calendar, SLA and pattern marts."""
    typer.echo("Building marts…", err=True)
    result = run_job("build_job", {"ops": {"core__build_params": {"config": {"as_of": as_of}}}})
    problems = _problems(result)
    if problems:
        raise CommandFailed("\n".join(problems))
    built = sorted({"/".join(e.asset_key.path) for e in result.get_asset_materialization_events()
                    for e in [e.event_specific_data.materialization]})
    typer.echo(f"✓ built {len(built)} tables as of "
               f"{_as_of() or as_of}: {', '.join(built)}")
    typer.echo(f"Warehouse: {get_settings().warehouse_path.resolve()}")


Month = Annotated[str | None, typer.Option(help="YYYY-MM; default: the month of the latest "
                                            "build's as_of.")]
Lang = Annotated[str, typer.Option(help="vi (default) or en")]


@app.command("report")
def report_cmd(month: Month = None, lang: Lang = "vi",
               audience: Annotated[str, typer.Option(help="management (the monthly review) or "
                                                     "hr (a restricted dossier)")] = "management",
               employee: Annotated[str | None, typer.Option(help="HR: the staff code")] = None,
               requested_by: Annotated[str | None, typer.Option(help="HR: who asks")] = None,
               reason: Annotated[str | None, typer.Option(help="HR: why")] = None) -> None:
    """Write the month's reports, or (--audience hr) one employee's audited HR dossier."""
    if lang not in ("vi", "en"):
        raise CommandFailed(f"--lang must be vi or en, not '{lang}'")
    month = _month(month)
    if audience == "hr":
        for name, value in (("--employee", employee), ("--requested-by", requested_by),
                            ("--reason", reason)):
            if not value or not value.strip():
                raise CommandFailed(f"the HR dossier needs {name} (every request is audited)")
        from reports import hr_requests

        request = hr_requests.HrRequest(employee, month[:7], requested_by, reason, lang)
        request_id = hr_requests.save(get_settings(), request)
        try:
            result = run_job("hr_dossier_job",
                             {"ops": {"hr_dossier": {"config": {"request_id": request_id}}}})
        finally:
            hr_requests.discard(get_settings(), request_id)
        _fail_on(result)
        typer.echo(f"HR dossier (restricted, audited): {result.output_for_node('hr_dossier')}")
        return
    if audience != "management":
        raise CommandFailed(f"--audience must be management or hr, not '{audience}'")
    result = run_job("report_job", {"ops": {"reports__monthly_review": {"config": {
        "lang": lang}}}}, partition_key=month)
    _fail_on(result)
    for event in result.get_asset_materialization_events():
        for path in event.event_specific_data.materialization.metadata["files"].value:
            typer.echo(f"Report: {path}")


def _month(month: str | None) -> str:
    """A partition key (first day of the month) from YYYY-MM, or the latest build's month."""
    import datetime as dt

    if month is None:
        as_of = _as_of()
        if as_of is None:
            raise CommandFailed("nothing built yet: run `complaints build` first")
        return as_of[:7] + "-01"
    try:
        return dt.date.fromisoformat(f"{month}-01").isoformat()
    except ValueError:
        raise CommandFailed(f"--month must be YYYY-MM, not '{month}'") from None


def _fail_on(result) -> None:
    problems = _problems(result)
    if problems:
        raise CommandFailed("\n".join(problems))


def _as_of() -> str | None:
    from base.warehouse import connect, scalar

    if not get_settings().warehouse_path.exists():
        return None
    with connect(get_settings().warehouse_path, read_only=True) as con:
        value = scalar(con, "SELECT max(as_of) FROM core.build_params")
    return str(value) if value else None


DEMO_EXPORTED_AT = "2026-10-31T18:00"  # the reference exports go with the last snapshot


def _demo_exports(seed: int) -> tuple[Path, dict]:
    """The demo export set under $COMPLAINTS_HOME/demo_exports, generated unless the same seed's
    set is already there."""
    import json

    from pipelines.demo.generator import generate_demo

    out = get_settings().home / "demo_exports"
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        names = [manifest["files"][k] for k in ("staff", "partners", "activity")]
        names += [s["file"] for s in manifest["files"]["register"]]
        if manifest.get("seed") == seed and all((out / n).exists() for n in names):
            typer.echo(f"Reusing the demo exports in {out.resolve()} (seed {seed})", err=True)
            return out, manifest
    typer.echo(f"Generating the demo exports (seed {seed})…", err=True)
    return out, generate_demo(out, seed)


def _demo_step(what: str, step) -> bool:
    """Run a report step; a failure is one clear line, and the demo goes on."""
    try:
        step()
        return True
    except Exception as exc:  # noqa: BLE001 - reports may fail; the rest of the demo stands
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        typer.echo(f"error: {what} failed: {message}", err=True)
        return False


@app.command("demo")
def demo_cmd(seed: Annotated[int, typer.Option(help="Random seed of the demo data.")] = 2026,
             ) -> None:
    """Generate the demo register and run everything on it: ingest, build, reports, HR dossier."""
    out, manifest = _demo_exports(seed)
    files = manifest["files"]
    for kind in ("staff", "partners", "activity"):
        ingest_cmd([str(out / files[kind])], kind=kind, exported_at=DEMO_EXPORTED_AT)
    ingest_cmd([str(out / s["file"]) for s in files["register"]], kind="register")
    build_cmd()
    month = manifest["review_month"]
    ok = [_demo_step(f"report ({lang})", lambda lang=lang: report_cmd(month=month, lang=lang))
          for lang in ("vi", "en")]
    employee = manifest["planted"]["persistent"]
    ok.append(_demo_step(f"HR dossier for {employee}", lambda: report_cmd(
        month=month, audience="hr", employee=employee, requested_by="demo",
        reason="Demo: planted persistent pattern")))
    typer.echo(f"Demo exports: {out.resolve()}")
    typer.echo(f"Warehouse: {get_settings().warehouse_path.resolve()}")
    _data_docs_line()
    typer.echo(f"Planted patterns: {', '.join(f'{k}={v}' for k, v in manifest['planted'].items())}")
    if not all(ok):
        raise CommandFailed("some report steps failed (see above); the warehouse is built")


def main() -> None:
    """Entry point: errors the user can act on are one line and exit code 2."""
    try:
        app()
    except (InputError, WarehouseBusy, CommandFailed, WriteFailed) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            typer.echo(f"error: {line}", err=True)
        sys.exit(2)
    except OSError as exc:  # e.g. the Dagster run history under the home cannot be written
        typer.echo(f"error: {WriteFailed(get_settings().home, exc)}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted; nothing partial was committed", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
