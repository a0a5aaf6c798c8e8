"""Big plans stay readable: what changes and what is risky first, then the grouped diffs, in
parts under GitHub's limit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gitops_action.report.markdown import COMMENT_LIMIT, MAX_PARTS, comment_parts
from tests.core.objects import obj, service
from tests.report import example
from tests.report.plans import CTX, OVERWRITES, app, plan, row


def thousand_changes() -> list[str]:
    rows = [
        row(app(f"web-{i:03d}", f"img-{i}:1"), app(f"web-{i:03d}", f"img-{i}:2"))
        for i in range(500)
    ]
    rows += [
        row(app(f"idle-{i:03d}", "idle:1", replicas=3), app(f"idle-{i:03d}", "idle:1", replicas=0))
        for i in range(100)
    ]
    rows += [
        row(obj("v1", "ConfigMap", f"old-{i:03d}", data={"v": f"{i}" + "x" * 150}), None)
        for i in range(300)
    ]
    for i in range(100):
        exposed = service("NodePort")
        exposed["metadata"]["name"] = f"svc-{i:03d}"
        rows.append(row(None, exposed, OVERWRITES) if i < 3 else row(None, exposed))
    return comment_parts(plan("shop", *rows), CTX)


def test_a_thousand_changes_lead_with_table_glance_risks_and_warnings_in_part_one() -> None:
    parts = thousand_changes()
    first = parts[0]
    top = first.split("<details>", 1)[0]
    assert "| `shop` | 100 | 600 | 300 | 0 | 503 |" in top
    assert (
        top.index("**At a glance**") < top.index("**⚠️ Risky changes**") < top.index("**Warnings**")
    )
    assert "- **Images**:\n" in top and "  - … and 490 more\n" in top
    assert "- **Deleted** (300): " in top and ", … and 280 more\n" in top
    assert "- **Created**: 100 Services\n" in top
    assert "<code>service-exposed</code>" in top and "· <code>Service/shop/svc-000</code>" in top
    assert "<code>replicas-to-zero</code>" in top
    assert len(top) < 12_000  # the reviewer's first screen, not the diffs


def test_a_thousand_changes_split_into_parts_with_the_rest_in_the_job_summary() -> None:
    parts = thousand_changes()
    assert len(parts) == MAX_PARTS
    for number, part in enumerate(parts, start=1):
        assert len(part) <= COMMENT_LIMIT
        assert part.startswith(f"<!-- gitops-action:plan target=shop part={number} -->\n")
        assert part.count("<details>") == part.count("</details>")
    # The 97 new Services alike are one group (the 3 with a warning another): rows shown in
    # a <details> of their own or in a group, plus those left to the job summary, are all.
    text = "".join(parts)
    assert "the same change in 97 Services" in text and "the same change in 3 Services" in text
    grouped = [int(n) for n in re.findall(r"the same change in (\d+) ", text)]
    single = text.count("<details>") - len(grouped)
    rest = re.search(r"…and (\d+) more resources: see the \[job summary\]\(", parts[-1])
    assert rest is not None
    assert single + sum(grouped) + int(rest[1]) == 1000


def test_the_issue_example_is_two_groups_in_a_few_kilobytes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "shop"
    root.mkdir()
    base, _ = example.make(root)
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"
    args = f"plan --no-live --base-ref {base} --output-md {md} --output-json {js}".split()
    result = run_cli(root, *args)
    assert result.code == 0, result.err
    text = md.read_text()
    assert text.count("<details>") == 2  # 100 before grouping
    assert len(text.encode()) < 5_000  # 35 KB before
    assert (
        "- **Images**: <code>registry.example/shop/web:1.4.2</code> → <code>registry.example/shop/web:1.4.3</code> in 50 Deployments\n"
        in text
    )
    rows = [
        r for r in json.loads(js.read_text())["targets"][0]["resources"] if r["action"] == "update"
    ]
    groups = {r["group"] for r in rows}
    assert len(rows) == 100 and len(groups) == 2
    assert all(r["name"].removesuffix("-env") in r["diff"] for r in rows)  # each its own diff
