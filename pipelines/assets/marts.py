"""Build stage: the working calendar, build parameters, then one asset per SQL model in models/."""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from pipelines.resources import WarehouseResource
from pipelines.warehouse import MODELS_DIR, discover_models
from pipelines.work import (
    build_model,
    mart_models,
    preview,
    rejected_share_problem,
    write_build_params,
    write_calendar,
)

COMPLAINTS = AssetKey(["core", "complaints"])
BUILD_PARAMS = AssetKey(["core", "build_params"])
CALENDAR = AssetKey(["core", "calendar"])
# Tables written alongside core.build_params by the same step.
WRITTEN_BY_BUILD_PARAMS = {"core.pattern_params": BUILD_PARAMS, "core.value_labels": BUILD_PARAMS}


class BuildConfig(Config):
    as_of: str | None = None  # YYYY-MM-DD; default: the latest exported_at loaded


@asset(key=BUILD_PARAMS, deps=[COMPLAINTS], group_name="build")
def build_params(config: BuildConfig, warehouse: WarehouseResource) -> MaterializeResult:
    """as_of and the SLA settings the SQL models read (clause 5.1)."""
    with warehouse.connection() as con:
        as_of = write_build_params(con, warehouse.settings, config.as_of)
    return MaterializeResult(metadata={"as_of": str(as_of)})


@asset_check(asset=BUILD_PARAMS, blocking=True, name="latest_export_rejected_share")
def latest_export_quality_gate(warehouse: WarehouseResource) -> AssetCheckResult:
    """Stops the marts and reports when the latest register export was mostly rejected."""
    with warehouse.connection() as con:
        problem = rejected_share_problem(con, warehouse.settings)
    return AssetCheckResult(passed=problem is None, severity=AssetCheckSeverity.ERROR,
                            description=problem or "ok")


@asset(key=CALENDAR, deps=[BUILD_PARAMS], group_name="build")
def calendar(warehouse: WarehouseResource) -> MaterializeResult:
    """The Vietnamese working calendar over every date the data touches."""
    with warehouse.connection() as con:
        days = write_calendar(con, warehouse.settings)
    return MaterializeResult(metadata={"days": days})


def _model_asset(table: str) -> AssetsDefinition:
    model = discover_models(MODELS_DIR)[table]
    deps = sorted({WRITTEN_BY_BUILD_PARAMS.get(ref, AssetKey(ref.split(".")))
                   for ref in model.refs()}, key=str) or [BUILD_PARAMS]

    @asset(key=AssetKey(table.split(".")), deps=deps, group_name="marts",
           description=model.sql.split("\n", 1)[0].lstrip("- "), name=None)
    def _build(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.connection() as con:
            rows = build_model(con, table)
            sample = preview(con, table)
        return MaterializeResult(metadata={
            "rows": rows, "preview": MetadataValue.md(sample.to_markdown(index=False)
                                                      if len(sample.columns) < 20 else "")})

    _build.__name__ = table.replace(".", "__")
    return _build


def mart_assets() -> list[AssetsDefinition]:
    return [_model_asset(t) for t in mart_models()]
