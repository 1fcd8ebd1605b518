"""The Dagster code location: every asset, check, job, sensor and schedule of the pipeline."""

from __future__ import annotations

from dagster import Definitions

from pipelines.assets.ingest import ingest_exports
from pipelines.assets.marts import build_params, calendar, latest_export_quality_gate, mart_assets
from pipelines.jobs import build_job, inbox_job, ingest_job
from pipelines.resources import warehouse_from_env
from pipelines.sensors import inbox_sensor

defs = Definitions(
    assets=[ingest_exports, build_params, calendar, *mart_assets()],
    asset_checks=[latest_export_quality_gate],
    jobs=[ingest_job, build_job, inbox_job],
    sensors=[inbox_sensor],
    resources={"warehouse": warehouse_from_env()},
)
