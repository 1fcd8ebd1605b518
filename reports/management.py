"""management.html: the monthly review for management (clauses 5.1, 4.3, 6.2)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import SupportsFloat

import duckdb
import pandas as pd

from base.settings import Settings
from reports import changes, charts, data, fmt
from reports.i18n import field_words, label, peer_label, t
from reports.render import Cell, Table


def _row(frame: pd.DataFrame, month: dt.date) -> dict | None:
    hit = frame[pd.to_datetime(frame["month"]).dt.date == month]
    return hit.iloc[0].to_dict() if len(hit) else None


def _delta(now: SupportsFloat | None, before: SupportsFloat | None, lang: str, kind: str) -> str:
    if now is None or before is None or fmt.missing(now) or fmt.missing(before):
        return "–"
    diff = float(now) - float(before)
    sign = "+" if diff > 0 else ("±" if diff == 0 else "−")
    if kind == "pct":
        return f"{sign}{fmt.number(abs(diff) * 100, lang, 1)} " + (
            "điểm %" if lang == "vi" else "pts"
        )
    return sign + fmt.number(abs(diff), lang, 1 if kind == "days" else 0)


def _kpi(
    key: str,
    lang: str,
    values: tuple,
    kind: str,
    goal: float | None = None,
    like: tuple | None = None,
    provisional: str = "",
) -> dict:
    """A tile: the month's value and its changes from last month and last year, computed from
    ``like`` (the same months as they stood at the same point) when given, else from
    ``values``; ``provisional`` says why the value may still move."""
    now, prev, yoy = values
    base = like if like is not None else values
    show = {"pct": fmt.pct, "days": lambda v, lg: fmt.number(v, lg, 1), "count": fmt.number}[kind]
    tile = {
        "key": key,
        "label": t(key, lang),
        "value": fmt.raw(now),
        "prev": fmt.raw(prev),
        "yoy": fmt.raw(yoy),
        "like_prev": fmt.raw(base[1]),
        "like_yoy": fmt.raw(base[2]),
        "text": show(now, lang),
        "prev_text": _delta(base[0], base[1], lang, kind),
        "yoy_text": _delta(base[0], base[2], lang, kind),
        "goal_text": "",
        "meets_goal": False,
        "provisional": provisional,
    }
    if goal is not None and not fmt.missing(now):
        tile["meets_goal"] = float(now) >= goal
        tile["goal_text"] = f"{t('goal', lang)} {fmt.pct(goal, lang, 0)}: " + t(
            "meets_goal" if tile["meets_goal"] else "misses_goal", lang
        )
    return tile


def kpis(
    con: duckdb.DuckDBPyConnection, month: dt.date, as_of: dt.date, goal: float, lang: str
) -> tuple[list[dict], dict]:
    """The tiles, each with the month's value and the values of last month and last year.

    A month still running, or with complaints still inside their working-day limit, is
    provisional: its tiles say so with the count still open, and are compared with last month
    and last year as they stood the same number of days after their own month's end (the
    like-for-like basis, stated under the tiles); a finished month is compared with finished
    months. A review month with reviews still pending is not compared at all."""
    months = [month, data.add_months(month, -1), data.add_months(month, -12)]
    sla = data.sla_months(con, months[2], month)
    reviews = data.review_months(con, months)
    rows = [_row(sla, m) or {} for m in months]
    revs = [_row(reviews, m) or {} for m in months]
    backlogs = [data.backlog(con, m, as_of) for m in months]
    lag = as_of - data.month_end(month)
    still_open = int(rows[0].get("open_within_sla") or 0)
    running = lag.days < 0
    provisional = bool(rows[0]) and (still_open > 0 or running)
    like_rows = (
        [data.sla_as_at(con, m, data.month_end(m) + lag) for m in months] if provisional else rows
    )

    def triple(source: list[dict], column: str) -> tuple:
        return tuple(
            r.get(
                column, 0 if column in ("received", "review_requests", "reviews_changed") else None
            )
            for r in source
        )

    def like(column: str) -> tuple | None:
        return (triple(rows, column)[0], *triple(like_rows, column)[1:]) if provisional else None

    open_text = (
        t("provisional_open", lang).format(n=fmt.number(still_open, lang)) if still_open else ""
    )
    running_text = (
        t("provisional_running", lang).format(day=fmt.date(as_of, lang)) if running else ""
    )
    pending = int(revs[0].get("reviews_pending") or 0)
    tiles = [
        _kpi(
            "kpi_received",
            lang,
            triple(rows, "received"),
            "count",
            like=like("received"),
            provisional=running_text,
        ),
        _kpi(
            "kpi_compliance",
            lang,
            triple(rows, "compliance_rate"),
            "pct",
            goal,
            like=like("compliance_rate"),
            provisional=" ".join(x for x in (running_text, open_text) if x),
        ),
        _kpi(
            "kpi_median_days",
            lang,
            triple(rows, "median_working_days_to_response"),
            "days",
            like=like("median_working_days_to_response"),
            provisional=" ".join(x for x in (running_text, open_text) if x),
        ),
        _kpi("kpi_open", lang, tuple(b["open"] for b in backlogs), "count"),
        _kpi("kpi_overdue", lang, tuple(b["overdue"] for b in backlogs), "count"),
        _kpi("kpi_reviews", lang, triple(revs, "review_requests"), "count"),
        _kpi(
            "kpi_changed",
            lang,
            triple(revs, "reviews_changed"),
            "count",
            provisional=(
                t("provisional_reviews", lang).format(n=fmt.number(pending, lang))
                if pending
                else ""
            ),
        ),
    ]
    if fmt.missing(rows[0].get("compliance_rate")) and rows[0].get("not_measurable"):
        # no response column in the export: the rule cannot be measured, which is not 0%
        tiles[1]["text"] = t("sla_not_measurable", lang)
    if pending:  # not like with like while reviews are pending: no change shown
        tiles[-1]["prev_text"] = tiles[-1]["yoy_text"] = "–"
    if provisional:
        basis = t("basis_like", lang).format(
            prev=fmt.date(like_rows[1]["at"], lang), yoy=fmt.date(like_rows[2]["at"], lang)
        )
    else:
        basis = t("basis_final", lang)
    return tiles, {
        "rows": rows,
        "like_rows": like_rows,
        "backlog_at": backlogs[0]["at"],
        "basis": basis,
        "provisional": provisional,
    }


def _judged_like(extra: dict) -> list[dict]:
    """The rows "what changed" tests: received as recorded (it scales counts by the days each
    month covers), the on-time figures like with like when the month is provisional."""
    out = []
    for row, like in zip(extra["rows"], extra["like_rows"], strict=True):
        if not row:
            out.append(row)
            continue
        keys = ("met", "breached", "open_overdue", "compliance_rate")
        out.append({**row, **{k: like[k] for k in keys if k in like}})
    return out


def what_changed(
    con: duckdb.DuckDBPyConnection, month: dt.date, as_of: dt.date, rows: list[dict], lang: str
) -> list[str]:
    if not rows[0]:
        return []
    days_now = changes.days_covered(month, data.month_end(month), as_of)
    before, cats_before = {}, {}
    cats = data.breakdown(con, "category", data.add_months(month, -12), month)
    cats["month"] = pd.to_datetime(cats["month"]).dt.date

    def per_category(m: dt.date) -> dict[str, int]:
        part = cats[cats["month"] == m]
        return dict(zip(part["dimension_value"], part["received"].astype(int), strict=True))

    for key, m, row in (
        ("last_month", data.add_months(month, -1), rows[1]),
        ("last_year", data.add_months(month, -12), rows[2]),
    ):
        if row:
            before[key] = (row, changes.days_covered(m, data.month_end(m), as_of))
            cats_before[key] = per_category(m)
    return changes.narrative(lang, rows[0], days_now, before, per_category(month), cats_before)


def category_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table:
    rows = data.breakdown(con, "category", month, month)
    table = Table(
        "categories",
        [
            t("col_category", lang),
            t("col_received", lang),
            t("col_met", lang),
            t("col_breached", lang),
            t("col_open_overdue", lang),
            t("col_compliance", lang),
        ],
        numeric=[False, True, True, True, True, True],
    )
    for r in rows.sort_values("received", ascending=False).itertuples():
        table.rows.append(
            [
                Cell(label("category", r.dimension_value, lang), r.dimension_value),
                Cell(fmt.number(r.received, lang), fmt.raw(r.received)),
                Cell(fmt.number(r.met, lang)),
                Cell(fmt.number(r.breached, lang)),
                Cell(fmt.number(r.open_overdue, lang)),
                Cell(fmt.pct(r.compliance_rate, lang), fmt.raw(r.compliance_rate)),
            ]
        )
    return table


def partner_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table | None:
    rows = data.partner_scorecard(con, month)
    if rows is None:
        return None
    table = Table(
        "partners",
        [
            t("col_partner", lang),
            t("col_partner_type", lang),
            t("col_complaints", lang),
            t("col_substantiated", lang),
            t("col_exposure", lang),
            t("col_rate", lang),
            f"{t('col_substantiated', lang)} ({t('col_3m', lang)})",
            f"{t('col_rate', lang)} ({t('col_3m', lang)})",
            t("col_compliance", lang),
            t("col_verdict", lang),
        ],
        numeric=[False, False, True, True, True, True, True, True, True, False],
    )
    for r in rows.itertuples():
        verdict = r.verdict if isinstance(r.verdict, str) else "no_verdict"
        name = (
            f"{r.partner_id} · {r.partner_name}"
            if isinstance(r.partner_name, str)
            else r.partner_id
        )
        table.rows.append(
            [
                Cell(name, r.partner_id),
                Cell(label("partner_type", r.partner_type, lang)),
                Cell(fmt.number(r.complaints, lang), fmt.raw(r.complaints)),
                Cell(fmt.number(r.substantiated, lang), fmt.raw(r.substantiated)),
                Cell(fmt.number(r.exposure, lang)),
                Cell(fmt.number(r.rate_per_1000, lang, 2)),
                Cell(fmt.number(r.substantiated_3m, lang)),
                Cell(fmt.number(r.rate_3m_per_1000, lang, 2)),
                Cell(fmt.pct(r.compliance_rate, lang)),
                Cell(t(f"verdict_{verdict}", lang), verdict, verdict_cls(verdict)),
            ]
        )
    return table


def verdict_cls(verdict: str) -> str:
    return {"outlier": "bad", "watch": "warn"}.get(verdict, "")


SUBCATEGORIES = (
    "abuse",
    "threat",
    "unreasonable",
    "offensive",
    "inappropriate_demand",
    "third_party_contact",
    "excessive_contact",
    "data_disclosure",
)


def team_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table | None:
    rows = data.team_conduct(con, month)
    if rows is None:
        return None
    subs = [s for s in SUBCATEGORIES if rows[s].fillna(0).sum() > 0] if len(rows) else []
    # outcomes the template does not know, apart from pending; shown only when there are some
    unknown = (
        ["outcome_unrecognised"]
        if len(rows) and rows["outcome_unrecognised"].fillna(0).sum() > 0
        else []
    )
    table = Table(
        "teams",
        [
            t("col_team", lang),
            t("col_complaints", lang),
            t("col_substantiated", lang),
            t("col_not_upheld", lang),
            t("col_pending", lang),
            t("col_withdrawn", lang),
        ]
        + [t(c, lang) for c in unknown]
        + [label("subcategory", s, lang) for s in subs],
        numeric=[False] + [True] * (5 + len(unknown) + len(subs)),
    )
    for r in rows.to_dict("records"):
        table.rows.append(
            [Cell(label("team", r["team"], lang), r["team"])]
            + [
                Cell(fmt.number(r[c], lang), fmt.raw(r[c]))
                for c in (
                    "complaints",
                    "substantiated",
                    "not_upheld",
                    "pending",
                    "withdrawn",
                    *unknown,
                    *subs,
                )
            ]
        )
    return table


def quality_tables(
    con: duckdb.DuckDBPyConnection, month: dt.date, lang: str
) -> tuple[Table, Table]:
    dq = data.data_quality(con, month)
    summary = Table("quality", [t("col_issue", lang), t("col_count", lang)], numeric=[False, True])
    for key, value in (
        ("dq_loads", dq["loads"]),
        ("dq_rejected", dq["rejected_total"]),
        ("dq_warnings", dq["warnings_total"]),
        ("dq_unresolved", dq["unresolved"]),
    ):
        summary.rows.append(
            [Cell(t(key, lang), key), Cell(fmt.number(value, lang), fmt.raw(value))]
        )
    rules = Table(
        "quality_rules",
        [t("dq_rule", lang), t("col_detail", lang), t("dq_count", lang)],
        numeric=[False, False, True],
        empty=" ",
    )
    for frame, kind, level in (
        (dq["rejected"], "reason", "error"),
        (dq["warnings"], "message", "warning"),
    ):
        for r in frame.to_dict("records"):
            rules.rows.append(
                [
                    Cell(label("level", level, lang), r["rule"]),
                    Cell(field_words(r[f"{kind}_{lang}"], lang)),
                    Cell(fmt.number(r["n"], lang), fmt.raw(r["n"])),
                ]
            )
    return summary, rules


def integrity_table(con: duckdb.DuckDBPyConnection, lang: str) -> Table:
    table = Table(
        "integrity",
        [t("col_issue", lang), t("col_count", lang)],
        numeric=[False, True],
        empty=t("none", lang),
    )
    for r in data.integrity_counts(con).to_dict("records"):
        table.rows.append(
            [
                Cell(t(f"issue_{r['issue']}", lang), r["issue"]),
                Cell(fmt.number(r["n"], lang), fmt.raw(r["n"])),
            ]
        )
    return table


def docs_href(settings: Settings, out_dir: Path) -> str:
    index = settings.data_docs_dir / "index.html"
    return os.path.relpath(index, out_dir).replace(os.sep, "/") if index.exists() else ""


def context(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    month: dt.date,
    as_of: dt.date,
    lang: str,
    out_dir: Path,
) -> dict:
    goal = data.sla_goal(con) or settings.sla.goal
    tiles, extra = kpis(con, month, as_of, goal, lang)
    trend = data.sla_months(con, data.add_months(month, -23), month)
    cats = data.breakdown(con, "category", data.add_months(month, -11), month)
    quality, quality_rules = quality_tables(con, month, lang)
    return {
        "title": t("management_title", lang),
        "kpis": tiles,
        "backlog_note": f"{t('kpi_open', lang)} / {t('kpi_overdue', lang)}: "
        f"{fmt.date(extra['backlog_at'], lang)}",
        "changes": what_changed(con, month, as_of, _judged_like(extra), lang),
        "basis": extra["basis"],
        "charts": {
            "trend": charts.compliance_trend(trend, goal, lang) if len(trend) else "",
            "categories": charts.categories(cats, lang) if len(cats) else "",
        },
        "tables": {
            "categories": category_table(con, month, lang),
            "partners": partner_table(con, month, lang),
            "teams": team_table(con, month, lang),
            "quality": quality,
            "quality_rules": quality_rules,
            "integrity": integrity_table(con, lang),
        },
        "docs_href": docs_href(settings, out_dir),
        "todo": {
            "at_risk": at_risk_table(con, lang),
            "misses": miss_table(con, month, lang)
            if not fmt.missing(extra["rows"][0].get("compliance_rate"))
            and float(extra["rows"][0]["compliance_rate"]) < goal
            else None,
            "serious": serious_table(con, month, lang),
        },
        "complaints_return": return_tables(con, month, lang),
    }


# ---------------------------------------------------------------- what to do (issue 20)

MISS_TOP = 3  # teams, handlers and categories named per dimension; the rest as "others"


def _count(value: float | None, lang: str) -> Cell:
    code = "" if value is None or fmt.missing(value) else fmt.raw(int(value))
    return Cell(fmt.number(value, lang), code)


def at_risk_table(con: duckdb.DuckDBPyConnection, lang: str) -> Table | None:
    """Open complaints overdue or due soon: who holds each and how far past (or before) its
    due date it is, most overdue first."""
    rows = data.at_risk(con)
    if rows is None:
        return None
    table = Table(
        "at-risk",
        [
            t("col_complaint", lang),
            t("col_category", lang),
            t("col_team", lang),
            t("col_handler", lang),
            t("col_due_date", lang),
            t("col_sla", lang),
            t("col_days_over", lang),
        ],
        numeric=[False] * 6 + [True],
        empty=t("todo_none_at_risk", lang),
    )
    for r in rows.to_dict("records"):
        left = int(r["working_days_left"])
        over = r["sla_status"] == "open_overdue"
        table.rows.append(
            [
                Cell(r["complaint_id"], r["complaint_id"], "evidence"),
                Cell(label("category", r["category"], lang)),
                Cell(label("team", r["handler_team"], lang)),
                Cell(r["handler_id"] or "–", r["handler_id"] or ""),
                Cell(fmt.date(r["due_date"], lang), fmt.raw(r["due_date"])),
                Cell(label("sla_status", r["sla_status"], lang), r["sla_status"]),
                Cell(
                    t("days_over" if over else "days_left", lang).format(
                        n=fmt.number(abs(left), lang)
                    ),
                    str(-left),
                    "bad" if over else "warn",
                ),
            ]
        )
    return table


def miss_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table | None:
    """Who and what missed the month's deadlines: per team, handler and category the largest
    parts, then the others, so each dimension's rows add up to the month's misses."""
    rows = data.misses(con, month)
    if rows is None or not len(rows) or int(rows["missed"].sum()) == 0:
        return None
    table = Table(
        "misses",
        [
            t("col_dimension", lang),
            t("col_name", lang),
            t("col_missed", lang),
            t("col_miss_share", lang),
            t("col_compliance", lang),
        ],
        numeric=[False, False, True, True, True],
    )
    fields = {"handler_team": "team", "category": "category"}
    for dimension in ("handler_team", "handler", "category"):
        part = rows[rows["dimension"] == dimension]
        total = int(part["missed"].sum())
        if not total:
            continue
        top = part[part["missed"] > 0].head(MISS_TOP)
        rest = part.drop(top.index)
        dim_text = label("dimension", dimension, lang)
        for r in top.to_dict("records"):
            value = r["dimension_value"]
            name = (
                label(fields[dimension], value, lang)
                if dimension in fields and value != "(unknown)"
                else (t("unknown", lang) if value == "(unknown)" else value)
            )
            table.rows.append(
                [
                    Cell(dim_text, dimension),
                    Cell(name, str(value)),
                    _count(r["missed"], lang),
                    Cell(fmt.pct(r["missed"] / total, lang, 0)),
                    Cell(fmt.pct(1 - r["missed"] / r["judged"], lang) if r["judged"] else "–"),
                ]
            )
        others, judged = int(rest["missed"].sum()), int(rest["judged"].sum())
        if len(rest):
            table.rows.append(
                [
                    Cell(dim_text, dimension),
                    Cell(t("others", lang).format(n=len(rest)), "others"),
                    _count(others, lang),
                    Cell(fmt.pct(others / total, lang, 0)),
                    Cell(fmt.pct(1 - others / judged, lang) if judged else "–"),
                ]
            )
        table.rows.append(
            [
                Cell(dim_text, dimension, "total"),
                Cell(t("total", lang), "total", "total"),
                Cell(fmt.number(total, lang), str(total), "total"),
                Cell(fmt.pct(1, lang, 0), "", "total"),
                Cell("", "", "total"),
            ]
        )
    return table


def serious_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table | None:
    """The month's serious-conduct findings by staff code and partner (clause 3.4)."""
    rows = data.serious_findings(con, month)
    if rows is None:
        return None
    table = Table(
        "serious",
        [
            t("col_person", lang),
            t("col_subject_type", lang),
            t("col_peer_group", lang),
            t("col_substantiated", lang),
            t("col_subcategory", lang),
            t("col_evidence", lang),
        ],
        numeric=[False, False, False, True, False, False],
        empty=t("todo_none_serious", lang),
    )
    for r in rows.to_dict("records"):
        name = r["subject_id"]
        if r["subject_type"] == "partner" and isinstance(r["partner_name"], str):
            name = f"{name} · {r['partner_name']}"
        kinds = r["subcategories"] if r["subcategories"] is not None else []
        ids = r["complaint_ids"] if r["complaint_ids"] is not None else []
        table.rows.append(
            [
                Cell(name, r["subject_id"], "bad"),
                Cell(label("subject_type", r["subject_type"], lang)),
                Cell(peer_label(r["subject_type"], r["peer_group"], lang)),
                _count(r["observed"], lang),
                Cell(", ".join(label("subcategory", k, lang) for k in kinds)),
                Cell(", ".join(map(str, ids)), cls="evidence"),
            ]
        )
    return table


def _parts_table(
    name: str,
    lang: str,
    parts: list[tuple[str, str, int | None]],
    total: tuple[str, str, int | None],
) -> Table:
    """Parts and their total (the last row): label, code, count, and the share of the total."""
    table = Table(
        name,
        [t("col_item", lang), t("col_count", lang), t("col_share", lang)],
        numeric=[False, True, True],
    )
    whole = int(total[2] or 0)
    for text, code, value in parts:
        n = int(value or 0)
        table.rows.append(
            [Cell(text, code), _count(n, lang), Cell(fmt.pct(n / whole, lang) if whole else "–")]
        )
    table.rows.append(
        [
            Cell(total[0], total[1], "total"),
            Cell(fmt.number(whole, lang), str(whole), "total"),
            Cell(fmt.pct(1, lang, 0) if whole else "–", "", "total"),
        ]
    )
    return table


def return_tables(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> dict | None:
    """The complaints-return figures of the month, each table's parts adding to its total."""
    found = data.complaints_return(con, month)
    if found is None:
        return None
    m = found["month"] or {}
    closed = m.get("closed", 0)
    outcomes = _parts_table(
        "return-outcomes",
        lang,
        [
            (
                label("outcome", "upheld", lang)
                + " / "
                + label("outcome", "partially_upheld", lang),
                "closed_upheld",
                m.get("closed_upheld"),
            ),
            (label("outcome", "not_upheld", lang), "closed_not_upheld", m.get("closed_not_upheld")),
            (label("outcome", "withdrawn", lang), "closed_withdrawn", m.get("closed_withdrawn")),
            (t("no_outcome", lang), "closed_no_outcome", m.get("closed_no_outcome")),
        ],
        (t("ret_closed", lang), "closed", closed),
    )
    bands = _parts_table(
        "return-times",
        lang,
        [
            (t("band_within_limit", lang), "closed_within_limit", m.get("closed_within_limit")),
            (
                t("band_within_8_weeks", lang),
                "closed_within_8_weeks",
                m.get("closed_within_8_weeks"),
            ),
            (t("band_after_8_weeks", lang), "closed_after_8_weeks", m.get("closed_after_8_weeks")),
            (t("band_unknown", lang), "closed_time_unknown", m.get("closed_time_unknown")),
        ],
        (t("ret_closed", lang), "closed", closed),
    )
    ageing = found["ageing"]
    backlog = _parts_table(
        "return-ageing",
        lang,
        [
            (t(f"age_{r['band']}", lang), r["band"], r["complaints"])
            for r in ageing.to_dict("records")
        ],
        (t("ret_open", lang), "open", int(ageing["complaints"].sum())),
    )
    channels = found["channels"]
    by_channel = _parts_table(
        "return-channels",
        lang,
        [
            (
                label("channel", r["dimension_value"], lang)
                if r["dimension_value"] != "(unknown)"
                else t("unknown", lang),
                r["dimension_value"],
                r["received"],
            )
            for r in channels.sort_values("received", ascending=False).to_dict("records")
        ],
        (t("ret_received", lang), "received", m.get("received", 0)),
    )
    rev = found["reviews"].iloc[0].to_dict() if len(found["reviews"]) else {}
    decided = int(rev.get("reviews_decided") or 0)
    changed = int(rev.get("reviews_changed") or 0)
    reviews = _parts_table(
        "return-reviews",
        lang,
        [
            (label("review_outcome", "changed", lang), "changed", changed),
            (label("review_outcome", "unchanged", lang), "unchanged", decided - changed),
            (label("review_outcome", "pending", lang), "pending", rev.get("reviews_pending")),
        ],
        (t("kpi_reviews", lang), "review_requests", rev.get("review_requests", 0)),
    )
    upheld = m.get("upheld_share")
    summary = t("ret_summary", lang).format(
        received=fmt.number(m.get("received", 0), lang),
        closed=fmt.number(closed, lang),
        upheld=fmt.pct(upheld, lang) if not fmt.missing(upheld) else "–",
        month=fmt.month(month, lang),
        as_of=fmt.date(ageing["as_of"].iloc[0] if len(ageing) else None, lang),
    )
    return {
        "summary": summary,
        "tables": [outcomes, bands, backlog, by_channel, reviews],
        "titles": [
            t("ret_outcomes_title", lang),
            t("ret_times_title", lang),
            t("ret_ageing_title", lang),
            t("ret_channels_title", lang),
            t("ret_reviews_title", lang),
        ],
    }
