"""The Dagster code location: every asset, check, job, sensor and schedule of the pipeline."""

from dagster import Definitions

from pipelines.assets.ingest import ingest_exports
from pipelines.assets.marts import build_params, calendar, latest_export_quality_gate, mart_assets
from pipelines.assets.reports import hr_dossier_job, monthly_review
from pipelines.jobs import build_job, inbox_job, ingest_job, report_job
from pipelines.resources import warehouse_from_env
from pipelines.schedules import monthly_review_schedule
from pipelines.sensors import inbox_sensor

defs = Definitions(
    assets=[ingest_exports, build_params, calendar, *mart_assets(), monthly_review],
    asset_checks=[latest_export_quality_gate],
    jobs=[ingest_job, build_job, inbox_job, report_job, hr_dossier_job],
    sensors=[inbox_sensor],
    schedules=[monthly_review_schedule],
    resources={"warehouse": warehouse_from_env()},
)
