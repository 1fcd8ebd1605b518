"""Jobs: the same ones run by the CLI, the Dagster UI, the inbox sensor and the schedule."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from pipelines.assets.ingest import ingest_exports
from pipelines.assets.keys import BUILD_GROUP, MARTS_GROUP, REPORTS_GROUP

INGEST = AssetSelection.assets(ingest_exports)
BUILD = AssetSelection.groups(BUILD_GROUP, MARTS_GROUP)

ingest_job = define_asset_job(
    "ingest_job", selection=INGEST, description="Load export files into core and quarantine."
)
build_job = define_asset_job(
    "build_job", selection=BUILD, description="Rebuild the calendar and every mart."
)
inbox_job = define_asset_job(
    "inbox_job",
    selection=INGEST | BUILD,
    description="Load one file from the inbox and rebuild the marts (the sensor's job).",
)

# Monthly partitions come from the selected asset (reports/monthly_review).
report_job = define_asset_job(
    "report_job",
    selection=AssetSelection.groups(REPORTS_GROUP),
    description="Write the month's management and quality reports and analyst tables.",
)
