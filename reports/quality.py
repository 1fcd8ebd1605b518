"""quality.html: staff and partner patterns for the quality teams (clauses 3.4-3.7, 4.5, 6.2)."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd

from base.settings import Settings
from reports import charts, data, fmt
from reports.i18n import field_words, label, peer_label, t, t_count
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


SEVERITY_RANK = {"high": 0, "medium": 1, "watch": 2}
# what a flag's observed and expected figures count, per rule (the units of its figures)
UNITS = {
    "serious_conduct": "unit_serious",
    "persistent": "unit_months",
    "outlier_rate": "unit_substantiated",
    "rising_trend": "unit_substantiated_3m",
    "handler_sla": "unit_late",
}


def strength(f: dict) -> float:
    """How far a flag is from chance, to order flags of one severity: observed over expected
    (one over the chance for persistent, whose 'expected' is that chance)."""
    observed = float(f["observed"] or 0)
    expected = f["expected"]
    if f["rule"] == "serious_conduct" or fmt.missing(expected):
        return float("inf") if f["rule"] == "serious_conduct" else observed
    if f["rule"] == "persistent":
        return 1 / float(expected) if float(expected) > 0 else float("inf")
    return observed / float(expected) if float(expected) > 0 else float("inf")


def figures(f: dict, lang: str) -> str:
    """The flag's numbers with their units: observed, and what it was compared with."""
    unit = t_count(UNITS.get(f["rule"], "unit_complaints"), f["observed"], lang)
    parts = [f"{fmt.number(f['observed'], lang)} {unit}"]
    expected, limit = f["expected"], f["upper_limit"]
    if f["rule"] == "persistent" and not fmt.missing(expected):
        chance = float(expected)
        digits = 1 if chance >= 0.01 else 3
        parts.append(t("fig_chance", lang).format(p=fmt.pct(chance, lang, digits)))
    elif not fmt.missing(expected):
        parts.append(t("fig_expected", lang).format(n=fmt.number(expected, lang, 2)))
    if not fmt.missing(limit):
        parts.append(t("fig_limit", lang).format(n=fmt.number(limit, lang, 1)))
    return " · ".join(parts)


def anchor(subject_type: str, subject_id: object) -> str:
    """An id for a subject's card (letters, digits and - only)."""
    safe = "".join(c if c.isalnum() else "-" for c in str(subject_id))
    return f"s-{subject_type}-{safe}"


def subject_cards(
    con: duckdb.DuckDBPyConnection, flags: pd.DataFrame | None, lang: str
) -> list[dict] | None:
    """One card per flagged subject: all its flags, by severity then strength, and one table of
    the complaints behind them (each complaint once, with the flags it supports)."""
    if flags is None:
        return None
    if not len(flags):
        return []
    month = flags["review_month"].iloc[0]
    found = data.flag_evidence(con, month, EVIDENCE_ROWS)
    partners = data.partner_names(con)
    cards = []
    for (kind, subject), part in flags.groupby(["subject_type", "subject_id"], sort=False):
        records = sorted(
            part.to_dict("records"),
            key=lambda f: (SEVERITY_RANK.get(f["severity"], 3), -strength(f)),
        )
        key = anchor(kind, subject)
        mine = found[(found["subject_type"] == kind) & (found["subject_id"] == subject)]
        evidence = Table(
            f"evidence-{key}",
            [*complaint_headers(lang), t("col_rule", lang)],
            numeric=[False] * 9,
        )
        total_ids: set[str] = set()
        for f in records:
            ids = f["complaint_ids"] if f["complaint_ids"] is not None else []
            total_ids |= {str(i) for i in ids}
        for _, rows in mine.groupby("complaint_id", sort=False):
            first = rows.iloc[0].to_dict()
            rules = ", ".join(t(f"rule_{r}", lang) for r in dict.fromkeys(rows["rule"]))
            evidence.rows.append([*complaint_cells(first, lang), Cell(rules)])
        name = str(subject)
        if kind == "partner" and partners.get(subject):
            name = f"{subject} · {partners[subject]}"
        top = records[0]
        more = max(0, len(total_ids) - len(evidence.rows))
        listed = len(evidence.rows) + more
        cards.append(
            {
                "id": key,
                "subject_type": kind,
                "subject_id": subject,
                "name": name,
                "kind_text": label("subject_type", kind, lang),
                "peer_text": peer_label(kind, top["peer_group"], lang),
                "severity": top["severity"],
                "severity_text": t(f"severity_{top['severity']}", lang),
                "rank": (SEVERITY_RANK.get(top["severity"], 3), -strength(top)),
                "flags": [
                    {
                        "rule": f["rule"],
                        "rule_text": t(f"rule_{f['rule']}", lang),
                        "severity": f["severity"],
                        "severity_text": t(f"severity_{f['severity']}", lang),
                        "period": _period(f, lang),
                        "figures": figures(f, lang),
                        "explanation": explanation(f, lang),
                        "n": len(f["complaint_ids"]) if f["complaint_ids"] is not None else 0,
                    }
                    for f in records
                ],
                "evidence": evidence,
                "evidence_title": t_count("evidence_for", listed, lang).format(n=listed),
                "more": more,
            }
        )
    cards.sort(key=lambda c: (c["rank"], str(c["subject_id"])))
    return cards


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
    their intervals, beside the flags raised, and how many new persistent flags it would start
    (marts.flag_chance)."""
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
        # episodes: a high persistent flag continuing the month before's is not a new event
        persistent_new=c["persistent_new_flags"],
        persistent_continuing=c["persistent_continuing_flags"],
        expected_new=fmt.number(c["expected_persistent_new"], lang, 2),
        new_low=c["persistent_new_low"],
        new_high=c["persistent_new_high"],
    )


def chance_others(flags: pd.DataFrame | None, lang: str) -> str:
    """What the chance figures do not cover: the month's other flags, by rule, so the box
    speaks of every flag in the list below it."""
    if flags is None or not len(flags):
        return ""
    covered = (flags["rule"] == "outlier_rate") | (
        (flags["rule"] == "persistent") & (flags["severity"] == "high")
    )
    rest = flags[~covered]
    counts = rest.groupby("rule").size()
    parts = [f"{t(f'rule_{r}', lang)}: {fmt.number(n, lang)}" for r, n in counts.items()]
    return t("chance_others", lang).format(
        total=fmt.number(len(flags), lang),
        covered=fmt.number(int(covered.sum()), lang),
        others="; ".join(parts) if parts else t("none", lang).lower(),
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
    flags = data.flags(con, month)
    cards = subject_cards(con, flags, lang)
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
        "cards": cards,
        "notices": activity_notices(con, month, lang),
        "chance": chance_text(con, month, lang),
        "chance_others": chance_others(flags, lang),
        "tables": {
            "findings": findings_table(con, month, lang),
            "handlers": handler_table(con, month, lang),
            "integrity": integrity_list(con, lang),
        },
        "verdict_cls": verdict_cls,
    }
