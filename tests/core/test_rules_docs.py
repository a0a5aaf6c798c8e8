"""The README's table of review rules is the rules' own data."""

from __future__ import annotations

from pathlib import Path

from gitops_action.core.rules import RULES

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_lists_every_rule_with_its_summary_and_actions() -> None:
    text = README.read_text(encoding="utf-8")
    for rule in RULES:
        actions = ", ".join(a for a in ("create", "update", "delete") if a in rule.actions)
        assert f"| `{rule.name}` | {rule.summary} | {actions} |\n" in text
