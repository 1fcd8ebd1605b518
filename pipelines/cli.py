"""`complaints`: the command line. It parses options, calls pipelines.runs (which runs the Dagster
jobs in-process) and prints what came back.

Bad input ends in one clear line on stderr and exit code 2, never a traceback: a usage error, a
refused file, a failed gate, a busy or unwritable warehouse alike.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

# Typer vendors its own click (typer._click): its usage errors and contexts are not click's.
from typer._click.core import Context as ClickContext
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from base.errors import InputError
from base.settings import SettingsInvalid, get_settings
from base.warehouse import MemoryExhausted, WarehouseBusy, WriteFailed
from pipelines.options import Kind, Lang, RunFailed, Scope

if TYPE_CHECKING:
    from pipelines import runs

ACTIONABLE = (InputError, WarehouseBusy, RunFailed, WriteFailed, MemoryExhausted, SettingsInvalid)


class OneLineErrors(TyperGroup):
    """Every error a person can act on becomes `error: ...` lines on stderr and exit code 2."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _error_lines(exc.format_message())
        except ACTIONABLE as exc:
            _error_lines(str(exc) or type(exc).__name__)
        except OSError as exc:  # e.g. the Dagster run history under the home cannot be written
            _error_lines(str(WriteFailed(get_settings().home, exc)))
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing partial was committed", err=True)
            raise typer.Exit(130) from None
        raise typer.Exit(2)


def _error_lines(message: str) -> None:
    for line in message.splitlines():
        typer.echo(f"error: {line}", err=True)


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
    help="Complaints register pipeline (Customer Conduct and Complaints Policy).",
)


def _api() -> ModuleType:
    """pipelines.runs, imported on first use: it imports Dagster (seconds on a busy machine),
    which --help and option errors do not need."""
    from pipelines import runs

    return runs


def interactive() -> bool:
    """Progress lines only for a person at a terminal: not in CI, not when output is piped."""
    return sys.stdout.isatty() and sys.stderr.isatty() and not os.environ.get("CI")


def _progress() -> runs.Progress | None:
    return (lambda line: typer.echo(line, err=True)) if interactive() else None


def _print_files(run: runs.IngestRun) -> None:
    verb = "would load" if run.dry_run else "loaded"
    for r in run.files:
        name = Path(r.source_file).name
        if r.status == "duplicate_file":
            typer.echo(f"= {name}: already loaded (load {r.load_id}); nothing changed")
            continue
        mtime = " (thời gian sửa tệp / file modified)" if r.exported_at_from == "file mtime" else ""
        typer.echo(
            f"✓ {name} [{r.shape}, exported {r.exported_at:%Y-%m-%d %H:%M}{mtime}]: "
            f"read {r.rows_read}, {verb} {r.rows_loaded}, unchanged {r.rows_unchanged}, "
            f"rejected {r.rows_rejected}, warned {r.rows_warned}"
        )
        for line in r.file_warnings:
            typer.echo(f"    warning: {line}")
        if run.dry_run:
            _print_map(r)
        for rule, count in r.warnings.items():
            typer.echo(f"    warning {rule}: {count}")
        for row in r.rejected[:5] if run.dry_run or r.rows_rejected else []:
            typer.echo(
                f"    row {row['source_row']} ({row['complaint_id'] or '-'}): "
                f"{row['reason_vi']} / {row['reason_en']}"
            )
    for line in run.warnings:
        typer.echo(f"warning: {line}", err=True)


def _print_map(r: runs.LoadResult) -> None:
    """The resolved map of a dry run: each field with the header it is read from, and the
    fields left unmapped with what that costs."""
    from pipelines.ingest.headers import unmapped_costs

    typer.echo("    trường ← cột của tệp / field ← the file's header:")
    for name, header in r.columns.items():
        typer.echo(f"      {name} ← {header}")
    for name, cost in unmapped_costs(r.kind, set(r.columns)):
        typer.echo(f"      {name}: (không có / unmapped){f' {cost}' if cost else ''}")


def _print_built(run: runs.BuildRun, list_tables: bool = False) -> None:
    listed = f": {', '.join(run.tables)}" if list_tables else ""
    typer.echo(f"✓ built {len(run.tables)} tables as of {run.as_of}{listed}")


def _warehouse_line() -> None:
    typer.echo(f"Warehouse: {get_settings().warehouse_path.resolve()}")


def _print_reports(files: list[Path]) -> None:
    for path in files:
        typer.echo(f"Report: {path}")


def _data_docs_line() -> None:
    index = get_settings().data_docs_dir / "index.html"
    if index.exists():
        typer.echo(f"Data Docs: {index.resolve()}")


Paths = Annotated[list[Path], typer.Argument(help="Export files or folders of exports.")]
KindOption = Annotated[Kind, typer.Option("--kind", help="What the files hold.")]
ExportedAt = Annotated[
    str | None,
    typer.Option(
        help="Snapshot time (YYYY-MM-DD[THH:MM]); default: a date in the file name, else mtime."
    ),
]
Mapping = Annotated[Path | None, typer.Option(help="YAML header/value mapping for other systems.")]
Month = Annotated[
    dt.datetime | None,
    typer.Option(
        formats=["%Y-%m"],
        metavar="YYYY-MM",
        help="The month; default: the month of the latest build's as_of.",
    ),
]
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the output.")]
ScopeOption = Annotated[
    Scope, typer.Option(help="full: the export lists every complaint; delta: only some")
]


def _day(month: dt.datetime | None) -> dt.date | None:
    return month.date() if month else None


@app.command("ingest")
def ingest_cmd(
    paths: Paths,
    kind: KindOption = Kind.register,
    exported_at: ExportedAt = None,
    mapping: Mapping = None,
    scope: ScopeOption = Scope.full,
) -> None:
    """Load export files into the warehouse (each file whole, or not at all)."""
    runs = _api()
    run = runs.ingest(paths, kind, exported_at, mapping, scope, progress=_progress())
    _print_files(run)
    _data_docs_line()
    runs.raise_for_problems(run)


@app.command("validate")
def validate_cmd(
    paths: Paths,
    kind: KindOption = Kind.register,
    exported_at: ExportedAt = None,
    mapping: Mapping = None,
) -> None:
    """Dry run: show what each file would load, warn and reject. Loads nothing."""
    runs = _api()
    run = runs.validate(paths, kind, exported_at, mapping, progress=_progress())
    _print_files(run)
    _data_docs_line()
    runs.raise_for_problems(run)


@app.command("build")
def build_cmd(
    as_of: Annotated[
        str | None,
        typer.Option(help="Review date YYYY-MM-DD; default: the latest exported_at loaded."),
    ] = None,
) -> None:
    """Rebuild the calendar, SLA and pattern marts."""
    runs = _api()
    run = runs.raise_for_problems(runs.build(as_of, progress=_progress()))
    _print_built(run, list_tables=True)
    _warehouse_line()


@app.command("report")
def report_cmd(month: Month = None, lang: LangOption = Lang.vi) -> None:
    """Write the month's management and quality reports and analyst tables."""
    runs = _api()
    run = runs.raise_for_problems(runs.report(_day(month), lang, progress=_progress()))
    _print_reports(run.files)


@app.command("month")
def month_cmd(
    paths: Paths,
    kind: KindOption = Kind.register,
    exported_at: ExportedAt = None,
    mapping: Mapping = None,
    scope: ScopeOption = Scope.full,
    lang: LangOption = Lang.vi,
) -> None:
    """The month's routine in one process: ingest, build and report (the same jobs)."""
    runs = _api()
    run = runs.month(paths, kind, exported_at, mapping, scope, lang, progress=_progress())
    _print_files(run.ingest)
    if run.build.as_of:
        _print_built(run.build)
    _print_reports(run.report.files if run.report else [])
    _data_docs_line()
    runs.raise_for_problems(run)


@app.command("hr-dossier")
def hr_dossier_cmd(
    employee: Annotated[str, typer.Option(help="The staff code.")],
    requested_by: Annotated[str, typer.Option(help="Who asks (audited).")],
    reason: Annotated[str, typer.Option(help="Why (audited).")],
    month: Month = None,
    lang: LangOption = Lang.vi,
) -> None:
    """One employee's restricted HR dossier; every request is appended to core.audit_log."""
    runs = _api()
    run = runs.raise_for_problems(
        runs.hr_dossier(employee, requested_by, reason, _day(month), lang, progress=_progress())
    )
    typer.echo(f"HR dossier (restricted, audited): {run.path}")


@app.command("demo")
def demo_cmd(
    seed: Annotated[int, typer.Option(help="Random seed of the demo data.")] = 2026,
) -> None:
    """Generate the demo register and run everything on it: ingest, build, reports, HR dossier."""
    runs = _api()
    out, _, reused = runs.demo_exports(seed)
    typer.echo(
        f"{'Reusing' if reused else 'Generated'} the demo exports in {out.resolve()} (seed {seed})",
        err=True,
    )
    run = runs.demo(seed, progress=_progress())
    for step in run.steps:
        if isinstance(step, runs.IngestRun):
            _print_files(step)
        elif isinstance(step, runs.BuildRun):
            _print_built(step)
        elif isinstance(step, runs.ReportRun):
            _print_reports(step.files)
        else:
            typer.echo(f"HR dossier (restricted, audited): {step.path}")
    for line in run.failed:
        typer.echo(f"error: {line}", err=True)
    typer.echo(f"Demo exports: {run.exports.resolve()}")
    _warehouse_line()
    _data_docs_line()
    typer.echo(
        f"Planted patterns: {', '.join(f'{k}={v}' for k, v in run.manifest['planted'].items())}"
    )
    if run.failed:
        raise RunFailed("some report steps failed (see above); the warehouse is built")


def main() -> None:
    """Entry point (pyproject's `complaints` script)."""
    app()


if __name__ == "__main__":
    main()
