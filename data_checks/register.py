"""Expectation suite for register exports (GX Core 1.x), one expectation per rule.

The suite runs on the typed rows of one file (pipelines/ingest/staging/register_rows.sql), in DuckDB
(data_checks/gx_duckdb.py); row conditions are GX's backend-neutral Column conditions.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from base.labels import CONDUCT_CATEGORIES, VALUE_LABELS

TIMESTAMPS = ("received_at", "first_response_at", "resolved_at", "review_requested_at")
ORDERED_AFTER_RECEIPT = {
    "first_response_at": "response_before_receipt",
    "resolved_at": "resolved_before_receipt",
    "review_requested_at": "review_before_receipt",
}
COLUMNS = [
    "source_row",
    "complaint_id",
    "category",
    "subcategory",
    "subcategory_known",
    "employee_id",
    "partner_id",
    "exported_at",
    "channel",
    "status",
    "outcome",
    "review_outcome",
    "date_order_problem",
    "id_cut",
    "id_refused",
    *TIMESTAMPS,
    *(f"{t}_given" for t in TIMESTAMPS),
]


def _meta(rule: str) -> dict:
    return {"rule": rule}


def register_suite(staff_ids: list[str], partner_ids: list[str]) -> gx.ExpectationSuite:
    """The register rules; directory checks only when a directory has been loaded."""
    e: list = [
        gxe.ExpectColumnValuesToNotBeNull(
            column="complaint_id", meta=_meta("missing_complaint_id")
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="received_at_given", meta=_meta("missing_received_at")
        ),
    ]
    for ts in TIMESTAMPS:
        e.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=ts,
                row_condition=Column(f"{ts}_given").is_not_null(),
                meta=_meta(f"unparseable_{ts}"),
            )
        )
    for ts, rule in ORDERED_AFTER_RECEIPT.items():
        e.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=ts,
                column_B="received_at",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta(rule),
            )
        )
    e += [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="exported_at",
            column_B="received_at",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("received_after_export"),
        ),
        # staging names a date whose day/month order its column cannot tell (dates.py)
        gxe.ExpectColumnValuesToBeNull(column="date_order_problem", meta=_meta("date_order_mixed")),
        # Exact duplicate rows are removed before validation, so any repeat differs in content.
        gxe.ExpectColumnValuesToBeUnique(
            column="complaint_id", meta=_meta("duplicate_complaint_id")
        ),
        # Warnings: the row is kept.
        gxe.ExpectColumnValuesToBeInSet(
            column="category",
            value_set=list(VALUE_LABELS["category"]),
            meta=_meta("unknown_category"),
        ),
        *(
            # an unknown label is kept as given; the warning names it
            gxe.ExpectColumnValuesToBeInSet(
                column=coded, value_set=list(VALUE_LABELS[coded]), meta=_meta(f"unknown_{coded}")
            )
            for coded in ("channel", "status", "outcome", "review_outcome")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="subcategory_known",
            value_set=[True],
            row_condition=Column("category").is_in(list(CONDUCT_CATEGORIES))
            & Column("subcategory").is_not_null(),
            meta=_meta("unknown_subcategory"),
        ),
        # staging names the id columns that held more than a code, or no code
        gxe.ExpectColumnValuesToBeNull(column="id_cut", meta=_meta("id_cut_to_code")),
        gxe.ExpectColumnValuesToBeNull(column="id_refused", meta=_meta("id_not_a_code")),
        gxe.ExpectColumnValuesToNotBeNull(
            column="employee_id",
            row_condition=Column("category") == "staff_conduct",
            meta=_meta("staff_conduct_without_employee"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="partner_id",
            row_condition=Column("category") == "partner_conduct",
            meta=_meta("partner_conduct_without_partner"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="first_response_at",
            row_condition=Column("resolved_at").is_not_null(),
            meta=_meta("resolved_without_response"),
        ),
    ]
    if staff_ids:
        e.append(
            gxe.ExpectColumnValuesToBeInSet(
                column="employee_id", value_set=staff_ids, meta=_meta("unknown_employee")
            )
        )
    if partner_ids:
        e.append(
            gxe.ExpectColumnValuesToBeInSet(
                column="partner_id", value_set=partner_ids, meta=_meta("unknown_partner")
            )
        )
    return gx.ExpectationSuite(name="register", expectations=e)
