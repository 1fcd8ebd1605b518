"""Where a large load spends its time: every SQL statement of `load_file` over 0.15 s
($PROFILE_MIN_S) and the Great Expectations run, with the process's RSS after it
(`python -m benchmarks.profile_ingest CSV`). Prints a Markdown table for RESULTS.md.

`CSV HOME EXPORTED_AT` loads onto the warehouse of an existing home instead of an empty one,
as a later full export (the same file with a later date is a re-export of the register): the
statements that compare the file with every stored complaint run only then."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import duckdb
import psutil

STEPS: list[tuple[float, float, str]] = []


class TimedConnection:
    """The DuckDB connection with each execute timed (everything else passes through)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> duckdb.DuckDBPyConnection:
        started = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        _record(started, " ".join(str(sql).split())[:70])
        return result


def _record(started: float, what: str) -> None:
    wall = time.perf_counter() - started
    if wall > float(os.environ.get("PROFILE_MIN_S", "0.15")):
        STEPS.append((wall, psutil.Process().memory_info().rss / 1e6, what))
        # progress on stderr: a 10M load runs for many minutes, and a failure should say where
        print(f"{wall:8.2f} s  {STEPS[-1][1]:8.0f} MB  {what}", file=sys.stderr, flush=True)


def main(csv: Path, onto: Path | None = None, exported_at: str = "2026-09-30") -> None:
    home = onto or Path(tempfile.mkdtemp(prefix="bench-profile-"))
    os.environ.update(COMPLAINTS_HOME=str(home), COMPLAINTS_PSEUDONYM_KEY="bench")
    import data_checks.runner as runner
    from base.settings import get_settings
    from base.warehouse import connect, ensure_schema
    from pipelines.ingest.load import load_file
    from pipelines.when import parse_when

    suite = runner.run_suite

    def timed_suite(*args: Any, **kwargs: Any) -> list[tuple[int, str]]:
        started = time.perf_counter()
        found = suite(*args, **kwargs)
        _record(started, f"Great Expectations suite on {args[1]:,} rows (in DuckDB)")
        return found

    runner.run_suite = timed_suite
    settings = get_settings()
    started = time.perf_counter()
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        # A stand-in for the connection: every attribute but execute passes through.
        timed = cast(duckdb.DuckDBPyConnection, TimedConnection(con))
        load_file(timed, csv, "register", settings, None, parse_when(exported_at), "full")
    total = time.perf_counter() - started
    if onto is None:
        shutil.rmtree(home, ignore_errors=True)
    print("| step | wall s | RSS after, MB |\n|---|---|---|")
    for wall, rss, what in STEPS:
        print(f"| `{what}` | {wall:.2f} | {rss:.0f} |")
    print(f"| **load_file total** (imports excluded) | {total:.2f} | |")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
    else:
        main(Path(sys.argv[1]))
