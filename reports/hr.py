"""The HR dossier: every complaint naming one employee, findings apart from allegations, their
flags and how they compare with team peers (clauses 4.3, 4.5, 4.6, 7.1). Peers stay anonymous.

Each finding appears once, with the months and rules it has been counted in, so three findings
of January-March are not read as new flags in April, May and June."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

import duckdb
import pandas as pd

from base.warehouse import scalar
from reports import charts, data, fmt
from reports.i18n import reason_text, t
from reports.quality import activity_notices, complaint_cells, complaint_headers, explanation
from reports.render import Cell, Table


def month_runs(months: list[dt.date], lang: str) -> str:
    """Months as runs: 01/2026–03/2026, 06/2026 (consecutive months joined)."""
    index = sorted({m.year * 12 + m.month - 1 for m in months})
    runs = []
    for _, run in groupby(enumerate(index), key=lambda p: p[1] - p[0]):
        values = [dt.date(v // 12, v % 12 + 1, 1) for _, v in run]
        first, last = fmt.month(values[0], lang), fmt.month(values[-1], lang)
        runs.append(first if first == last else f"{first}–{last}")
    return ", ".join(runs)


def counted_in(flag_rows: pd.DataFrame | None, complaint_id: str, lang: str) -> str:
    """The rules and review months a complaint was evidence for."""
    if flag_rows is None or not len(flag_rows):
        return t("counted_never", lang)
    mine = flag_rows[flag_rows["complaint_id"] == complaint_id]
    if not len(mine):
        return t("counted_never", lang)
    parts = []
    for rule, part in mine.groupby("rule", sort=True):
        months = [pd.Timestamp(m).date() for m in part["review_month"]]
        parts.append(f"{t('rule_' + rule, lang)}: {month_runs(months, lang)}")
    return "; ".join(parts)


def complaint_tables(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str
) -> tuple[Table, Table, Table]:
    """Findings that count (one row each, with where they were counted), allegations, and the
    other complaints naming the employee (other categories, or overturned on review)."""
    rows = data.employee_complaints(con, employee_id, month)
    flag_rows = data.flag_months(con, "employee", employee_id, month)
    counts = rows["substantiated"].fillna(False).astype(bool)
    other = (rows["other_finding"].fillna(False).astype(bool)) | (rows["appeal"] == "overturned")
    headers = complaint_headers(lang)
    found = Table(
        "substantiated",
        [*headers, t("col_decided_month", lang), t("col_appeal", lang), t("col_counted_in", lang)],
        numeric=[False] * 11,
        empty=t("hr_no_complaints", lang),
    )
    for r in rows[counts].to_dict("records"):
        found.rows.append(
            [
                *complaint_cells(r, lang),
                Cell(_decided_text(r, lang), fmt.raw(r["decision_month"])),
                _appeal_cell(r["appeal"], lang),
                Cell(counted_in(flag_rows, r["complaint_id"], lang), cls="counted"),
            ]
        )
    tables = [found]
    for name, part in (("allegations", rows[~counts & ~other]), ("other", rows[other])):
        table = Table(
            name,
            [*headers, t("col_appeal", lang)],
            numeric=[False] * 9,
            empty=t("hr_no_complaints", lang),
        )
        table.rows = [
            [*complaint_cells(r, lang), _appeal_cell(r["appeal"], lang)]
            for r in part.to_dict("records")
        ]
        tables.append(table)
    return tables[0], tables[1], tables[2]


def _decided_text(r: dict, lang: str) -> str:
    """The month a finding counts in, and its resolution date when that is another month."""
    decided = fmt.month(r["decision_month"], lang)
    resolved = r.get("resolution_date")
    if resolved is None or pd.isna(resolved) or pd.isna(r["decision_month"]):
        return decided
    if pd.Timestamp(resolved).strftime("%Y-%m") == pd.Timestamp(r["decision_month"]).strftime(
        "%Y-%m"
    ):
        return decided
    note = _tx("resolved_other_month", lang).format(
        resolved=fmt.date(resolved, lang), decided=decided
    )
    return f"{decided} ({note})"


def _appeal_cell(appeal: object, lang: str) -> Cell:
    if not isinstance(appeal, str):
        return Cell("–")
    return Cell(t(f"appeal_{appeal}", lang), appeal, "warn" if appeal == "under_review" else "")


def flag_table(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str
) -> Table | None:
    """The flags of the dossier's month (earlier months: see 'counted in' of each finding)."""
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
                Cell(explanation(f, lang)),
                Cell(", ".join(map(str, ids)), cls="evidence"),
            ]
        )
    return table


def peer_table(peers: pd.DataFrame | None, mine: pd.DataFrame | None, lang: str) -> Table:
    """The employee's numbers beside their peer group's exactly as the test used them (the
    funnel row's peers, their findings and exposure in the window, the employee left out), per
    1,000 interactions; a comparison not made says why."""
    me = peers[peers["is_subject"]].iloc[0] if peers is not None and len(peers) else None
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
    if me is not None:
        judged = me["verdict"] != "no_verdict"
        mine_rate = None if pd.isna(me["rate_per_1000"]) else float(me["rate_per_1000"])
        table.rows.append(
            [
                Cell(t("chart_this_employee", lang)),
                Cell(fmt.number(me["observed"], lang)),
                Cell(fmt.number(me["exposure"], lang)),
                Cell(fmt.number(mine_rate, lang, 2), fmt.raw(mine_rate)),
                Cell(fmt.number(me["expected"], lang, 2) if judged else "–"),
                Cell(
                    t(f"verdict_{me['verdict']}", lang)
                    + ("" if judged else f" ({reason_text(me['reason'], lang)})"),
                    me["verdict"],
                ),
            ]
        )
        if judged:
            share = float(me["share"])
            exposure = float(me["exposure"]) / share - float(me["exposure"])
            rate = float(me["peer_rate"]) * 1000
            table.rows.append(
                [
                    Cell(f"{t('chart_peers', lang)} (n = {int(me['peers'])})"),
                    Cell(fmt.number(int(me["group_findings"]) - int(me["observed"]), lang)),
                    Cell(fmt.number(round(exposure), lang)),
                    Cell(fmt.number(rate, lang, 2), fmt.raw(rate)),
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


def peers_note(peers: pd.DataFrame | None, lang: str) -> str:
    return t("hr_peers_note", lang)


# The dossier's own texts (issue 24), Vietnamese first.
_TEXT = {
    "summary_title": ("Tóm tắt", "Summary"),
    "summary_none": (
        "Không có dấu hiệu nào trong tháng này.",
        "No flags this month.",
    ),
    "summary_serious": (
        "{rule} ({severity}): {n} kết luận có cơ sở về hành vi nghiêm trọng trong tháng; không "
        "phải thống kê, mỗi kết luận đã được xác minh là đủ.",
        "{rule} ({severity}): {n} substantiated serious findings decided this month; not a "
        "statistic: each verified finding is enough.",
    ),
    "summary_serious_one": (
        "{rule} ({severity}): {n} kết luận có cơ sở về hành vi nghiêm trọng trong tháng; không "
        "phải thống kê, mỗi kết luận đã được xác minh là đủ.",
        "{rule} ({severity}): {n} substantiated serious finding decided this month; not a "
        "statistic: each verified finding is enough.",
    ),
    "summary_outlier": (
        "{rule} ({severity}): {obs} kết luận có cơ sở trong {start}–{end}, gấp khoảng {rr} lần "
        "tỷ lệ của {peers} người cùng nhóm với cùng khối lượng công việc (khoảng tin cậy 95%: "
        "{lo}–{hi}); trong số các dấu hiệu mạnh như vậy của tháng, tỷ lệ ước tính là dấu hiệu "
        "sai là {q}.",
        "{rule} ({severity}): {obs} substantiated findings in {start}–{end}, about {rr} times "
        "the rate of {peers} team peers at the same workload (95% interval {lo}–{hi}); among "
        "this month's flags as strong, the estimated share of false ones is {q}.",
    ),
    "summary_persistent": (
        "{rule} ({severity}): có kết luận trong {obs} tháng của {window} tháng; với khối lượng "
        "công việc này, cứ khoảng 1 trên {one_in} người bình thường đạt mức này do ngẫu nhiên "
        "({p}); tỷ lệ dấu hiệu sai ước tính {q}.",
        "{rule} ({severity}): findings in {obs} of {window} months; at this workload about 1 in "
        "{one_in} normal people reach this by chance ({p}); estimated false-flag share {q}.",
    ),
    "summary_other": ("{rule} ({severity}).", "{rule} ({severity})."),
    "assumptions": (
        "Giả định: người này được so sánh với những người cùng nhóm trong cùng tháng, theo số lượt "
        "tương tác, như thể tính chất công việc tương đương; mức chênh lệch giữa các cá nhân vì lý "
        "do không phải vi phạm được ước tính từ toàn bộ nhân viên. Giá trị p là khả năng một người "
        "bình thường có kết quả như vậy do ngẫu nhiên; nó KHÔNG phải là xác suất người này vô "
        "tội hay có lỗi. Dấu hiệu là lý do để xem xét, không phải kết luận kỷ luật; mỗi kết luận "
        "bên dưới có người xử lý, ngày giải quyết và tình trạng xem xét lại riêng.",
        "Assumptions: this person is compared with their team in the same month, per interaction, "
        "as if their caseload were comparable; the variation between people for reasons that are "
        "not misconduct is estimated from all staff. A p-value is how often a normal person "
        "would show this by chance; it is NOT the chance that this person is innocent or at "
        "fault. A flag is a reason to review, not a disciplinary finding; each finding below has "
        "its own handler, resolution date and review status.",
    ),
    "timeline": ("Dòng thời gian các dấu hiệu (12 tháng)", "Timeline of flags (12 months)"),
    "col_month": ("Tháng rà soát", "Review month"),
    "issued": ("Các dấu hiệu đã nêu và đã rút", "Flags as issued, and withdrawn"),
    "issued_none": ("Chưa có dấu hiệu nào được nêu.", "No flag was ever issued."),
    "col_issued": ("Nêu ngày", "Issued"),
    "col_withdrawn": ("Rút ngày, lý do", "Withdrawn, why"),
    "col_since": ("So với hồ sơ trước", "Since the last dossier"),
    "since_new": ("mới kể từ hồ sơ trước", "new since the last dossier"),
    "since_withdrawn": ("đã rút kể từ hồ sơ trước", "withdrawn since the last dossier"),
    "timeline_none": ("Không có dấu hiệu nào trong 12 tháng.", "No flags in 12 months."),
    "response": ("Ý kiến của nhân viên", "The employee's response"),
    "response_note": (
        "Nhân viên có quyền được xem hồ sơ này và trình bày ý kiến trước khi có quyết định. "
        "Ý kiến, ngày và chữ ký:",
        "The employee may see this dossier and respond before any decision. Response, date "
        "and signature:",
    ),
    "decision": ("Quyết định", "Decision"),
    "decision_note": (
        "Người quyết định, ngày, quyết định và lý do (tham chiếu các khiếu nại ở trên):",
        "Decided by, date, decision and reasons (citing the complaints above):",
    ),
    "resolved_other_month": (
        "giải quyết {resolved}, được tính vào tháng {decided}",
        "resolved {resolved}, counted in {decided}",
    ),
}


def _tx(key: str, lang: str) -> str:
    vi, en = _TEXT[key]
    return en if lang == "en" else vi


def rate_ratio_interval(observed: int, group: int, share: float) -> tuple[float, float, float]:
    """The rate ratio of a subject against its peers and its exact 95% interval, from the test's
    own conditioning: of the group's `group` findings the subject has `observed`, each falling
    on it with chance s * RR / (s * RR + 1 - s); Clopper-Pearson on that chance, mapped to RR."""
    from scipy.stats import beta  # only when a dossier is written

    def to_ratio(pi: float) -> float:
        return pi * (1 - share) / (share * (1 - pi)) if pi < 1 else float("inf")

    lo = beta.ppf(0.025, observed, group - observed + 1) if observed > 0 else 0.0
    hi = beta.ppf(0.975, observed + 1, group - observed) if observed < group else 1.0
    return to_ratio(observed / group), to_ratio(float(lo)), to_ratio(float(hi))


def summary(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str
) -> list[str]:
    """What is flagged this month, how strong and how certain, in words."""
    flags = con.execute(
        "SELECT rule, severity, observed FROM marts.pattern_flags WHERE subject_type = "
        "'employee' AND subject_id = ? AND review_month = ? ORDER BY severity, rule",
        [employee_id, month],
    ).fetchall()
    if not flags:
        return [_tx("summary_none", lang)]
    f = con.execute(
        "SELECT * FROM marts.funnel WHERE subject_type = 'employee' AND subject_id = ? "
        "AND review_month = ?",
        [employee_id, month],
    ).df()
    row = f.iloc[0] if len(f) else None
    lines = []
    for rule, severity, observed in flags:
        names = {"rule": t(f"rule_{rule}", lang), "severity": t(f"severity_{severity}", lang)}
        if rule == "serious_conduct":
            key = "summary_serious_one" if observed == 1 else "summary_serious"
            lines.append(_tx(key, lang).format(n=observed, **names))
        elif rule == "outlier_rate" and row is not None and pd.notna(row["share"]):
            rr, lo, hi = rate_ratio_interval(
                int(row["observed"]), int(row["group_findings"]), float(row["share"])
            )
            lines.append(
                _tx("summary_outlier", lang).format(
                    obs=int(row["observed"]),
                    start=fmt.month(row["period_start"], lang),
                    end=fmt.month(row["review_month"], lang),
                    rr=fmt.number(rr, lang, 1),
                    lo=fmt.number(lo, lang, 1),
                    hi=fmt.number(hi, lang, 1),
                    peers=int(row["peers"]),
                    q=fmt.number(100 * float(row["q_value"]), lang, 1) + "%",
                    **names,
                )
            )
        elif rule == "persistent" and row is not None and pd.notna(row["persistent_p_value"]):
            p = float(row["persistent_p_value"])
            lines.append(
                _tx("summary_persistent", lang).format(
                    obs=int(row["persistent_months"]),
                    window=int(row["persistent_window_months"]),
                    one_in=fmt.number(round(1 / p), lang) if p > 0 else "–",
                    # fmt.pvalue writes "< 0,001" below 0.001: "p < 0,001", never "p = < 0,001"
                    p="p " + fmt.pvalue(p, lang) if p < 0.001 else "p = " + fmt.pvalue(p, lang),
                    q=fmt.number(100 * float(row["persistent_q_value"]), lang, 1) + "%",
                    **names,
                )
            )
        else:
            lines.append(_tx("summary_other", lang).format(**names))
    return lines


def timeline(con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str) -> Table:
    """The person's flags by month and severity over the 12 months up to the dossier's."""
    rows = con.execute(
        "SELECT review_month, rule, severity FROM marts.pattern_flags WHERE subject_type = "
        "'employee' AND subject_id = ? AND review_month <= ? AND review_month > ? "
        "ORDER BY review_month, rule",
        [employee_id, month, month - dt.timedelta(days=365)],
    ).fetchall()
    table = Table(
        "timeline",
        [_tx("col_month", lang), t("col_rule", lang), t("col_severity", lang)],
        numeric=[False, False, False],
        empty=_tx("timeline_none", lang),
    )
    for review_month, rule, severity in rows:
        table.rows.append(
            [
                Cell(fmt.month(review_month, lang), fmt.raw(review_month)),
                Cell(t(f"rule_{rule}", lang), rule),
                Cell(t(f"severity_{severity}", lang), severity),
            ]
        )
    return table


_WITHDRAWN_VI = {
    "a finding it rested on was overturned on review": (
        "một kết luận làm căn cứ đã bị hủy khi xem xét lại"
    ),
    "no longer raised: the register, the directory or the activity changed": (
        "không còn được nêu: sổ khiếu nại, danh sách nhân sự hoặc dữ liệu lượt tương tác "
        "đã thay đổi"
    ),
    "raised again with another severity or other evidence": (
        "được nêu lại với mức độ hoặc căn cứ khác"
    ),
}


def issued_table(
    con: duckdb.DuckDBPyConnection, employee_id: str, month: dt.date, lang: str
) -> Table:
    """Every flag of the person as issued (core.flags_issued), with withdrawals and why; rows
    new or withdrawn since the person's previous dossier (core.audit_log) are marked."""
    previous = scalar(
        con, "SELECT max(requested_at) FROM core.audit_log WHERE employee_id = ?", [employee_id]
    )
    rows = con.execute(
        "SELECT review_month, rule, severity, issued_at, withdrawn_at, withdrawn_reason "
        "FROM core.flags_issued WHERE subject_type = 'employee' AND subject_id = ? "
        "AND review_month <= ? ORDER BY review_month, issued_at, rule",
        [employee_id, month],
    ).fetchall()
    table = Table(
        "issued",
        [
            _tx("col_month", lang),
            t("col_rule", lang),
            t("col_severity", lang),
            _tx("col_issued", lang),
            _tx("col_withdrawn", lang),
            _tx("col_since", lang),
        ],
        numeric=[False] * 6,
        empty=_tx("issued_none", lang),
    )
    for review_month, rule, severity, issued, withdrawn, reason in rows:
        since = ""
        # One clock (base/clock.py) writes both times, to the second: a build in the same second
        # as the previous dossier counts as since, so a change is never left unmarked.
        if previous is not None and withdrawn is not None and withdrawn >= previous:
            since = _tx("since_withdrawn", lang)
        elif previous is not None and issued >= previous:
            since = _tx("since_new", lang)
        why = reason if lang == "en" else _WITHDRAWN_VI.get(reason, reason or "")
        table.rows.append(
            [
                Cell(fmt.month(review_month, lang), fmt.raw(review_month)),
                Cell(t(f"rule_{rule}", lang), rule),
                Cell(t(f"severity_{severity}", lang), severity),
                Cell(fmt.date(issued, lang)),
                Cell(f"{fmt.date(withdrawn, lang)}: {why}" if withdrawn is not None else "–"),
                Cell(since, since, "warn" if since else ""),
            ]
        )
    return table


def context(
    con: duckdb.DuckDBPyConnection, employee_id: str, team: str | None, month: dt.date, lang: str
) -> dict:
    substantiated, allegations, other = complaint_tables(con, employee_id, month, lang)
    peers = data.employee_peers(con, employee_id, month)
    mine = data.employee_month_row(con, employee_id, month)
    has_peers = peers is not None and len(peers) and (peers["exposure"].fillna(0) > 0).any()
    return {
        "summary": summary(con, employee_id, month, lang),
        "assumptions": _tx("assumptions", lang),
        "hr_text": {k: _tx(k, lang) for k in _TEXT},
        "title": t("hr_title", lang),
        "employee_id": employee_id,
        "team": team,
        "notices": activity_notices(con, month, lang, subject_types=("employee",)),
        "peers_note": peers_note(peers, lang),
        "charts": {"peers": charts.peer_funnel_svg(peers, lang) if has_peers else ""},
        "tables": {
            "substantiated": substantiated,
            "allegations": allegations,
            "other": other,
            "flags": flag_table(con, employee_id, month, lang),
            "peers": peer_table(peers, mine, lang),
            "timeline": timeline(con, employee_id, month, lang),
            "issued": issued_table(con, employee_id, month, lang),
        },
    }
