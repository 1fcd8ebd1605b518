"""The monthly review runs at 07:00 company time (settings.timezone, Asia/Ho_Chi_Minh) on the
first working day of each month."""

import datetime as dt
from pathlib import Path

from dagster import RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from base.settings import get_settings
from pipelines.assets.marts import REPORT_MONTHS
from pipelines.jobs import report_job
from pipelines.resources import WarehouseResource


def first_working_day(month: dt.date, calendar_file: Path | None = None) -> dt.date:
    """The first working day of ``month`` on the Vietnamese working calendar."""
    from pipelines.calendar import build_calendar  # holidays imports slowly: not at load

    start = month.replace(day=1)
    days = build_calendar(start, start + dt.timedelta(days=31), calendar_file)
    working = days.loc[days["is_working_day"], "date"]
    return working.iloc[0].date() if hasattr(working.iloc[0], "date") else working.iloc[0]


def review_request(today: dt.date, calendar_file: Path | None = None) -> RunRequest | SkipReason:
    if today != first_working_day(today, calendar_file):
        return SkipReason(f"{today} is not the first working day of the month")
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    key = previous.isoformat()
    return RunRequest(run_key=key, partition_key=key)


@schedule(job=report_job, cron_schedule="0 7 * * *", execution_timezone=get_settings().timezone)
def monthly_review_schedule(
    context: ScheduleEvaluationContext, warehouse: WarehouseResource
) -> RunRequest | SkipReason:
    """Checked every morning; fires on the month's first working day for the month before."""
    today = context.scheduled_execution_time.date()
    request = review_request(today, warehouse.settings.calendar_file)
    if isinstance(request, RunRequest) and not context.instance.has_dynamic_partition(
        REPORT_MONTHS, str(request.partition_key)
    ):
        return SkipReason(f"no data for {str(request.partition_key)[:7]} (not built yet)")
    return request
