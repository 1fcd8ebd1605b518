"""The asset groups and the asset keys that more than one module names, each defined once.

Jobs select assets by group (pipelines/jobs.py) with the same constants the assets are declared
with, so a group renamed here is renamed on both sides, and a misspelt one is a NameError, not
an asset silently missing from a job. Plain strings, not an Enum: Dagster stores group names in
its run snapshots, whose serialiser refuses an Enum it does not know.
"""

from __future__ import annotations

from dagster import AssetKey

INGEST_GROUP = "ingest"  # the export files loaded: core and quarantine tables
BUILD_GROUP = "build"  # build parameters and the working calendar
MARTS_GROUP = "marts"  # one asset per models/marts/*.sql
REPORTS_GROUP = "reports"  # the monthly review
GROUPS = (INGEST_GROUP, BUILD_GROUP, MARTS_GROUP, REPORTS_GROUP)


def table_key(table: str) -> AssetKey:
    """The asset of a warehouse table: ``core.load_log`` is ``core/load_log``."""
    return AssetKey(table.split("."))


COMPLAINTS = table_key("core.complaints")
LOAD_LOG = table_key("core.load_log")
BUILD_PARAMS = table_key("core.build_params")
CALENDAR = table_key("core.calendar")
MONTHLY_REVIEW = AssetKey(["reports", "monthly_review"])
