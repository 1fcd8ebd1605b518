"""Flags as issued (issue 24): after each build of marts.pattern_flags, core.flags_issued keeps
every flag as first raised, with the build and data it came from, and records when and why a
later build withdrew or changed it (flags_issued.sql). HR decisions rest on flags as they were
issued, so a rebuild can never silently rewrite one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from base.warehouse import scalar

SQL = Path(__file__).with_name("flags_issued.sql")


def record(con: duckdb.DuckDBPyConnection) -> int:
    """Withdraw the live flags the build no longer raises as they were, issue the new ones;
    returns the flags live after the build."""
    con.execute(SQL.read_text(encoding="utf-8"))
    return int(scalar(con, "SELECT count(*) FROM core.flags_issued WHERE withdrawn_at IS NULL"))
