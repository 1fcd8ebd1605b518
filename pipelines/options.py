"""What a person chooses when running the pipeline (the kind of export, its scope, the language)
and the error a failed run raises. Kept apart from pipelines.runs, which imports Dagster: the CLI
parses options, prints help and reports errors without that import."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What an export holds."""

    register = "register"
    staff = "staff"
    partners = "partners"
    activity = "activity"


class Scope(StrEnum):
    """full: the export lists every complaint; delta: only some."""

    full = "full"
    delta = "delta"


class Lang(StrEnum):
    vi = "vi"
    en = "en"


class RunFailed(Exception):
    """A job failed for reasons the user can act on; one reason per line."""
