"""What the reports read: plain SELECTs over the marts, one function per thing shown.

No business rule is computed here that a mart already holds; these only pick rows and columns.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt

import duckdb
import pandas as pd

from base.warehouse import has_table, scalar


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=_calendar.monthrange(month.year, month.month)[1])


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def frame(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list | None = None,
    needs: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """The query's rows, or None when one of the tables it needs has not been built."""
    if any(not has_table(con, t) for t in needs):
        return None
    return con.execute(sql, params or []).df()


def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    if not has_table(con, "core.build_params"):
        return None
    return scalar(con, "SELECT max(as_of) FROM core.build_params")


def sla_goal(con: duckdb.DuckDBPyConnection) -> float | None:
    return scalar(con, "SELECT max(sla_goal) FROM core.build_params")


def sla_months(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM marts.sla_monthly WHERE month BETWEEN ? AND ? ORDER BY month", [first, last]
    ).df()


def review_months(con: duckdb.DuckDBPyConnection, months: list[dt.date]) -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM marts.review_monthly WHERE list_contains(?, month)", [months]
    ).df()


def sla_as_at(con: duckdb.DuckDBPyConnection, month: dt.date, cutoff: dt.date) -> dict:
    """A receipt month's clause 5.1 figures as they stood on ``cutoff``: what was received,
    answered on time or late, open past its due date or still within it by then (the same rules
    as marts.complaint_sla, with ``cutoff`` in place of as_of), for like-with-like comparisons
    of a month that is not finished yet."""
    row = con.execute(
        """
        with known as (
            select
                due_date,
                case when response_date <= ? then response_date end as response_date,
                case when response_date <= ? then working_days_to_response end as days
            from marts.complaint_sla
            where receipt_date between ? and least(?, ?)
        )
        select
            count(*) as received,
            count(*) filter (where response_date <= due_date) as met,
            count(*) filter (where response_date > due_date) as breached,
            count(*) filter (where response_date is null and ? > due_date) as open_overdue,
            count(*) filter (where response_date is null and ? <= due_date) as open_within_sla,
            median(days) as median_working_days_to_response
        from known
        """,
        [cutoff, cutoff, month, month_end(month), cutoff, cutoff, cutoff],
    ).fetchall()[0]  # an aggregate: always one row (fetchall drains the result)
    keys = ("received", "met", "breached", "open_overdue", "open_within_sla")
    counts = dict(zip(keys, (int(v) for v in row[:5]), strict=True))
    judged = counts["met"] + counts["breached"] + counts["open_overdue"]
    return {
        **counts,
        "median_working_days_to_response": row[5],
        "compliance_rate": counts["met"] / judged if judged else None,
        "at": cutoff,
    }


def backlog(con: duckdb.DuckDBPyConnection, month: dt.date, as_of_day: dt.date) -> dict:
    """Open and open-overdue complaints at the month's end (or as_of, if earlier)."""
    end = min(month_end(month), as_of_day)
    rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE due_date < ?) FROM marts.complaint_sla "
        "WHERE receipt_date <= ? AND (response_date IS NULL OR response_date > ?)",
        [end, end, end],
    ).fetchall()
    return {"open": rows[0][0], "overdue": rows[0][1], "at": end}


def breakdown(
    con: duckdb.DuckDBPyConnection, dimension: str, first: dt.date, last: dt.date
) -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM marts.sla_breakdown WHERE dimension = ? "
        "AND month BETWEEN ? AND ? ORDER BY month, dimension_value",
        [dimension, first, last],
    ).df()


def partner_scorecard(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """partner_monthly for the month with the partner's name, SLA share and funnel verdict."""
    return frame(
        con,
        """
        with verdicts as (
            select subject_id, verdict from marts.funnel
            where subject_type = 'partner' and review_month = ?
        )
        select p.partner_id, c.name as partner_name, p.partner_type, p.complaints,
               p.substantiated, p.exposure, p.rate_per_1000, p.complaints_3m,
               p.substantiated_3m, p.exposure_3m, p.rate_3m_per_1000,
               b.received as sla_received,
               b.compliance_rate, v.verdict
        from marts.partner_monthly as p
        left join core.partners as c using (partner_id)
        left join marts.sla_breakdown as b
            on b.dimension = 'partner' and b.dimension_value = p.partner_id and b.month = p.month
        left join verdicts as v on v.subject_id = p.partner_id
        where p.month = ?
        order by p.substantiated_3m desc, p.complaints desc, p.partner_id
        """,
        [month, month],
        needs=("marts.partner_monthly", "marts.funnel", "core.partners"),
    )


def team_conduct(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """Complaints naming staff received in the month, per team, by their outcome so far: one
    month basis (receipt), so the outcome columns add up to the complaints (staff appear by
    team only here). Findings by the month they were decided are in the quality report."""
    return frame(
        con,
        """
        select coalesce(st.team, '(unknown)') as team, count(*) as complaints,
               count(*) filter (where s.outcome in ('upheld', 'partially_upheld'))
                   as substantiated,
               count(*) filter (where s.outcome = 'not_upheld') as not_upheld,
               count(*) filter (where s.outcome is null or s.outcome = 'pending') as pending,
               count(*) filter (where s.outcome = 'withdrawn') as withdrawn,
               count(*) filter (where s.outcome not in (
                   'upheld', 'partially_upheld', 'not_upheld', 'withdrawn', 'pending'
               )) as outcome_unrecognised,
               count(*) filter (where s.subcategory = 'abuse') as abuse,
               count(*) filter (where s.subcategory = 'threat') as threat,
               count(*) filter (where s.subcategory = 'unreasonable') as unreasonable,
               count(*) filter (where s.subcategory = 'offensive') as offensive,
               count(*) filter (where s.subcategory = 'inappropriate_demand')
                   as inappropriate_demand,
               count(*) filter (where s.subcategory = 'third_party_contact')
                   as third_party_contact,
               count(*) filter (where s.subcategory = 'excessive_contact') as excessive_contact,
               count(*) filter (where s.subcategory = 'data_disclosure') as data_disclosure
        from marts.complaint_subjects as s
        left join core.staff as st on st.employee_id = s.subject_id
        where s.subject_type = 'employee'
          and cast(date_trunc('month', s.received_at) as date) = ?
        group by all
        order by substantiated desc, complaints desc, team
        """,
        [month],
        needs=("marts.complaint_subjects", "core.staff"),
    )


def data_quality(con: duckdb.DuckDBPyConnection, month: dt.date) -> dict:
    """Loads, quarantined rows and warnings of files exported in the month."""
    first, last = month, month_end(month)
    window = "cast(l.exported_at as date) BETWEEN ? AND ?"
    loads = scalar(
        con,
        f"SELECT count(*) FROM core.load_log AS l WHERE {window} AND status = 'loaded'",
        [first, last],
    )
    rejected = con.execute(
        f"SELECT r.rule, any_value(r.reason_vi) AS reason_vi, any_value(r.reason_en) AS "
        f"reason_en, count(*) AS n FROM quarantine.rejected_rows AS r JOIN core.load_log AS l "
        f"USING (load_id) WHERE {window} GROUP BY r.rule ORDER BY n DESC, r.rule",
        [first, last],
    ).df()
    warnings = con.execute(
        f"SELECT w.rule, any_value(w.message_vi) AS message_vi, any_value(w.message_en) AS "
        f"message_en, count(*) AS n FROM quarantine.warnings AS w JOIN core.load_log AS l "
        f"USING (load_id) WHERE {window} GROUP BY w.rule ORDER BY n DESC, w.rule",
        [first, last],
    ).df()
    unresolved = scalar(
        con, "SELECT count(*) FROM quarantine.rejected_rows WHERE resolved_at IS NULL"
    )
    return {
        "loads": loads,
        "rejected": rejected,
        "warnings": warnings,
        "rejected_total": int(rejected["n"].sum()) if len(rejected) else 0,
        "warnings_total": int(warnings["n"].sum()) if len(warnings) else 0,
        "unresolved": unresolved,
    }


def integrity(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT complaint_id, issue, detail_vi, detail_en, earlier_export, "
        "later_export FROM marts.register_integrity "
        "ORDER BY later_export DESC, complaint_id, issue"
    ).df()


def integrity_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT issue, count(*) AS n FROM marts.register_integrity GROUP BY issue ORDER BY issue"
    ).df()


def heatmap(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """employee_monthly over the 12 months to the report month, staff with any complaint."""
    return frame(
        con,
        """
        select month, employee_id, team, complaints, substantiated
        from marts.employee_monthly
        where month between ? and ?
          and employee_id in (select employee_id from marts.employee_monthly
                              where month between ? and ? and complaints > 0)
        order by team, employee_id, month
        """,
        [add_months(month, -11), month, add_months(month, -11), month],
        needs=("marts.employee_monthly",),
    )


def funnel(
    con: duckdb.DuckDBPyConnection, subject_type: str, month: dt.date
) -> pd.DataFrame | None:
    """The funnel window of the month's review (the outlier window ending in the month)."""
    return frame(
        con,
        """
        select * from marts.funnel
        where subject_type = ? and review_month = ?
        order by peer_group, subject_id
        """,
        [subject_type, month],
        needs=("marts.funnel",),
    )


def flags(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """Pattern flags of the month's review."""
    return frame(
        con,
        """
        select * from marts.pattern_flags
        where review_month = ?
        order by case severity when 'high' then 0 when 'medium' then 1 else 2 end,
                 subject_type, subject_id, rule
        """,
        [month],
        needs=("marts.pattern_flags",),
    )


def flag_evidence(con: duckdb.DuckDBPyConnection, month: dt.date, limit: int) -> pd.DataFrame:
    """The first ``limit`` complaints behind each of the month's flags, in one query: dates,
    category, subcategory, outcome (no free text)."""
    return con.execute(
        """
        with ids as (
            select subject_type, subject_id, rule, unnest(complaint_ids) as complaint_id,
                   unnest(generate_series(1, len(complaint_ids))) as position
            from marts.pattern_flags where review_month = ?
        )
        select i.subject_type, i.subject_id, i.rule, c.complaint_id, c.receipt_date,
               c.response_date, c.resolution_date, c.category, c.subcategory, c.outcome,
               c.review_outcome, c.sla_status
        from ids as i join marts.complaint_sla as c using (complaint_id)
        where i.position <= ?
        order by i.subject_type, i.subject_id, i.rule, c.receipt_date, c.complaint_id
        """,
        [month, limit],
    ).df()


def handlers(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    return frame(
        con,
        "SELECT * FROM marts.handler_monthly WHERE month = ? "
        "ORDER BY breach_share DESC NULLS LAST, handled DESC, handler_id",
        [month],
        needs=("marts.handler_monthly",),
    )


def employee_team(con: duckdb.DuckDBPyConnection, employee_id: str) -> tuple[bool, str | None]:
    """(known, team) of a staff code: known if in core.staff or named by any complaint."""
    rows = con.execute(
        "SELECT team FROM core.staff WHERE employee_id = ? UNION ALL "
        "SELECT NULL FROM marts.complaint_sla WHERE employee_id = ? LIMIT 1",
        [employee_id, employee_id],
    ).fetchall()
    return (bool(rows), rows[0][0] if rows else None)


def employee_complaints(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date
) -> pd.DataFrame:
    """Complaints naming the employee received by the month's end, with whether each is a
    conduct finding that counts (marts.complaint_subjects), when it was decided and its review."""
    return con.execute(
        """
        select c.complaint_id, c.receipt_date, c.due_date, c.response_date, c.resolution_date,
               c.category, c.subcategory, c.outcome, c.review_requested_at, c.review_outcome,
               c.sla_status, s.substantiated, s.other_finding, s.appeal,
               s.decision_month
        from marts.complaint_sla as c
        join marts.complaint_subjects as s
            on s.complaint_id = c.complaint_id and s.subject_type = 'employee'
            and s.subject_id = c.employee_id
        where c.employee_id = ? and c.receipt_date <= ?
        order by c.receipt_date, c.complaint_id
        """,
        [employee_id, month_end(month)],
    ).df()


def flag_months(
    con: duckdb.DuckDBPyConnection, subject_type: str, subject_id: str, month: dt.date
) -> pd.DataFrame | None:
    """Each complaint of a subject with the flags (rule, review month) it was evidence for, up
    to the month: the months a finding has been counted in."""
    return frame(
        con,
        """
        select unnest(complaint_ids) as complaint_id, rule, review_month
        from marts.pattern_flags
        where subject_type = ? and subject_id = ? and review_month <= ?
        order by complaint_id, rule, review_month
        """,
        [subject_type, subject_id, month],
        needs=("marts.pattern_flags",),
    )


def findings(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """Findings decided in the month naming a staff member or partner: conduct findings that
    count, and beside them other findings naming a person (not their conduct category)."""
    return frame(
        con,
        """
        select s.subject_type, s.subject_id, s.complaint_id, cast(s.received_at as date)
               as receipt_date, cast(s.resolved_at as date) as resolution_date,
               s.decision_month, s.category,
               s.subcategory, s.outcome, s.appeal, s.substantiated
        from marts.complaint_subjects as s
        where s.decision_month = ? and (s.substantiated or s.other_finding)
        order by s.substantiated desc, s.subject_type, s.subject_id, s.decided_at,
                 s.complaint_id
        """,
        [month],
        needs=("marts.complaint_subjects",),
    )


def activity_gaps(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """The review window's activity coverage, where it is not complete."""
    return frame(
        con,
        "SELECT * FROM marts.activity_coverage WHERE review_month = ? AND status <> 'complete' "
        "ORDER BY subject_type",
        [month],
        needs=("marts.activity_coverage",),
    )


def flag_chance(con: duckdb.DuckDBPyConnection, month: dt.date) -> dict | None:
    rows = frame(
        con,
        "SELECT f.*, p.outlier_fdr, p.persistent_fdr FROM marts.flag_chance AS f "
        "CROSS JOIN core.pattern_params AS p WHERE f.review_month = ?",
        [month],
        needs=("marts.flag_chance", "core.pattern_params"),
    )
    return rows.iloc[0].to_dict() if rows is not None and len(rows) else None


def employee_flags(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date
) -> pd.DataFrame | None:
    return frame(
        con,
        """
        select * from marts.pattern_flags
        where subject_type = 'employee' and subject_id = ? and review_month = ?
        order by rule
        """,
        [employee_id, month],
        needs=("marts.pattern_flags",),
    )


def employee_peers(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date
) -> pd.DataFrame | None:
    """The employee's funnel row and their peer group's, for the latest window of the month."""
    return frame(
        con,
        """
        with mine as (
            select peer_group, review_month from marts.funnel
            where subject_type = 'employee' and subject_id = ? and review_month = ?
        )
        select f.*, f.subject_id = ? as is_subject
        from marts.funnel as f join mine using (peer_group, review_month)
        where f.subject_type = 'employee'
        order by is_subject desc, f.exposure
        """,
        [employee_id, month, employee_id],
        needs=("marts.funnel",),
    )


def employee_month_row(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date
) -> pd.DataFrame | None:
    return frame(
        con,
        "SELECT * FROM marts.employee_monthly WHERE employee_id = ? AND month = ?",
        [employee_id, month],
        needs=("marts.employee_monthly",),
    )


def at_risk(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Open complaints overdue or due soon on as_of, most overdue first."""
    return frame(
        con,
        "SELECT complaint_id, category, handler_team, handler_id, due_date, sla_status, "
        "working_days_left FROM marts.open_at_risk "
        "ORDER BY working_days_left, due_date, complaint_id",
        needs=("marts.open_at_risk",),
    )


def misses(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """Each team's, handler's and category's part of the month's missed deadlines (answered
    late or open past the due date), from marts.sla_breakdown."""
    return frame(
        con,
        """
        select dimension, dimension_value, breached + open_overdue as missed,
               met + breached + open_overdue as judged
        from marts.sla_breakdown
        where month = ? and dimension in ('handler_team', 'handler', 'category')
        order by dimension, missed desc, dimension_value
        """,
        [month],
        needs=("marts.sla_breakdown",),
    )


def serious_findings(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame | None:
    """The month's serious-conduct flags, one row per subject, with the kinds of conduct found
    (read from marts.pattern_flags and marts.complaint_subjects)."""
    return frame(
        con,
        """
        with flags as (
            select subject_type, subject_id, peer_group, observed, complaint_ids
            from marts.pattern_flags
            where review_month = ? and rule = 'serious_conduct'
        ),
        kinds as (
            select f.subject_type, f.subject_id,
                   list(distinct s.subcategory order by s.subcategory) as subcategories
            from flags as f
            join marts.complaint_subjects as s
              on s.subject_type = f.subject_type and s.subject_id = f.subject_id
             and list_contains(f.complaint_ids, s.complaint_id)
            group by all
        )
        select f.*, k.subcategories, p.name as partner_name
        from flags as f
        left join kinds as k using (subject_type, subject_id)
        left join core.partners as p on f.subject_type = 'partner' and p.partner_id = f.subject_id
        order by f.subject_type desc, f.subject_id
        """,
        [month],
        needs=("marts.pattern_flags", "marts.complaint_subjects", "core.partners"),
    )


def complaints_return(con: duckdb.DuckDBPyConnection, month: dt.date) -> dict | None:
    """The month's complaints-return figures, the backlog's ageing, channels and reviews."""
    needs = ("marts.complaints_return", "marts.backlog_ageing", "marts.review_monthly")
    if any(not has_table(con, t) for t in needs):
        return None
    row = con.execute("SELECT * FROM marts.complaints_return WHERE month = ?", [month]).df()
    return {
        "month": row.iloc[0].to_dict() if len(row) else None,
        "ageing": con.execute("SELECT * FROM marts.backlog_ageing ORDER BY band_order").df(),
        "channels": breakdown(con, "channel", month, month),
        "reviews": review_months(con, [month]),
    }


def partner_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Partner code -> name, from the partner list (empty when not loaded)."""
    if not has_table(con, "core.partners"):
        return {}
    return dict(con.execute("SELECT partner_id, name FROM core.partners").fetchall())
