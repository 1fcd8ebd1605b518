"""What a person chooses when running the pipeline (the kind of export, its scope, the language)
and the error a failed run raises. Kept apart from pipelines.runs, which imports Dagster: the CLI
parses options, prints help and reports errors without that import."""

from __future__ import annotations

from enum import StrEnum

# The export kinds are a registry of their own (base/kinds.py), read below the CLI too.
from base.kinds import Kind

__all__ = ["Kind", "Lang", "RunFailed", "Scope"]


class Scope(StrEnum):
    """full: the export lists every complaint; delta: only some."""

    full = "full"
    delta = "delta"


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class RunFailed(Exception):
    """A job failed for reasons the user can act on; one reason per line."""
