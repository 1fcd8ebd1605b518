"""Report stage: the monthly review (management, quality, tables) as an asset partitioned by
the register's months, and the HR dossier, which is never materialised on a schedule: only on
explicit request."""

import datetime as dt

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    OpExecutionContext,
    asset,
    job,
    op,
)

from pipelines.assets.marts import REPORT_MONTHS
from pipelines.build_params import month_problem
from pipelines.resources import WarehouseResource

# The register's months, from its first month to the month of the latest build's as_of (any
# year): each build adds them (pipelines.assets.marts.build_params), keyed YYYY-MM-01.
monthly = DynamicPartitionsDefinition(name=REPORT_MONTHS)
REPORT_DEPS = [
    AssetKey(["marts", name])
    for name in (
        "sla_monthly",
        "sla_breakdown",
        "open_at_risk",
        "review_monthly",
        "register_integrity",
        "employee_monthly",
        "partner_monthly",
        "handler_monthly",
        "pattern_flags",
    )
]


class ReportConfig(Config):
    lang: str = "vi"  # vi | en


@asset(
    key=AssetKey(["reports", "monthly_review"]),
    partitions_def=monthly,
    deps=REPORT_DEPS,
    group_name="reports",
)
def monthly_review(
    context: AssetExecutionContext, config: ReportConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    """management.html, quality.html and tables.xlsx for the partition's month (clause 6.2)."""
    from reports.publish import write_month_reports  # plotly, scipy: not at definitions load

    month = dt.date.fromisoformat(context.partition_key)
    with warehouse.connection() as con:
        problem = month_problem(con, month)
        if problem:
            raise Failure(description=problem)
        paths = write_month_reports(con, warehouse.settings, month, config.lang)
    return MaterializeResult(
        metadata={"files": MetadataValue.json([str(p) for p in paths]), "lang": config.lang}
    )


class HrDossierConfig(Config):
    # The id of a request kept in the restricted folder (reports.hr_requests): Dagster keeps run
    # config in its run history, so the employee, who asked and why never go into it.
    request_id: str


@op
def hr_dossier(
    context: OpExecutionContext, config: HrDossierConfig, warehouse: WarehouseResource
) -> str:
    """Restricted per-employee evidence for HR (clause 7.1); every request is audited."""
    # plotly, scipy: not at definitions load
    from reports import hr_requests
    from reports.publish import write_hr_dossier

    settings = warehouse.settings
    request = hr_requests.load(settings, config.request_id)
    month = dt.date.fromisoformat(f"{request.month}-01")
    with warehouse.connection() as con:
        path = write_hr_dossier(
            con,
            settings,
            request.employee_id,
            month,
            request.requested_by,
            request.reason,
            request.lang,
        )
    hr_requests.discard(settings, config.request_id)
    context.log.info(f"HR dossier of request {config.request_id} written (restricted, audited)")
    return str(path)


@job(description="Write one employee's restricted HR dossier and record the request.")
def hr_dossier_job():
    hr_dossier()
