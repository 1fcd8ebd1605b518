"""What a test run stored, read from Dagster's events through its typed accessors: an event's
``event_specific_data`` is a union of some twenty-five kinds, narrowed here once."""

from __future__ import annotations

from dagster import ExecuteInProcessResult


def materialised_keys(result: ExecuteInProcessResult) -> set[str]:
    """The assets a run materialised, as "schema/table"."""
    return {
        "/".join(event.step_materialization_data.materialization.asset_key.path)
        for event in result.get_asset_materialization_events()
    }
