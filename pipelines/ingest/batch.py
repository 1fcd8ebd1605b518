"""A batch of exports loaded one after another: each file whole or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from base.errors import InputError
from base.kinds import Kind, Scope
from base.settings import Settings
from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.load import LoadResult, load_file
from pipelines.ingest.readers import EXPORT_SUFFIXES
from pipelines.when import parse_when


@dataclass
class IngestOutcome:
    results: list[LoadResult]
    errors: list[InputError]


def ingest(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    paths: list[str],
    kind: str = Kind.register,
    exported_at: str | None = None,
    mapping: str | None = None,
    scope: str = Scope.full,
    dry_run: bool = False,
    say: Callable[[str], None] | None = None,
) -> IngestOutcome:
    """Load each file whole or not at all; unusable files are reported, the others still load.

    ``say`` gets each file's outcome line as soon as that file is done, before the next is read
    (a large batch takes minutes: a person sees each file finish)."""
    when: dt.datetime | None = parse_when(exported_at) if exported_at else None
    user_mapping = HeaderMapping.load(Path(mapping)) if mapping else None
    results, errors = [], []
    for path in expand(paths):
        try:
            result = load_file(
                con, path, kind, settings, user_mapping, when, scope, dry_run=dry_run
            )
        except InputError as exc:
            errors.append(exc)
            line = f"refused: {exc}"
        else:
            results.append(result)
            line = outcome_line(result, dry_run)
        if say:
            say(line)
    if any(r.rows_checked for r in results):
        # GX imports slowly: only after a load that validated rows (none for a file seen before)
        from data_checks.runner import publish_docs

        publish_docs(settings.home)
    return IngestOutcome(results, errors)


def outcome_line(result: LoadResult, dry_run: bool = False) -> str:
    """One file's outcome in one line: its status and rows read, loaded, unchanged, rejected."""
    status = "dry run" if dry_run and result.status == "loaded" else result.status
    verb = "would load" if dry_run else "loaded"
    return (
        f"{result.source_file}: {status}, read {result.rows_read}, {verb} "
        f"{result.rows_loaded}, unchanged {result.rows_unchanged}, rejected "
        f"{result.rows_rejected}"
    )


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a folder stands for the exports in it, in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in EXPORT_SUFFIXES)
        else:
            out.append(p)
    return out
