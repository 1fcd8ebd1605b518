"""The field order of each date column of one file: day-first, month-first or year-first.

Like DuckDB's CSV sniffer choosing a date format for a column, the order that reads every
value of the column wins. The work is one set-based query over the column's distinct date parts
(a few thousand at most, whatever the file's size); Python only picks among three answers.

- One order reads every value, or the orders that do all read it the same way: that order.
- Several orders read every value differently (every day and month <= 12): the mapping's
  declared ``date_order`` (for the column, else for the file); else the order the file's other
  date columns showed, when they agree (a US export's resolved_at all <= 12 is month-first
  like its received_at); else day-first, with one warning per file that it was assumed.
- No single order reads every value: 'mixed'. Values that read the same in every order that
  can read them (13/01/2024, 01/13/2024, 05/05/2024) are read; the others are refused.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import duckdb

from base.kinds import KINDS
from pipelines.ingest.headers import HeaderMapping

ORDERS = ("dmy", "mdy", "ymd")


@dataclass
class DateOrder:
    field: str
    date_order: str  # dmy | mdy | ymd | mixed
    assumed: bool = False  # the values could not tell, and nothing was declared
    evidence: str = ""  # mixed: values only one order reads ('13/01/2024, 01/13/2024')
    fitting: list[str] = dataclasses.field(default_factory=list)  # the orders that read every value
    decided_by_values: bool = False  # exactly one order reads every value


def _column_sql(name: str) -> str:
    return f"""SELECT '{name}' AS field, d,
            ts_read_date(d, 'dmy') AS dmy, ts_read_date(d, 'mdy') AS mdy,
            ts_read_date(d, 'ymd') AS ymd
        FROM (SELECT DISTINCT ts_date_part(head) AS d
              -- the text before the first space, distinct: about one per day, so the
              -- regular expressions run on thousands of values, not on every row
              FROM (SELECT DISTINCT split_part({name}, ' ', 1) AS head FROM raw_rows
                    WHERE {name} IS NOT NULL))
        WHERE d <> ''"""


def decide(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    fields: list[str],
    mapping: HeaderMapping | None,
    also: tuple[str, ...] = (),
) -> list[DateOrder]:
    """Each date column's order, also as the macro date_order_of(field) for staging.
    ``also``: other columns of raw_rows that may hold dates (an event log's order_by)."""
    present = [f for f in KINDS[kind].date_fields if f in fields] + list(also)
    decisions = []
    if present:
        rows = con.execute(f"""
            WITH readings AS ({" UNION ALL ".join(_column_sql(f) for f in present)}),
            readable AS (SELECT * FROM readings WHERE coalesce(dmy, mdy, ymd) IS NOT NULL)
            SELECT field,
                count(*) FILTER (dmy IS NULL) = 0, count(*) FILTER (mdy IS NULL) = 0,
                count(*) FILTER (ymd IS NULL) = 0,
                count(*) FILTER (dmy <> mdy) > 0, count(*) FILTER (dmy <> ymd) > 0,
                count(*) FILTER (mdy <> ymd) > 0,
                min(d) FILTER (dmy IS NOT NULL AND mdy IS NULL),
                min(d) FILTER (mdy IS NOT NULL AND dmy IS NULL),
                min(d) FILTER (ymd IS NOT NULL AND dmy IS NULL AND mdy IS NULL)
            FROM readable GROUP BY field""").fetchall()
        found = {r[0]: r[1:] for r in rows}
        decisions = [_decide_one(f, found.get(f), mapping) for f in present]
        _follow_the_file(decisions)
    con.execute(_case_macro("date_order_of", {d.field: d.date_order for d in decisions}, "dmy"))
    con.execute(_case_macro("date_order_evidence", {d.field: d.evidence for d in decisions}, ""))
    return decisions


def _case_macro(name: str, values: dict[str, str], default: str) -> str:
    """A macro of a field name: a CASE over literals, folded to a constant where it is used.
    (Field names and orders are ours; evidence is digits and '/', so quoting is safe.)"""
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in values.items())
    body = f"CASE f {cases} ELSE '{default}' END" if cases else f"'{default}'"
    return f"CREATE OR REPLACE TEMP MACRO {name}(f) AS {body}"


def _decide_one(name: str, found: tuple | None, mapping: HeaderMapping | None) -> DateOrder:
    declared = mapping.date_order_for(name) if mapping else None
    if found is None:  # no value depends on the order (ISO dates, serials, or none at all)
        return DateOrder(name, declared or "dmy")
    fits = dict(zip(ORDERS, found[0:3], strict=True))
    differ = {("dmy", "mdy"): found[3], ("dmy", "ymd"): found[4], ("mdy", "ymd"): found[5]}
    fitting = [o for o in ORDERS if fits[o]]
    if not fitting:
        # one value only day-first reads, one only month-first (or year-first) reads
        examples = ", ".join(v for v in found[6:9] if v)
        return DateOrder(name, "mixed", evidence=examples)
    choices_differ = any(differ[(a, b)] for a in fitting for b in fitting if a < b)
    if not choices_differ:
        return DateOrder(
            name,
            declared if declared in fitting else fitting[0],
            decided_by_values=len(fitting) == 1,
        )
    if declared in fitting:
        return DateOrder(name, declared)
    return DateOrder(name, fitting[0], assumed=True, fitting=fitting)


def _follow_the_file(decisions: list[DateOrder]) -> None:
    """An undecided column takes the order its file's decided columns agree on, if it fits."""
    shown = {d.date_order for d in decisions if d.decided_by_values}
    if len(shown) != 1:
        return
    order = shown.pop()
    for d in decisions:
        if d.assumed and order in d.fitting:
            d.date_order, d.assumed = order, False
