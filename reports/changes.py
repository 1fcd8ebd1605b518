"""The 'what changed' narrative: only changes a test at the 1% level says are unlikely to be noise.

Counts are compared as Poisson rates (conditional binomial test, scaled by the days each period
covers, so a month still running is compared fairly); the on-time share with Fisher's exact test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scipy.stats import binomtest, fisher_exact

from reports import fmt
from reports.i18n import label, t

ALPHA = 0.01


@dataclass(frozen=True)
class Period:
    key: str  # last_month | last_year
    days: int


def count_change_p(after: int, after_days: int, before: int, before_days: int) -> float:
    """Two-sided p of 'same daily rate' for two Poisson counts over different lengths."""
    total = after + before
    if total == 0:
        return 1.0
    share = after_days / (after_days + before_days)
    return float(binomtest(after, total, share).pvalue)


def share_change_p(after: tuple[int, int], before: tuple[int, int]) -> float:
    """Two-sided Fisher exact p for successes/trials in two periods."""
    (a, n), (b, m) = after, before
    if n == 0 or m == 0:
        return 1.0
    return float(fisher_exact([[a, n - a], [b, m - b]]).pvalue)


def _line(lang: str, subject: str, up: bool, before: str, period: str, after: str, p: float) -> str:
    d = "up" if up else "down"
    return t("change_line", lang).format(
        subject=subject,
        verb=t(f"verb_{d}", lang),
        before=before,
        before_label=t(period, lang),
        to=t(f"to_{d}", lang),
        after=after,
        p=fmt.pvalue(p, lang),
    )


def _sla_counts(row: dict) -> tuple[int, int]:
    judged = int(row["met"]) + int(row["breached"]) + int(row["open_overdue"])
    return int(row["met"]), judged


def narrative(
    lang: str,
    now: dict,
    now_days: int,
    before: dict[str, tuple[dict, int]],
    categories_now: dict[str, int],
    categories_before: dict[str, dict[str, int]],
) -> list[str]:
    """Sentences for each significant change vs each comparison period.

    ``now``/``before`` hold sla_monthly rows (received, met, breached, open_overdue,
    compliance_rate); ``before`` maps last_month|last_year to (row, days covered).
    """
    lines: list[str] = []
    for period, (row, days) in before.items():
        if row is None:
            continue
        p = count_change_p(int(now["received"]), now_days, int(row["received"]), days)
        if p < ALPHA:
            lines.append(
                _line(
                    lang,
                    t("subject_received", lang),
                    now["received"] * days > row["received"] * now_days,
                    fmt.number(row["received"], lang),
                    period,
                    fmt.number(now["received"], lang),
                    p,
                )
            )
        p = share_change_p(_sla_counts(now), _sla_counts(row))
        if p < ALPHA and not fmt.missing(now["compliance_rate"]):
            lines.append(
                _line(
                    lang,
                    t("subject_compliance", lang),
                    now["compliance_rate"] > row["compliance_rate"],
                    fmt.pct(row["compliance_rate"], lang),
                    period,
                    fmt.pct(now["compliance_rate"], lang),
                    p,
                )
            )
        lines += _category_lines(
            lang, period, categories_now, categories_before.get(period, {}), now_days, days
        )
    return lines


def _category_lines(
    lang: str,
    period: str,
    now: dict[str, int],
    before: dict[str, int],
    now_days: int,
    before_days: int,
) -> list[str]:
    lines = []
    for code in sorted(set(now) | set(before)):
        a, b = now.get(code, 0), before.get(code, 0)
        p = count_change_p(a, now_days, b, before_days)
        if p < ALPHA:
            name = label("category", code, lang)
            lines.append(
                _line(
                    lang,
                    t("subject_category", lang).format(name=name),
                    a * before_days > b * now_days,
                    fmt.number(b, lang),
                    period,
                    fmt.number(a, lang),
                    p,
                )
            )
    return lines


def days_covered(month: dt.date, last_day: dt.date, as_of: dt.date) -> int:
    """Calendar days of the month that the data covers (a running month is partial)."""
    return max((min(last_day, as_of) - month).days + 1, 1)
