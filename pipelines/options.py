"""What a person chooses when running the pipeline (the kind of export, its scope, the language)
and the error a failed run raises. Kept apart from pipelines.runs, which imports Dagster: the CLI
parses options, prints help and reports errors without that import."""

from __future__ import annotations

# Defined in base/, where the assets' typed config and the ingest and report code read them too.
from base.kinds import Kind, Scope
from base.langs import Lang

__all__ = ["Kind", "Lang", "RunFailed", "Scope"]


class RunFailed(Exception):
    """A job failed for reasons the user can act on; one reason per line."""
