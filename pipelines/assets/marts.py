"""Build stage: the working calendar, build parameters, then the marts: one asset per SQL model
in models/marts, all computed in one step (a multi_asset)."""

from collections.abc import Iterator

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetsDefinition,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    multi_asset,
)

from pipelines import flags_issued, month_marts
from pipelines.assets.keys import (
    BUILD_GROUP,
    BUILD_PARAMS,
    CALENDAR,
    COMPLAINTS,
    MARTS_GROUP,
    table_key,
)
from pipelines.build_params import report_months, write_build_params
from pipelines.gate import rejected_share_problem
from pipelines.models import MODELS_DIR, build_model, discover_models, mart_models, preview
from pipelines.resources import WarehouseResource

REPORT_MONTHS = "report_months"  # the dynamic partitions of reports/monthly_review
# Tables written alongside core.build_params by the same step.
WRITTEN_BY_BUILD_PARAMS = {"core.pattern_params": BUILD_PARAMS, "core.value_labels": BUILD_PARAMS}


class BuildConfig(Config):
    as_of: str | None = None  # YYYY-MM-DD; default: the latest exported_at loaded


@asset(key=BUILD_PARAMS, deps=[COMPLAINTS], group_name=BUILD_GROUP)
def build_params(
    context: AssetExecutionContext, config: BuildConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    """as_of and the SLA settings the SQL models read (clause 5.1); the register's months become
    partitions of the monthly review (any year)."""
    with warehouse.connection() as con:
        as_of = write_build_params(con, warehouse.settings, config.as_of)
        months = [m.isoformat() for m in report_months(con)]
    known = set(context.instance.get_dynamic_partitions(REPORT_MONTHS))
    new = [m for m in months if m not in known]
    if new:
        context.instance.add_dynamic_partitions(REPORT_MONTHS, new)
    return MaterializeResult(metadata={"as_of": str(as_of), "report months": len(months)})


@asset_check(asset=BUILD_PARAMS, blocking=True, name="latest_export_rejected_share")
def latest_export_quality_gate(warehouse: WarehouseResource) -> AssetCheckResult:
    """Stops the marts and reports when the latest register export was mostly rejected."""
    with warehouse.connection() as con:
        problem = rejected_share_problem(con, warehouse.settings)
    return AssetCheckResult(
        passed=problem is None, severity=AssetCheckSeverity.ERROR, description=problem or "ok"
    )


@asset(key=CALENDAR, deps=[BUILD_PARAMS], group_name=BUILD_GROUP)
def calendar(warehouse: WarehouseResource) -> MaterializeResult:
    """The Vietnamese working calendar over every date the data touches."""
    from pipelines.calendar import write_calendar  # holidays imports slowly: not at load

    with warehouse.connection() as con:
        days = write_calendar(con, warehouse.settings)
    return MaterializeResult(metadata={"days": days})


def _mart_spec(table: str) -> AssetSpec:
    model = discover_models(MODELS_DIR)[table]
    deps = sorted(
        {WRITTEN_BY_BUILD_PARAMS.get(ref, table_key(ref)) for ref in model.refs()},
        key=str,
    ) or [BUILD_PARAMS]
    return AssetSpec(
        table_key(table),
        deps=deps,
        group_name=MARTS_GROUP,
        description=model.sql.split("\n", 1)[0].lstrip("- "),
    )


def _marts_asset() -> AssetsDefinition:
    """Every SQL model of models/marts as one Dagster step: one AssetSpec per table keeps the
    lineage per table (the deps read from each SELECT), while the step's overhead is paid once,
    not once per table. Subsettable: a selection builds only the selected tables, in order."""
    tables = mart_models()
    month_marts.check_models(discover_models(MODELS_DIR))

    @multi_asset(specs=[_mart_spec(t) for t in tables], can_subset=True, name="marts")
    def marts(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        selected = context.selected_asset_keys
        with warehouse.connection() as con:
            for table in tables:
                key = table_key(table)
                if key not in selected:
                    continue
                metadata = _build(con, table)
                sample = preview(con, table)
                yield MaterializeResult(
                    asset_key=key,
                    metadata={
                        **metadata,
                        "preview": MetadataValue.md(
                            sample.to_markdown(index=False) if len(sample.columns) < 20 else ""
                        ),
                    },
                )

    return marts


def _build(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int | str]:
    """Build one mart; a month-partitioned one says which months it recomputed."""
    if table == "marts.pattern_flags":
        rows = build_model(con, table)
        return {"rows": rows, "flags live as issued": flags_issued.record(con)}
    if not month_marts.is_partitioned(table):
        return {"rows": build_model(con, table)}
    built = month_marts.build(con, discover_models(MODELS_DIR)[table])
    months = "all" if built.months is None else ", ".join(f"{m:%Y-%m}" for m in built.months)
    return {"rows": built.rows, "months recomputed": months or "none"}


def mart_assets() -> list[AssetsDefinition]:
    return [_marts_asset()]
