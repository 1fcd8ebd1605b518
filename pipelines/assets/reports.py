"""Report stage: the monthly review (management, quality, tables) as an asset partitioned by
the register's months, and the HR dossier, which is never materialised on a schedule: only on
explicit request."""

import datetime as dt
import re
from typing import TYPE_CHECKING

import duckdb
from dagster import (
    AssetExecutionContext,
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

from base.langs import Lang
from base.settings import Settings
from base.warehouse import has_table
from pipelines.assets.keys import MONTHLY_REVIEW, REPORTS_GROUP, table_key
from pipelines.assets.marts import REPORT_MONTHS
from pipelines.build_params import month_problem
from pipelines.models import final_marts
from pipelines.resources import WarehouseResource

if TYPE_CHECKING:
    from reports.hr_requests import HrRequest

# The register's months, from its first month to the month of the latest build's as_of (any
# year): each build adds them (pipelines.assets.marts.build_params), keyed YYYY-MM-01.
monthly = DynamicPartitionsDefinition(name=REPORT_MONTHS)
# The reports read nearly every mart (reports/data.py): the review depends on the marts no
# other mart reads, and so on every mart, derived from models/ as the marts' own lineage is.
REPORT_DEPS = [table_key(table) for table in final_marts()]


class ReportConfig(Config):
    lang: Lang = Lang.vi


@asset(
    key=MONTHLY_REVIEW,
    partitions_def=monthly,
    deps=REPORT_DEPS,
    group_name=REPORTS_GROUP,
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
        metadata={"files": MetadataValue.json([str(p) for p in paths]), "lang": str(config.lang)}
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
    from reports.publish import ReportError, audit_refusal, write_hr_dossier

    settings = warehouse.settings
    request = hr_requests.load(settings, config.request_id)
    month = dt.date.fromisoformat(f"{request.month}-01")
    with warehouse.connection() as con:
        refusal = hr_refusal(con, settings, request)
        if refusal is not None:
            audit_refusal(con, **refused_audit_row(settings, request), refusal=refusal)
            hr_requests.discard(settings, config.request_id)
            raise ReportError("HR dossier request", refusal)
        path = write_hr_dossier(
            con,
            settings,
            request.employee_id,
            month,
            request.requested_by,
            request.reason,
            request.lang,
            account=request.account,
        )
    hr_requests.discard(settings, config.request_id)
    context.log.info(f"HR dossier of request {config.request_id} written (restricted, audited)")
    return str(path)


def hr_refusal(
    con: duckdb.DuckDBPyConnection, settings: Settings, request: "HrRequest"
) -> str | None:
    """Why an HR dossier request is refused (one line, Vietnamese / English), or None: the
    account that ran the command is not in the settings' list of requesters, the employee is
    not a staff code (a path, SQL, a name), or no such code is in the staff list or register."""
    from reports import data

    account = request.account or "?"
    if account not in settings.privacy.hr_requesters:
        return (
            f"tài khoản '{account}' không được phép yêu cầu hồ sơ nhân sự "
            f"(COMPLAINTS_PRIVACY__HR_REQUESTERS) / account '{account}' may not request HR "
            "dossiers (COMPLAINTS_PRIVACY__HR_REQUESTERS)"
        )
    if not _is_code(settings, request.employee_id):
        return (
            "mã nhân viên không phải là một mã (NV0001) / the employee is not a staff code (NV0001)"
        )
    if (
        has_table(con, "marts.complaint_sla")
        and not data.employee_team(con, request.employee_id)[0]
    ):  # (nothing built yet: write_hr_dossier says so)
        return (
            f"mã nhân viên '{request.employee_id}' không có trong danh sách nhân viên hay sổ "
            f"khiếu nại / no staff code '{request.employee_id}' in the staff list or the register"
        )
    return None


def _is_code(settings: Settings, value: str) -> bool:
    return re.fullmatch(settings.privacy.id_code_pattern, value.strip()) is not None


def refused_audit_row(settings: Settings, request: "HrRequest") -> dict:
    """What a refused request leaves in core.audit_log: the employee only if it is a code, the
    self-declared requester and reason masked like free text and cut short (what was typed
    can name anyone)."""
    from pipelines.ingest.masking import mask

    employee = request.employee_id.strip()
    return {
        "requested_by": (mask(request.requested_by) or "")[:AUDIT_TEXT_LIMIT],
        "reason": (mask(request.reason) or "")[:AUDIT_TEXT_LIMIT],
        "employee": employee
        if _is_code(settings, employee)
        else f"[{len(employee)} ký tự, không phải mã / characters, not a code]",
        "month": request.month,
        "account": request.account or "?",
    }


AUDIT_TEXT_LIMIT = 200  # characters of a refused request's requester and reason kept


@job(description="Write one employee's restricted HR dossier and record the request.")
def hr_dossier_job():
    hr_dossier()
