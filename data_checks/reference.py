"""Expectation suites for the reference exports: staff, partners and activity (exposure)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from base.kinds import KINDS, Kind

COLUMNS: dict[str, list[str]] = {
    Kind.staff: ["source_row", "employee_id", "unreadable_date"],
    Kind.partners: ["source_row", "partner_id", "unreadable_date"],
    Kind.activity: [
        "source_row",
        "subject_key",
        "month",
        "month_given",
        "interactions",
        "interactions_given",
        "id_cut",
        "id_refused",
    ],
}


def reference_suite(kind: str) -> gx.ExpectationSuite:
    key = KINDS[kind].record_key
    e: list = [
        gxe.ExpectColumnValuesToNotBeNull(column=key, meta={"rule": "missing_key"}),
        gxe.ExpectColumnValuesToBeUnique(column=key, meta={"rule": "duplicate_key"}),
    ]
    if kind in (Kind.staff, Kind.partners):
        # staging names a start or end date that was given but cannot be read
        e.append(
            gxe.ExpectColumnValuesToBeNull(
                column="unreadable_date", meta={"rule": "unreadable_directory_date"}
            )
        )
    if kind == Kind.activity:
        e += [
            gxe.ExpectColumnValuesToNotBeNull(
                column="month",
                row_condition=Column("month_given").is_not_null(),
                meta={"rule": "unparseable_month"},
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="month_given", meta={"rule": "unparseable_month"}
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="interactions", meta={"rule": "invalid_interactions"}
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="interactions", min_value=0, meta={"rule": "invalid_interactions"}
            ),
            # staging names the id columns that held more than a code, or no code
            gxe.ExpectColumnValuesToBeNull(column="id_cut", meta={"rule": "id_cut_to_code"}),
            gxe.ExpectColumnValuesToBeNull(column="id_refused", meta={"rule": "id_not_a_code"}),
        ]
    return gx.ExpectationSuite(name=kind, expectations=e)
