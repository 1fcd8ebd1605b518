"""Jinja2 (autoescaped) rendering, and the table shape the templates draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from base import clock
from reports import charts
from reports.i18n import translator

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Cell:
    text: str
    value: str = ""  # machine-readable, as data-value (tests compare it with the marts)
    cls: str = ""


@dataclass
class Table:
    name: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    empty: str = ""


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


ENV = _env()


def render(template: str, lang: str, **context: Any) -> str:
    """The page: the template with the language's strings and, when it draws plotly charts, a
    ``<script src>`` of plotly.js beside the page (``charts.PLOTLY_FILE``, written once per
    reports folder by publish.py): the pages stay small and fully offline.

    ``context``: the template's variables, any value Jinja can render."""
    t, label = translator(lang)
    needs_js = any(
        "js-plotly" in v or "plotly-graph-div" in v for v in context.get("charts", {}).values()
    )
    return ENV.get_template(template).render(
        lang=lang,
        t=t,
        label=label,
        plotly_src=charts.PLOTLY_FILE if needs_js else "",
        css=(TEMPLATES / "style.css").read_text(encoding="utf-8"),
        generated=clock.now().strftime("%Y-%m-%d %H:%M"),
        **context,
    )
