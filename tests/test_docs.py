"""The docs document what the code does: every validation rule is in its table
(docs/data-and-rules.md, "Validation")."""

from __future__ import annotations

from data_checks.rules import RULES
from tests.conftest import REPO


def test_docs_list_every_rule_with_its_level():
    page = (REPO / "docs" / "data-and-rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.name}` | {rule.level} |" in page
