"""The README documents what the code does: every validation rule is in its table."""

from __future__ import annotations

from data_checks.rules import RULES
from tests.conftest import REPO


def test_readme_lists_every_rule_with_its_level():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.name}` | {rule.level} |" in readme
