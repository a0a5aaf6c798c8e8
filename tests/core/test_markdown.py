"""PR comment and job summary Markdown: whole-text snapshots, splitting, and inertness."""

from __future__ import annotations

import re

from syrupy.assertion import SnapshotAssertion

from gitops_action.core.diff import compare
from gitops_action.models import Report, ResourceDiff, ResourceKey, Source, TargetReport
from gitops_action.report.markdown import (
    MARKER_RE,
    PlanContext,
    code,
    comment_parts,
    fence_for,
    inert,
    plan_markdown,
)
from tests.manifests import configmap

CTX = PlanContext(
    baseline="the base ref `origin/main` (`0123456789ab`)",
    revision="89abcdef01234567",
    base_revision="0123456789abcdef",
    run_url="https://github.example/octo/app/actions/runs/42",
)


def cm(name: str, value: str) -> dict[str, object]:
    return configmap(name, "web", v=value)


def sample() -> TargetReport:
    key = ResourceKey("", "ConfigMap", "web", "settings")
    return TargetReport(
        name="staging",
        resources=(
            compare(key, "v1", cm("settings", "a"), cm("settings", "b")),
            compare(ResourceKey("", "ConfigMap", "web", "new"), "v1", None, cm("new", "x")),
            compare(ResourceKey("", "ConfigMap", "web", "old"), "v1", cm("old", "x"), None),
            ResourceDiff(ResourceKey("", "ConfigMap", "web", "same"), "v1", "unchanged"),
        ),
    )


def test_the_comment_matches_its_snapshot(md_snapshot: SnapshotAssertion) -> None:
    parts = comment_parts(sample(), CTX)
    assert len(parts) == 1
    assert parts[0] == md_snapshot


def test_a_plan_without_changes_says_so_in_one_line(md_snapshot: SnapshotAssertion) -> None:
    quiet = TargetReport(
        "staging", (ResourceDiff(ResourceKey("", "ConfigMap", "web", "same"), "v1", "unchanged"),)
    )
    parts = comment_parts(quiet, CTX)
    assert "No changes: the desired state of `staging` matches the base ref" in parts[0]
    assert "<details>" not in parts[0]
    assert parts[0] == md_snapshot


def distinct_changes(count: int) -> tuple[ResourceDiff, ...]:
    """Big changes, each its own (equal ones would share one group)."""
    return tuple(
        compare(
            ResourceKey("", "ConfigMap", "web", f"cm-{i:03d}"),
            "v1",
            cm(f"cm-{i:03d}", f"{i}" + "a" * 3000),
            cm(f"cm-{i:03d}", f"{i}" + "b" * 3000),
        )
        for i in range(count)
    )


def test_a_huge_plan_is_split_on_resource_boundaries_under_the_limit() -> None:
    rows = distinct_changes(40)
    parts = comment_parts(TargetReport("big", rows), CTX, limit=65_536, max_parts=10)
    assert len(parts) > 1
    for number, part in enumerate(parts, start=1):
        assert len(part) <= 65_536
        assert MARKER_RE.match(part).group("part") == str(number)  # type: ignore[union-attr]
        assert part.count("<details>") == part.count("</details>")
        assert part.count("```diff") * 2 == len(re.findall(r"^```", part, re.M))
    names = [n for part in parts for n in re.findall(r"<code>ConfigMap/web/(cm-\d+)</code>", part)]
    assert names == [f"cm-{i:03d}" for i in range(40)]


def test_past_the_last_part_the_rest_is_counted_and_linked() -> None:
    rows = distinct_changes(120)
    parts = comment_parts(TargetReport("big", rows), CTX, limit=65_536, max_parts=2)
    assert len(parts) == 2
    shown = sum(p.count("<details>") for p in parts)
    assert f"…and {120 - shown} more resources: see the [job summary]({CTX.run_url})" in parts[-1]


def test_one_resource_larger_than_a_comment_is_truncated_not_dropped() -> None:
    key = ResourceKey("", "ConfigMap", "web", "huge")
    row = compare(
        key,
        "v1",
        cm("huge", "\n".join(f"a{i}" for i in range(20000))),
        cm("huge", "\n".join(f"b{i}" for i in range(20000))),
    )
    parts = comment_parts(TargetReport("big", (row,)), CTX)
    assert len(parts) == 1 and len(parts[0]) <= 65_536
    assert "more lines: the full diff is in the job summary and the JSON report" in parts[0]


def test_text_from_manifests_cannot_escape_its_code_block_or_mention_anyone() -> None:
    evil = "```\n</details><img src=x onerror=alert(1)>\n@octocat <!-- x -->\n````"
    row = compare(
        ResourceKey("", "ConfigMap", "web", "evil"), "v1", cm("evil", "a"), cm("evil", evil)
    )
    warned = ResourceDiff(
        row.key,
        "v1",
        "update",
        row.diff,
        warnings=("server says: <b>@admin</b> [x](http://e) `y`",),
    )
    part = comment_parts(TargetReport("staging", (warned,)), CTX)[0]
    fence = fence_for(row.diff)
    assert len(fence) == 5
    body = part.split(fence + "diff\n", 1)[1].split("\n" + fence + "\n", 1)[0]
    assert "</details>" in body  # the hostile text is inside the fence, verbatim
    outside = part.replace(body, "")
    assert "<img" not in outside and "<b>" not in outside
    assert "@admin" not in outside and "@\u200badmin" in outside
    assert "[x](http" not in outside


def test_inert_escapes_markdown_html_and_mentions() -> None:
    assert inert("a *b* <i>c</i> @d [x](y)\nnext") == (
        "a \\*b\\* &lt;i&gt;c&lt;/i&gt; @\u200bd \\[x\\](y) next"
    )


def test_the_job_summary_has_every_target_and_no_markers(md_snapshot: SnapshotAssertion) -> None:
    report = Report("plan", "89abcdef", (sample(), TargetReport("prod", ())))
    text = plan_markdown(report, CTX)
    assert "<!--" not in text
    assert "`staging`" in text and "`prod`" in text
    assert text == md_snapshot


def test_the_source_of_a_resource_is_shown() -> None:
    row = ResourceDiff(
        ResourceKey("", "ConfigMap", "web", "a"),
        "v1",
        "create",
        "+x\n",
        source=Source("deploy/a.yaml", 3, 1),
    )
    assert "<code>deploy/a.yaml:3:1</code>" in comment_parts(TargetReport("t", (row,)), CTX)[0]


LINKABLE = re.compile(r"(?i)https?://|\bwww\.|(?<![&\w])#\d|\bgh-\d|@\w|(?<!\\)\[[^\]]*(?<!\\)\]\(")
"""What GitHub turns into a link or a mention in Markdown text (autolinks, references)."""


def test_text_from_manifests_never_becomes_a_link_in_warnings_or_summaries() -> None:
    hostile = "Kind[click](https://evil.example) www.evil.example #12 GH-3 a@evil.example"
    row = ResourceDiff(
        ResourceKey("evil.example", hostile, "web", "www.evil.example"),
        "evil.example/v1",
        "update",
        "+x\n",
        warnings=(f"{hostile} will be deleted",),
        source=Source(f"deploy/{hostile}.yaml"),
        error=hostile,
    )
    target = TargetReport("staging", (row,), errors=(hostile,))
    texts = [*comment_parts(target, CTX), plan_markdown(Report("plan", "abc", (target,)), CTX)]
    for text in texts:
        ours = re.sub(r"\[workflow run\]\(https://github\.example[^)]*\)", "", text)
        assert LINKABLE.findall(ours) == []
        assert "w\u200bww.evil.example" in ours  # still readable


def test_code_spans_are_inert_in_html_blocks_and_in_paragraphs() -> None:
    assert code("a*b*_c_ [x](y) `z` <i> @d https://e") == (
        "a&#42;b&#42;&#95;c&#95; &#91;x&#93;(y) &#96;z&#96; &lt;i&gt; @\u200bd https:\u200b//e"
    )
