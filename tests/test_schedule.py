"""The monthly review fires at 07:00 on the first working day of each month, for the month
before, on the Vietnamese working calendar (hand-computed days)."""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import RunRequest, SkipReason, build_schedule_context, instance_for_test

from pipelines.schedules import first_working_day, monthly_review_schedule, review_request

D = dt.date


@pytest.mark.parametrize(
    ("month", "expected", "why"),
    [
        # 01/01 Thu New Year; 02/01 Fri off (swapped for Sat 10/01); 03-04 weekend.
        (D(2026, 1, 1), D(2026, 1, 5), "New Year plus the 2026 swap"),
        (D(2026, 2, 1), D(2026, 2, 2), "01/02 is a Sunday"),
        # 01/05 Fri Labour Day, 02-03 weekend.
        (D(2026, 5, 1), D(2026, 5, 4), "Labour Day then a weekend"),
        # 01/09 Tue and 02/09 Wed National Day.
        (D(2026, 9, 1), D(2026, 9, 3), "National Day holidays"),
        (D(2026, 10, 1), D(2026, 10, 1), "an ordinary Thursday"),
    ],
)
def test_first_working_day(month, expected, why):
    assert first_working_day(month) == expected, why


def test_fires_once_a_month_for_the_month_before():
    request = review_request(D(2026, 1, 5))
    assert isinstance(request, RunRequest) and request.partition_key == "2025-12-01"
    assert isinstance(review_request(D(2026, 1, 2)), SkipReason)  # the swapped day off
    assert isinstance(review_request(D(2026, 1, 6)), SkipReason)


def test_schedule_evaluates_through_dagster(warehouse):
    from pipelines.definitions import defs

    def tick(instance):
        with build_schedule_context(
            scheduled_execution_time=dt.datetime(2026, 9, 3, 7, 0),
            resources={"warehouse": warehouse},
            repository_def=defs.get_repository_def(),
            instance=instance,
        ) as context:
            return monthly_review_schedule.evaluate_tick(context)

    with instance_for_test() as instance:
        # August not built yet (not a partition of the register's months): skipped, not failed
        assert not tick(instance).run_requests
        assert "2026-08" in tick(instance).skip_message
        instance.add_dynamic_partitions("report_months", ["2026-07-01", "2026-08-01"])
        requests = list(tick(instance).run_requests or [])
    assert [r.partition_key for r in requests] == ["2026-08-01"]
