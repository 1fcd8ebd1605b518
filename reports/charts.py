"""plotly figures as HTML fragments (plotly.js itself is one file beside the pages of a reports
folder), and the HR dossier's chart as inline SVG (the dossier is one self-contained file)."""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from reports import fmt
from reports.funnel import poisson_upper_limit
from reports.i18n import label, t

COLORS = {
    "met": "#1a7f37",
    "goal": "#9a6700",
    "bar": "#8fb8de",
    "line": "#0b5cad",
    "outlier": "#cf222e",
    "watch": "#d4a72c",
    "within": "#57606a",
    "no_verdict": "#afb8c1",
    "subject": "#cf222e",
    "peer": "#8c959f",
}
HEATMAP_STAFF = 20  # rows in the staff x month heatmap (everyone is in tables.xlsx)
CATEGORY_COLORS = ["#0b5cad", "#e36209", "#6f42c1", "#1a7f37", "#cf222e", "#57606a", "#bf8700"]


# The pages of a month's folder load plotly.js from this file beside them (a relative
# ``<script src>``, so they work offline and from any copy of the folder).
PLOTLY_FILE = "plotly.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle of the installed plotly (no CDN, works offline)."""
    return get_plotlyjs()


def to_html(fig: go.Figure, name: str) -> str:
    # default margins; a chart that set one of its own (more room for titles) keeps it
    margin = {"l": 50, "r": 20, "t": 40, "b": 40}
    margin.update({k: v for k, v in fig.layout.margin.to_plotly_json().items() if v is not None})
    fig.update_layout(
        template="plotly_white",
        autosize=True,
        margin=margin,
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
        legend={"orientation": "h", "y": -0.2},
    )
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{name}",
        default_width="100%",
        config={"displaylogo": False, "responsive": True},
    )


def _months(values: pd.Series) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m") for v in values]


def compliance_trend(sla: pd.DataFrame, goal: float, lang: str) -> str:
    """On-time rate by month against the goal, received complaints behind it; a month with
    complaints still inside their limit is a hollow point labelled provisional. The rate axis
    fits the data and the goal (not 0-105%), so a fall from 95% to 89% shows."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = _months(sla["month"])
    fig.add_bar(
        x=x,
        y=sla["received"],
        name=t("chart_received", lang),
        marker_color=COLORS["bar"],
        opacity=0.6,
        secondary_y=True,
    )
    open_within = sla["open_within_sla"].fillna(0).astype(int)
    provisional = open_within > 0
    fig.add_scatter(
        x=x,
        y=sla["compliance_rate"],
        name=t("chart_compliance", lang),
        mode="lines+markers",
        line={"color": COLORS["line"], "width": 3},
        marker={
            "size": [11 if p else 7 for p in provisional],
            "color": ["white" if p else COLORS["line"] for p in provisional],
            "line": {"color": COLORS["line"], "width": 2},
        },
        customdata=[
            t("chart_provisional_open", lang).format(n=n) if p else ""
            for p, n in zip(provisional, open_within, strict=True)
        ],
        hovertemplate="%{x}: %{y:.1%} %{customdata}<extra></extra>",
        secondary_y=False,
    )
    for month, rate, p in zip(x, sla["compliance_rate"], provisional, strict=True):
        if p and not fmt.missing(rate):
            fig.add_annotation(
                x=month,
                y=rate,
                text=t("provisional", lang),
                showarrow=True,
                arrowhead=0,
                ay=-28,
                ax=0,
                font={"size": 11, "color": "#4d2d00"},
                bgcolor="#fff8c5",
                bordercolor="#d4a72c",
            )
    fig.add_scatter(
        x=x,
        y=[goal] * len(x),
        name=t("chart_goal", lang),
        mode="lines",
        line={"color": COLORS["goal"], "dash": "dash"},
        hoverinfo="skip",
        secondary_y=False,
    )
    rates = [float(v) for v in sla["compliance_rate"] if not fmt.missing(v)] + [goal]
    low = max(0.0, np.floor((min(rates) - 0.02) * 50) / 50)
    high = min(1.0, np.ceil((max(rates) + 0.02) * 50) / 50)
    fig.update_yaxes(
        title_text=t("chart_compliance", lang),
        tickformat=".0%",
        range=[low, high],
        secondary_y=False,
    )
    fig.update_yaxes(
        title_text=t("chart_received", lang),
        showgrid=False,
        rangemode="tozero",
        secondary_y=True,
    )
    fig.update_xaxes(tickformat="%m/%Y")  # month/year in both languages, not "Oct 2024"
    fig.update_layout(height=380, margin={"t": 50})
    return to_html(fig, "trend")


def categories(rows: pd.DataFrame, lang: str) -> str:
    fig = go.Figure()
    for i, (code, part) in enumerate(rows.groupby("dimension_value", sort=True)):
        fig.add_bar(
            x=_months(part["month"]),
            y=part["received"],
            name=label("category", code, lang),
            marker_color=CATEGORY_COLORS[i % len(CATEGORY_COLORS)],
        )
    fig.update_xaxes(tickformat="%m/%Y")
    fig.update_layout(barmode="stack", height=360)
    return to_html(fig, "categories")


def heatmap(rows: pd.DataFrame, months: list[dt.date], lang: str) -> str:
    """Staff x month: substantiated findings beside all allegations, clearly titled."""
    columns = [m.strftime("%Y-%m") for m in months]
    rows = rows.assign(col=_months(rows["month"]))
    # The staff a reader should look at first: most findings, then most allegations; a
    # 150-row wall of zeros hides them.
    totals = rows.groupby("employee_id")[["substantiated", "complaints"]].sum()
    totals = totals[totals["complaints"] > 0].sort_values(
        ["substantiated", "complaints"], ascending=False
    )
    staff = list(totals.index[:HEATMAP_STAFF])
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        # two short lines each, so the titles keep clear of each other on a phone
        subplot_titles=tuple(
            t(k, lang).replace(" (", "<br>(")
            for k in ("chart_heat_substantiated", "chart_heat_allegations")
        ),
    )
    fig.update_annotations(font_size=11)
    for col, measure, scale in ((1, "substantiated", "Reds"), (2, "complaints", "Blues")):
        grid = (
            rows.pivot_table(index="employee_id", columns="col", values=measure, aggfunc="sum")
            .reindex(index=staff, columns=columns)
            .fillna(0)
        )
        fig.add_heatmap(
            z=grid.values,
            x=columns,
            y=[html.escape(str(s)) for s in staff],
            colorscale=scale,
            showscale=False,
            xgap=1,
            ygap=1,
            text=grid.values.astype(int),
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: %{z}<extra></extra>",
            row=1,
            col=col,
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_layout(height=max(260, 22 * len(staff) + 160), margin={"t": 60})
    return to_html(fig, "heatmap")


def _limit_curves(
    fig: go.Figure, group: pd.DataFrame, lang: str, row: int, col: int, legend: bool
) -> None:
    rate = float(group["peer_rate"].median())
    phi = group["phi"].iloc[0] if "phi" in group else 1.0
    phi = 1.0 if pd.isna(phi) else float(phi)
    top = max(float(group["exposure"].max()) * 1.1, 1.0)
    low = max(float(group["exposure"].min()) * 0.5, top / 20, 1.0)
    grid = np.linspace(low, top, 160)
    for p, key, dash in ((0.95, "chart_limit_95", "dot"), (0.998, "chart_limit_998", "dash")):
        y = poisson_upper_limit(rate * grid, p, phi) / grid * 1000
        fig.add_scatter(
            x=grid,
            y=y,
            mode="lines",
            name=t(key, lang),
            showlegend=legend,
            legendgroup=key,
            line={"color": "#57606a", "dash": dash, "width": 1.5},
            hoverinfo="skip",
            row=row,
            col=col,
        )
    fig.add_scatter(
        x=[grid[0], grid[-1]],
        y=[rate * 1000] * 2,
        mode="lines",
        name=t("chart_peer_rate", lang),
        showlegend=legend,
        legendgroup="peer",
        line={"color": "#0b5cad", "width": 1},
        hoverinfo="skip",
        row=row,
        col=col,
    )


def funnel(rows: pd.DataFrame, name: str, lang: str, title: Callable[[object], str] = str) -> str:
    """Rate per 1,000 vs exposure with 95% and 99.8% limits, one panel per peer group."""
    rows = rows[rows["exposure"].fillna(0) > 0]
    groups = list(rows.groupby("peer_group", sort=True, dropna=False))
    cols = min(len(groups), 2) or 1
    nrows = max((len(groups) + cols - 1) // cols, 1)
    # a long team name on two lines: a panel is half the page wide, 170 px on a phone; the
    # rows then move apart by a line, so a title never meets the axis title above it
    titles = ["<br>".join(textwrap.wrap(html.escape(title(g)), 18)) for g, _ in groups]
    wrapped = any("<br>" in text for text in titles)
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=titles,
        vertical_spacing=(0.28 if wrapped else 0.18) / nrows + 0.05,
    )
    seen: set[str] = set()
    for i, (_, group) in enumerate(groups):
        r, c = i // cols + 1, i % cols + 1
        _limit_curves(fig, group, lang, r, c, legend=i == 0)
        for verdict, part in group.groupby("verdict"):
            flagged = verdict in ("outlier", "watch")  # labelled, so the page reads on paper
            fig.add_scatter(
                x=part["exposure"],
                y=part["rate_per_1000"],
                mode="markers+text" if flagged else "markers",
                text=[html.escape(str(v)) for v in part["subject_id"]] if flagged else None,
                textposition="top center",
                textfont={"size": 11, "color": COLORS.get(verdict, "#57606a")},
                cliponaxis=False,
                name=t(f"verdict_{verdict}", lang),
                legendgroup=verdict,
                showlegend=verdict not in seen,
                marker={
                    "color": COLORS.get(verdict, "#57606a"),
                    "size": 9,
                    "line": {"color": "white", "width": 1},
                },
                customdata=np.stack(
                    [
                        part["subject_id"].map(lambda v: html.escape(str(v))),
                        part["observed"],
                        part["expected"].round(2),
                    ],
                    axis=-1,
                ),
                hovertemplate="%{customdata[0]}<br>%{customdata[1]} / %{x:,} · "
                "E=%{customdata[2]}<extra></extra>",
                row=r,
                col=c,
            )
            seen.add(verdict)
    # one y title per row (the left panel's), so a phone never draws it over the next panel
    fig.update_xaxes(title_text=t("chart_exposure_axis", lang), rangemode="tozero", nticks=5)
    fig.update_yaxes(rangemode="tozero")
    fig.update_yaxes(title_text=t("col_rate", lang), col=1)
    fig.update_layout(height=330 * nrows + 80)
    return to_html(fig, name)


def _nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 times a power of ten apart)."""
    top = max(float(top), 1e-9)
    raw = top / count
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [float(step * i) for i in range(int(np.ceil(top / step - 1e-9)) + 1)]


def _tick_text(value: float, lang: str) -> str:
    digits = 0 if value == int(value) else (1 if value * 10 == int(value * 10) else 2)
    return fmt.number(value, lang, digits)


SVG_W, SVG_H = 480, 300  # the dossier chart's drawing units; it scales to the page width
SVG_PAD = {"l": 58, "r": 24, "t": 12, "b": 46}


def peer_funnel_svg(rows: pd.DataFrame, lang: str) -> str:
    """The HR dossier's funnel as inline SVG (no script: the dossier stays one small
    self-contained file): the employee in red, peers as anonymous grey points, the 95% and
    99.8% limits and the peer average; the legend is HTML below it, so it wraps on a phone."""
    rows = rows[rows["exposure"].fillna(0) > 0]
    if not len(rows):
        return ""
    rate = float(rows["peer_rate"].median())
    phi = rows["phi"].iloc[0] if "phi" in rows else 1.0
    phi = 1.0 if pd.isna(phi) else float(phi)
    x_top = float(rows["exposure"].max()) * 1.08
    low = max(x_top / 40, 1.0)
    grid = np.linspace(low, x_top, 120)
    curves = {
        key: poisson_upper_limit(rate * grid, p, phi) / grid * 1000
        for p, key in ((0.95, "chart_limit_95"), (0.998, "chart_limit_998"))
    }
    # the y range fits the points and the limits where points are (not the steep tail)
    near = grid >= float(rows["exposure"].min()) * 0.8
    y_data = max(
        float(rows["rate_per_1000"].max()),
        float(curves["chart_limit_998"][near].max()) if near.any() else 0.0,
        rate * 1000,
    )
    xs, ys = _nice_ticks(x_top), _nice_ticks(y_data * 1.05)
    x_max, y_max = xs[-1], ys[-1]
    left, top = SVG_PAD["l"], SVG_PAD["t"]
    width = SVG_W - SVG_PAD["l"] - SVG_PAD["r"]
    height = SVG_H - SVG_PAD["t"] - SVG_PAD["b"]

    def px(x: float) -> float:
        return round(left + width * x / x_max, 1)

    def py(y: float) -> float:
        return round(top + height * (1 - min(y, y_max) / y_max), 1)

    parts = [
        f'<svg class="svg-chart" data-chart="peers" viewBox="0 0 {SVG_W} {SVG_H}" '
        f'role="img" aria-label="{html.escape(t("sec_hr_peers", lang))}" '
        'preserveAspectRatio="xMidYMid meet">',
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="#fff" '
        'stroke="#d0d7de"/>',
    ]
    for x in xs:
        parts.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{top}" y2="{top + height}" stroke="#eef1f4"/>'
            f'<text x="{px(x)}" y="{top + height + 15}" text-anchor="middle" '
            f'class="tick">{_tick_text(x, lang)}</text>'
        )
    for y in ys:
        parts.append(
            f'<line x1="{left}" x2="{left + width}" y1="{py(y)}" y2="{py(y)}" stroke="#eef1f4"/>'
            f'<text x="{left - 5}" y="{py(y) + 4}" text-anchor="end" '
            f'class="tick">{_tick_text(y, lang)}</text>'
        )
    for key, dash in (("chart_limit_95", "3 3"), ("chart_limit_998", "7 4")):
        points = " ".join(
            f"{px(x)},{py(y)}" for x, y in zip(grid, curves[key], strict=True) if y <= y_max
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#57606a" stroke-width="1.5" '
            f'stroke-dasharray="{dash}"/>'
        )
    parts.append(
        f'<line x1="{px(grid[0])}" x2="{px(grid[-1])}" y1="{py(rate * 1000)}" '
        f'y2="{py(rate * 1000)}" stroke="#0b5cad"/>'
    )
    for is_subject in (False, True):
        part = rows[rows["is_subject"] == is_subject]
        color = COLORS["subject" if is_subject else "peer"]
        for r in part.itertuples():
            parts.append(
                f'<circle cx="{px(r.exposure)}" cy="{py(r.rate_per_1000)}" '
                f'r="{6 if is_subject else 4}" fill="{color}" stroke="#fff" '
                f'data-subject="{1 if is_subject else 0}"/>'
            )
    parts.append(
        f'<text x="{left + width / 2}" y="{SVG_H - 8}" text-anchor="middle" '
        f'class="axis">{html.escape(t("chart_exposure_axis", lang))}</text>'
        f'<text transform="translate(14 {top + height / 2}) rotate(-90)" '
        f'text-anchor="middle" class="axis">{html.escape(t("chart_rate_axis", lang))}'
        "</text></svg>"
    )
    legend = [
        ("chart_this_employee", f'<span class="dot" style="background:{COLORS["subject"]}">'),
        ("chart_peers", f'<span class="dot" style="background:{COLORS["peer"]}">'),
        ("chart_limit_95", '<span class="dash dot95">'),
        ("chart_limit_998", '<span class="dash dot998">'),
        ("chart_peer_rate", '<span class="dash peer">'),
    ]
    items = "".join(f"<li>{mark}</span>{html.escape(t(key, lang))}</li>" for key, mark in legend)
    return "".join(parts) + f'<ul class="legend">{items}</ul>'
