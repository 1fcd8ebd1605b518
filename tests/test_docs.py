"""The docs document what the code does, and a newcomer can follow them: every validation rule
is in its table (docs/data-and-rules.md, "Validation"), the README fits on a screen, every
relative link resolves, and every docs page is reachable from the README."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from data_checks.rules import RULES
from tests.conftest import REPO

README = REPO / "README.md"
PAGES = sorted((REPO / "docs").glob("*.md"))
README_MAX_LINES = 200

_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
    """The text a reader sees as Markdown: fenced blocks out (a `# comment` there is no
    heading, a `[x](y)` no link)."""
    return _FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading (github-slugger): the rendered text in lower case, every
    character but letters, digits, marks, '-', '_' and spaces dropped, each space a '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").lower()
    kept = (c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor in a page; a repeated heading gets -1, -2... as on GitHub."""
    seen: dict[str, int] = {}
    out = set()
    for heading in _HEADING.findall(_prose(page.read_text(encoding="utf-8"))):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def relative_links(page: Path) -> list[str]:
    text = _CODE_SPAN.sub("", _prose(page.read_text(encoding="utf-8")))
    return [t for t in _LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_docs_list_every_rule_with_its_level():
    page = (REPO / "docs" / "data-and-rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.name}` | {rule.level} |" in page


def test_readme_fits_on_a_screen():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_every_relative_link_resolves_to_a_file_and_heading():
    broken = []
    for page in [README, *PAGES]:
        for target in relative_links(page):
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(REPO)}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                broken.append(f"{page.relative_to(REPO)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in relative_links(README)}
    assert PAGES, "docs/*.md: no pages"
    assert [p.name for p in PAGES if p.resolve() not in linked] == []


def test_slug_follows_githubs_rule():
    assert slug("Validation (Great Expectations)") == "validation-great-expectations"
    assert slug("Performance (benchmark of 26/11/2026)") == "performance-benchmark-of-26112026"
    assert slug("Labels, counts and dates: read right") == "labels-counts-and-dates-read-right"
    assert slug("Working days and the 7-working-day rule (clause 5.1)") == (
        "working-days-and-the-7-working-day-rule-clause-51"
    )
    assert slug("`complaints` — the CLI") == "complaints--the-cli"
    assert slug("Chính sách ứng xử") == "chính-sách-ứng-xử"
