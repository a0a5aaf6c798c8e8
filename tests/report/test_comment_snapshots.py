"""The comment as a reviewer reads it, whole: a grouped plan, and each rule's call-out.

Snapshots are Markdown files in ``__snapshots__/test_comment_snapshots/``; a change to the
comment shows in the diff of those files (``pytest --snapshot-update``, then review it).
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from gitops_action.core.rules import RULE_NAMES
from gitops_action.models import Report
from gitops_action.report.markdown import comment_parts, plan_markdown
from gitops_action.report.text import report_text
from tests.core.objects import RISKY
from tests.report.plans import CTX, plan, row, shop


def test_a_grouped_plan_reads_table_glance_risks_warnings_then_grouped_diffs(
    md_snapshot: SnapshotAssertion,
) -> None:
    (part,) = comment_parts(shop(), CTX)
    order = ["| `shop` |", "**At a glance**", "**⚠️ Risky changes**", "**Warnings**", "<details>"]
    assert [part.index(h) for h in order] == sorted(part.index(h) for h in order)
    assert part.count("<details>") == 11  # 16 changed: 4 Deployments share one, 3 ConfigMaps one
    assert part == md_snapshot


def test_the_job_summary_has_the_same_glance_and_groups(md_snapshot: SnapshotAssertion) -> None:
    text = plan_markdown(Report("plan", "89abcdef", (shop(),)), CTX)
    assert text == comment_parts(shop(), CTX)[0].split("\n", 1)[1]  # but the marker
    assert text == md_snapshot


def test_the_terminal_text_leads_with_the_glance(md_snapshot: SnapshotAssertion) -> None:
    text = report_text(Report("plan", "89abcdef", (shop(),)), diffs=False)
    assert text.startswith(
        "== target shop\nat a glance:\n  image: shop/web:1.4.2 -> shop/web:1.4.3 in 4 Deployments\n"
    )
    assert text == md_snapshot


def test_every_rule_has_a_risky_example() -> None:
    assert sorted(RISKY) == sorted(RULE_NAMES)


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_each_rule_is_called_out_on_its_row_and_at_a_glance(
    rule: str, md_snapshot: SnapshotAssertion
) -> None:
    (found,) = plan("shop", row(*RISKY[rule])).resources
    assert [r.rule for r in found.risks] == [rule]
    (part,) = comment_parts(plan("shop", found), CTX)
    assert part.count(f"<code>{rule}</code>") == 2  # at a glance, and on the row
    assert part == md_snapshot


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_a_rule_the_target_ignores_is_not_shown(rule: str) -> None:
    quiet = plan("shop", row(*RISKY[rule]), ignore=(rule,))
    assert quiet.resources[0].risks == ()
    assert "Risky changes" not in comment_parts(quiet, CTX)[0]
