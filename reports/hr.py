"""The HR dossier: every complaint naming one employee, findings apart from allegations, their
flags and how they compare with team peers (clauses 4.5, 4.6, 7.1). Peers stay anonymous."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines.ingest.labels import SUBSTANTIATED
from reports import charts, data, fmt
from reports.i18n import t
from reports.quality import complaint_cells, complaint_headers
from reports.render import Cell, Table


def complaint_tables(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str
) -> tuple[Table, Table]:
    rows = data.employee_complaints(con, employee_id, month)
    found = rows["outcome"].isin(SUBSTANTIATED)
    tables = []
    for name, part in (("substantiated", rows[found]), ("allegations", rows[~found])):
        table = Table(
            name, complaint_headers(lang), numeric=[False] * 8, empty=t("hr_no_complaints", lang)
        )
        table.rows = [complaint_cells(r, lang) for r in part.to_dict("records")]
        tables.append(table)
    return tables[0], tables[1]


def flag_table(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str
) -> Table | None:
    rows = data.employee_flags(con, employee_id, month)
    if rows is None:
        return None
    table = Table(
        "flags",
        [
            t(k, lang)
            for k in (
                "col_severity",
                "col_rule",
                "col_period",
                "col_observed",
                "col_expected",
                "col_limit",
                "col_explanation",
                "col_evidence",
            )
        ],
        numeric=[False, False, False, True, True, True, False, False],
        empty=t("hr_no_flags", lang),
    )
    for f in rows.to_dict("records"):
        ids = f["complaint_ids"] if f["complaint_ids"] is not None else []
        table.rows.append(
            [
                Cell(
                    t(f"severity_{f['severity']}", lang),
                    f["severity"],
                    "bad" if f["severity"] == "high" else "",
                ),
                Cell(t(f"rule_{f['rule']}", lang), f["rule"]),
                Cell(f"{fmt.date(f['period_start'], lang)} – {fmt.date(f['period_end'], lang)}"),
                Cell(fmt.number(f["observed"], lang)),
                Cell(fmt.number(f["expected"], lang, 2)),
                Cell(fmt.number(f["upper_limit"], lang, 1)),
                Cell(f[f"explanation_{lang}"]),
                Cell(", ".join(map(str, ids)), cls="evidence"),
            ]
        )
    return table


def peer_table(peers: pd.DataFrame | None, mine: pd.DataFrame | None, lang: str) -> Table:
    """The employee's numbers beside their anonymous peer group's."""
    table = Table(
        "peers",
        [
            t("col_subject", lang),
            t("col_observed", lang),
            t("col_exposure", lang),
            t("col_rate", lang),
            t("col_expected", lang),
            t("col_verdict", lang),
        ],
        numeric=[False, True, True, True, True, False],
        empty=t("funnel_none", lang),
    )
    if peers is not None and len(peers):
        me = peers[peers["is_subject"]].iloc[0]
        others = peers[~peers["is_subject"]]
        table.rows.append(
            [
                Cell(t("chart_this_employee", lang)),
                Cell(fmt.number(me["observed"], lang)),
                Cell(fmt.number(me["exposure"], lang)),
                Cell(fmt.number(me["rate_per_1000"], lang, 2)),
                Cell(fmt.number(me["expected"], lang, 2)),
                Cell(t(f"verdict_{me['verdict']}", lang), me["verdict"]),
            ]
        )
        table.rows.append(
            [
                Cell(f"{t('chart_peers', lang)} (n = {len(others)})"),
                Cell(fmt.number(others["observed"].sum(), lang)),
                Cell(fmt.number(others["exposure"].sum(), lang)),
                Cell(fmt.number(float(me["peer_rate"]) * 1000, lang, 2)),
                Cell("–"),
                Cell("–"),
            ]
        )
    if mine is not None and len(mine):
        r = mine.iloc[0]
        for window in ("3m", "12m"):
            table.rows.append(
                [
                    Cell(f"{t('chart_this_employee', lang)} · {t('col_' + window, lang)}"),
                    Cell(
                        f"{fmt.number(r['substantiated_' + window], lang)} / "
                        f"{fmt.number(r['complaints_' + window], lang)}"
                    ),
                    Cell(fmt.number(r["exposure_" + window], lang)),
                    Cell(fmt.number(r[f"rate_{window}_per_1000"], lang, 2)),
                    Cell("–"),
                    Cell("–"),
                ]
            )
    return table


def context(
    con: duckdb.DuckDBPyConnection, employee_id: str, team: str | None, month: dt.date, lang: str
) -> dict:
    substantiated, allegations = complaint_tables(con, employee_id, month, lang)
    peers = data.employee_peers(con, employee_id, month)
    mine = data.employee_month_row(con, employee_id, month)
    has_peers = peers is not None and len(peers) and (peers["exposure"].fillna(0) > 0).any()
    return {
        "title": t("hr_title", lang),
        "employee_id": employee_id,
        "team": team,
        "charts": {"peers": charts.peer_funnel(peers, lang) if has_peers else ""},
        "tables": {
            "substantiated": substantiated,
            "allegations": allegations,
            "flags": flag_table(con, employee_id, month, lang),
            "peers": peer_table(peers, mine, lang),
        },
    }
