"""The pipeline's work as plain functions; the Dagster assets are thin wrappers around them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.ingest.errors import InputError
from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.load import LoadResult, ensure_schema, load_file, local_now
from pipelines.settings import Settings
from pipelines.warehouse import (
    MODELS_DIR,
    SCHEMAS,
    discover_models,
    materialise,
    model_order,
    replace_table,
    scalar,
)


@dataclass
class IngestOutcome:
    results: list[LoadResult]
    errors: list[InputError]


def ingest(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    paths: list[str],
    kind: str = "register",
    exported_at: str | None = None,
    mapping: str | None = None,
    scope: str = "full",
    dry_run: bool = False,
) -> IngestOutcome:
    """Load each file whole or not at all; unusable files are reported, the others still load."""
    when = parse_when(exported_at) if exported_at else None
    user_mapping = HeaderMapping.load(Path(mapping)) if mapping else None
    results, errors = [], []
    for path in expand(paths):
        try:
            results.append(load_file(con, path, kind, settings, user_mapping, when, scope,
                                     dry_run=dry_run))
        except InputError as exc:
            errors.append(exc)
    if results:
        from data_checks.runner import publish_docs

        publish_docs(settings.home)
    return IngestOutcome(results, errors)


@contextmanager
def scratch_copy(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory warehouse holding the real one's directories, for dry runs."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
        spill = settings.home / "tmp" / "duckdb"  # an in-memory database spills to ./.tmp
        spill.mkdir(mode=0o700, parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{spill}'")
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA {schema}")
        ensure_schema(con)
        if settings.warehouse_path.exists():
            con.execute(f"ATTACH '{settings.warehouse_path}' AS wh (READ_ONLY)")
            for table in ("staff", "partners"):
                con.execute(f"INSERT INTO core.{table} SELECT * FROM wh.core.{table}")
            con.execute("DETACH wh")
        yield con
    finally:
        con.close()


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a folder stands for the exports in it, in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in (".csv", ".xlsx", ".txt"))
        else:
            out.append(p)
    return out


def parse_when(text: str) -> dt.datetime:
    """A date (end of that day) or a date and time."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError("--exported-at", f"'{text}' is not a date (YYYY-MM-DD)") from None
    if len(text) <= 10:
        value = value.replace(hour=23, minute=59, second=59)
    return value


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    latest = scalar(con, "SELECT max(exported_at) FROM core.load_log WHERE kind = 'register'")
    return (latest or dt.datetime.now()).date()


def write_build_params(con, settings: Settings, as_of: str | None) -> dt.date:
    """Record the parameters the SQL models read; as_of defaults to the latest export."""
    ensure_schema(con)
    day = parse_when(as_of).date() if as_of else default_as_of(con)
    con.execute("DELETE FROM core.build_params")
    con.execute("INSERT INTO core.build_params VALUES (?, ?, ?, ?, ?)",
                [day, settings.sla.working_days, settings.sla.goal,
                 settings.sla.at_risk_working_days, local_now(settings)])
    write_pattern_params(con, settings)
    write_value_labels(con)
    return day


def write_pattern_params(con, settings: Settings) -> None:
    """The pattern-flag thresholds (README 'Pattern flags') as a one-row table for the models."""
    replace_table(con, "core.pattern_params", pd.DataFrame([settings.patterns.model_dump()]))


def write_value_labels(con) -> None:
    """Codes with their Vietnamese labels, so flags and reports can speak both languages."""
    from pipelines.ingest.labels import VALUE_LABELS

    frame = pd.DataFrame([(f, code, vi) for f, labels in VALUE_LABELS.items()
                          for code, vi in labels.items()], columns=["field", "code", "label_vi"])
    replace_table(con, "core.value_labels", frame)


def write_calendar(con, settings: Settings) -> int:
    """core.calendar over every date the data touches, with a margin both sides."""
    from pipelines.calendar import build_calendar, calendar_range  # holidays imports slowly

    lo, hi = con.execute("""SELECT min(received_at)::DATE, greatest(max(received_at)::DATE,
        max(first_response_at)::DATE, max(resolved_at)::DATE, (SELECT max(as_of) FROM
        core.build_params)) FROM core.complaints""").fetchall()[0]
    today = dt.date.today()
    lo, hi = lo or today, hi or today
    frame = build_calendar(*calendar_range(lo, hi), settings.calendar_file)
    return replace_table(con, "core.calendar", frame)


def rejected_share_problem(con, settings: Settings) -> str | None:
    """The latest register export must not have more rows rejected than the allowed share."""
    rows = con.execute("""SELECT source_file, rows_rejected, rows_read FROM core.load_log
        WHERE kind = 'register' ORDER BY exported_at DESC, load_id DESC LIMIT 1""").fetchall()
    if not rows:
        return "no register export has been loaded yet"
    source, rejected, read = rows[0]
    share = rejected / read if read else 0
    if share > settings.max_rejected_share:
        return (f"{source}: {rejected} of {read} rows ({share:.1%}) were rejected, more than "
                f"the allowed {settings.max_rejected_share:.0%}; fix the export and load it "
                f"again (see quarantine.rejected_rows)")
    return None


def mart_models() -> list[str]:
    """Derived tables rebuilt by `complaints build`, in dependency order."""
    models = discover_models(MODELS_DIR)
    return [t for t in model_order(models) if t.startswith("marts.")]


def build_model(con, table: str) -> int:
    return materialise(con, discover_models(MODELS_DIR)[table])


def preview(con, table: str, limit: int = 5) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {table} LIMIT {limit}").df()
