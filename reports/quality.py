"""quality.html: staff and partner patterns for the quality teams (clauses 3.4-3.7, 4.5, 6.2)."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd

from base.settings import Settings
from reports import charts, data, fmt
from reports.i18n import field_words, label, peer_label, t
from reports.management import verdict_cls
from reports.render import Cell, Table


def funnel_block(
    con: duckdb.DuckDBPyConnection, subject_type: str, month: dt.date, lang: str
) -> dict:
    rows = data.funnel(con, subject_type, month)
    if rows is None or not len(rows) or not (rows["exposure"].fillna(0) > 0).any():
        return {"chart": "", "note": t("funnel_none", lang)}
    note = t("funnel_note", lang).format(
        start=fmt.date(rows["period_start"].min(), lang),
        end=fmt.date(rows["period_end"].max(), lang),
    )

    def title(group: object) -> str:
        return peer_label(subject_type, group, lang)

    return {"chart": charts.funnel(rows, f"funnel-{subject_type}", lang, title), "note": note}


# Evidence rows shown per flag; a partner's outlier flag can rest on hundreds of complaints,
# all of them listed in tables.xlsx.
EVIDENCE_ROWS = 25


def complaint_cells(r: dict, lang: str) -> list[Cell]:
    return [
        Cell(r["complaint_id"], r["complaint_id"], "evidence"),
        Cell(fmt.date(r["receipt_date"], lang), fmt.raw(r["receipt_date"])),
        Cell(fmt.date(r["response_date"], lang)),
        Cell(fmt.date(r["resolution_date"], lang)),
        Cell(label("category", r["category"], lang)),
        Cell(label("subcategory", r["subcategory"], lang)),
        Cell(label("outcome", r["outcome"], lang), r["outcome"] or ""),
        Cell(label("review_outcome", r["review_outcome"], lang)),
    ]


def complaint_headers(lang: str) -> list[str]:
    return [
        t(k, lang)
        for k in (
            "col_complaint",
            "col_received_date",
            "col_response_date",
            "col_resolution_date",
            "col_category",
            "col_subcategory",
            "col_outcome",
            "col_review_outcome",
        )
    ]


def _period(f: dict, lang: str) -> str:
    return f"{fmt.date(f['period_start'], lang)} – {fmt.date(f['period_end'], lang)}"


def flag_blocks(
    con: duckdb.DuckDBPyConnection, flags: pd.DataFrame | None, lang: str
) -> list[dict] | None:
    """Each flag with its explanation and a table of its evidence complaints."""
    if flags is None:
        return None
    month = flags["review_month"].iloc[0] if len(flags) else None
    found = data.flag_evidence(con, month, EVIDENCE_ROWS) if month is not None else None
    by_flag = (
        {key: part for key, part in found.groupby(["subject_type", "subject_id", "rule"])}
        if found is not None and len(found)
        else {}
    )
    blocks = []
    for f in flags.to_dict("records"):
        ids = [str(i) for i in (f["complaint_ids"] if f["complaint_ids"] is not None else [])]
        evidence = Table(
            f"evidence-{f['subject_id']}-{f['rule']}", complaint_headers(lang), numeric=[False] * 8
        )
        rows = by_flag.get((f["subject_type"], f["subject_id"], f["rule"]))
        for r in rows.to_dict("records") if rows is not None else []:
            evidence.rows.append(complaint_cells(r, lang))
        blocks.append(
            {
                "subject_type": f["subject_type"],
                "subject_id": f["subject_id"],
                "peer_group": f["peer_group"],
                "peer_text": peer_label(f["subject_type"], f["peer_group"], lang),
                "rule": f["rule"],
                "rule_text": t(f"rule_{f['rule']}", lang),
                "severity": f["severity"],
                "severity_text": t(f"severity_{f['severity']}", lang),
                "period": _period(f, lang),
                "observed": fmt.number(f["observed"], lang),
                "expected": fmt.number(f["expected"], lang, 2),
                "upper_limit": fmt.number(f["upper_limit"], lang, 1),
                "explanation": explanation(f, lang),
                "ids": ids[:EVIDENCE_ROWS],
                "more": max(0, len(ids) - EVIDENCE_ROWS),
                "evidence": evidence,
            }
        )
    return blocks


def explanation(f: dict, lang: str) -> str:
    """A flag's sentence in the reader's words: its peer group's code as a label, numbers in
    the reader's notation."""
    text = str(f[f"explanation_{lang}"] or "")
    group = f.get("peer_group")
    if isinstance(group, str) and group:
        text = re.sub(
            rf"(?<![\w]){re.escape(group)}(?![\w])",
            peer_label(f["subject_type"], group, lang),
            text,
        )
    return fmt.plain_numbers(text, lang)


def activity_notices(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    lang: str,
    subject_types: tuple[str, ...] = ("employee", "partner"),
) -> list[str]:
    """One line per subject type whose activity export is missing or partial for the review
    window (marts.activity_coverage), to print at the top of the report."""
    gaps = data.activity_gaps(con, month)
    if gaps is None:
        return []
    return [
        t("activity_missing", lang).format(
            n=fmt.number(r["missing_activity"], lang),
            of=fmt.number(r["with_activity"], lang),
            who=t(f"who_{r['subject_type']}", lang),
            months=", ".join(r["missing_months"]),
        )
        for r in gaps.to_dict("records")
        if r["subject_type"] in subject_types
    ]


def chance_text(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> str:
    """How many outlier_rate and high persistent flags chance alone would give this month, with
    their intervals, beside the flags raised (marts.flag_chance)."""
    c = data.flag_chance(con, month)
    if c is None:
        return ""
    return t("chance_text", lang).format(
        tested=fmt.number(c["tested"], lang),
        medium=fmt.number(c["expected_medium"], lang, 2),
        medium_low=c["medium_low"],
        medium_high=c["medium_high"],
        watch=fmt.number(c["expected_watch_or_above"], lang, 1),
        watch_low=c["watch_low"],
        watch_high=c["watch_high"],
        medium_flags=c["medium_flags"],
        watch_flags=c["watch_or_above_flags"],
        fdr=fmt.pct(c["outlier_fdr"], lang, 0),
        persistent_tested=fmt.number(c["persistent_tested"], lang),
        persistent=fmt.number(c["expected_persistent_high"], lang, 2),
        persistent_low=c["persistent_low"],
        persistent_high=c["persistent_high"],
        persistent_flags=c["persistent_high_flags"],
        persistent_fdr=fmt.pct(c["persistent_fdr"], lang, 0),
    )


def findings_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table | None:
    """Findings decided in the month, by decision month, received date beside it."""
    rows = data.findings(con, month)
    if rows is None:
        return None
    table = Table(
        "findings",
        [
            t("col_person", lang),
            t("col_complaint", lang),
            t("col_received_date", lang),
            t("col_resolution_date", lang),
            t("col_decided_month", lang),
            t("col_category", lang),
            t("col_subcategory", lang),
            t("col_outcome", lang),
            t("col_counts", lang),
        ],
        numeric=[False] * 9,
        empty=t("none", lang),
    )
    for r in rows.to_dict("records"):
        if not r["substantiated"]:
            counts = "counts_other"
        elif r["appeal"] == "under_review":
            counts = "counts_review"
        else:
            counts = "counts_yes"
        table.rows.append(
            [
                Cell(r["subject_id"], r["subject_id"]),
                Cell(r["complaint_id"], r["complaint_id"], "evidence"),
                Cell(fmt.date(r["receipt_date"], lang), fmt.raw(r["receipt_date"])),
                Cell(fmt.date(r["resolution_date"], lang)),
                Cell(fmt.month(r["decision_month"], lang), fmt.raw(r["decision_month"])),
                Cell(label("category", r["category"], lang)),
                Cell(label("subcategory", r["subcategory"], lang)),
                Cell(label("outcome", r["outcome"], lang), r["outcome"] or ""),
                Cell(t(counts, lang), counts, "warn" if counts == "counts_review" else ""),
            ]
        )
    return table


def handler_table(con: duckdb.DuckDBPyConnection, month: dt.date, lang: str) -> Table | None:
    rows = data.handlers(con, month)
    if rows is None:
        return None
    cols = ("handled", "met", "breached", "open_overdue", "open_within_sla")
    table = Table(
        "handlers",
        [t("col_handler", lang), t("col_team", lang)]
        + [
            t(f"col_{c}", lang)
            for c in ("handled", "met", "breached", "open_overdue", "open_within")
        ]
        + [
            t("col_compliance", lang),
            t("col_breach_share", lang),
            t("col_reviews", lang),
            t("col_reviews_changed", lang),
        ],
        numeric=[False, False] + [True] * 9,
    )
    for r in rows.to_dict("records"):
        table.rows.append(
            [
                Cell(r["handler_id"] or "–", r["handler_id"] or ""),
                Cell(label("team", r["handler_team"], lang), r["handler_team"] or ""),
            ]
            + [Cell(fmt.number(r[c], lang), fmt.raw(r[c])) for c in cols]
            + [
                Cell(fmt.pct(r["compliance_rate"], lang), fmt.raw(r["compliance_rate"])),
                Cell(fmt.pct(r["breach_share"], lang)),
                Cell(fmt.number(r["reviews_requested"], lang)),
                Cell(fmt.number(r["reviews_changed"], lang)),
            ]
        )
    return table


def integrity_list(con: duckdb.DuckDBPyConnection, lang: str, limit: int = 300) -> Table:
    table = Table(
        "integrity-list",
        [t("col_complaint", lang), t("col_issue", lang), t("col_detail", lang)],
        numeric=[False] * 3,
        empty=t("none", lang),
    )
    for r in data.integrity(con).head(limit).to_dict("records"):
        table.rows.append(
            [
                Cell(r["complaint_id"], r["complaint_id"], "evidence"),
                Cell(t(f"issue_{r['issue']}", lang), r["issue"]),
                Cell(field_words(r[f"detail_{lang}"], lang)),
            ]
        )
    return table


def context(
    con: duckdb.DuckDBPyConnection, settings: Settings, month: dt.date, as_of: dt.date, lang: str
) -> dict:
    heat = data.heatmap(con, month)
    months = [data.add_months(month, i) for i in range(-11, 1)]
    staff = funnel_block(con, "employee", month, lang)
    partners = funnel_block(con, "partner", month, lang)
    return {
        "title": t("quality_title", lang),
        "charts": {
            "heatmap": charts.heatmap(heat, months, lang) if heat is not None and len(heat) else "",
            "funnel_staff": staff["chart"],
            "funnel_partners": partners["chart"],
        },
        "notes": {
            "funnel_staff": staff["note"],
            "funnel_partners": partners["note"],
            "heatmap_built": heat is not None,
        },
        "flags": flag_blocks(con, data.flags(con, month), lang),
        "notices": activity_notices(con, month, lang),
        "chance": chance_text(con, month, lang),
        "tables": {
            "findings": findings_table(con, month, lang),
            "handlers": handler_table(con, month, lang),
            "integrity": integrity_list(con, lang),
        },
        "verdict_cls": verdict_cls,
    }
