"""At a glance: what the rows change, gathered; for plan and verify rows alike, and inert."""

from __future__ import annotations

import base64
import dataclasses

from gitops_action.models import Report, ResourceKey, TargetReport
from gitops_action.report.glance import Line, glance, plural
from gitops_action.report.json import dumps
from gitops_action.report.markdown import comment_parts, glance_markdown, plan_markdown
from gitops_action.report.text import report_text
from tests.core.objects import container, deployment, ingress, obj
from tests.report.plans import CTX, app, plan, row, secret, shop

WORKER = ResourceKey("apps", "Deployment", "shop", "worker")


def test_the_glance_gathers_each_change_once_with_its_objects() -> None:
    seen = glance(shop())
    apps = tuple(ResourceKey("apps", "Deployment", "shop", f"app-{i}") for i in range(4))
    assert seen.images == (Line(apps, old="shop/web:1.4.2", new="shop/web:1.4.3"),)
    assert seen.replicas == (Line((WORKER,), old="3", new="0"),)
    assert seen.resources == (Line((WORKER,), label="requests.cpu", old="500m", new="250m"),)
    assert seen.secrets == (
        Line((ResourceKey("", "Secret", "shop", "db"),), label="password", new="changed"),
    )
    assert [(label, [k.name for k in line.keys]) for label, line in seen.actions] == [
        ("Deleted", ["legacy-a", "legacy-b", "web"]),
        ("Created", ["deployer", "web"]),
    ]
    assert [r.label for r in seen.risks] == [
        "rbac-wildcard", "service-exposed", "ingress-host-added", "replicas-to-zero", "pdb-removed",
    ]  # fmt: skip
    # Deletions and Secret keys have their own lines: their warnings are not repeated.
    assert [w.message for w in seen.warnings] == [
        "live differs from the base branch: merging overwrites a change made outside Git"
    ]


def test_a_warning_naming_its_own_object_is_one_line_for_many_objects() -> None:
    rows = [row(app(n, "web:1"), app(n, "web:1", hostIPC=False)) for n in ("a", "b")]
    warned = [dataclasses.replace(r, warnings=(f"{r.key} is odd",)) for r in rows]
    (line,) = glance(TargetReport("shop", tuple(warned))).warnings
    assert line.message == "it is odd" and [k.name for k in line.keys] == ["a", "b"]


def test_the_glance_reads_verify_rows_too() -> None:
    drifted = dataclasses.replace(row(app("web", "web:1"), app("web", "web:2")), action="drifted")
    missing = dataclasses.replace(row(None, obj("v1", "ConfigMap", "cfg")), action="missing")
    orphaned = dataclasses.replace(row(obj("v1", "ConfigMap", "old"), None), action="orphaned")
    in_sync = dataclasses.replace(row(app("db", "pg:1"), app("db", "pg:1")), action="in-sync")
    target = TargetReport("shop", (drifted, missing, orphaned, in_sync))
    seen = glance(target)
    assert [(i.old, i.new) for i in seen.images] == [("web:1", "web:2")]
    assert [(label, len(line.keys)) for label, line in seen.actions] == [
        ("Orphaned", 1),
        ("Missing", 1),
    ]
    text = report_text(Report("verify", "abc", (target,)), diffs=False)
    assert "  orphaned (1): ConfigMap/shop/old\n  missing (1): 1 ConfigMap\n" in text
    markdown = glance_markdown(target)
    assert markdown.startswith(
        "**At a glance**\n\n- **Images**: <code>web:1</code> → <code>web:2</code>"
    )
    assert (
        "- **Orphaned** (1): <code>ConfigMap/shop/old</code>\n- **Missing**: 1 ConfigMap\n"
        in markdown
    )
    assert glance_markdown(TargetReport("shop", (in_sync,))) == ""


def test_long_lists_are_cut_with_a_count_of_the_rest() -> None:
    rows = [row(app(f"a{i}", f"web:{i}"), app(f"a{i}", f"web:{i}-new")) for i in range(12)]
    rows += [row(obj("v1", "ConfigMap", f"old-{i:02d}"), None) for i in range(25)]
    part = comment_parts(plan("shop", *rows), CTX)[0]
    assert "  - … and 2 more\n" in part  # images: 10 lines shown
    assert "<code>ConfigMap/shop/old-19</code>, … and 5 more\n" in part


def test_kinds_are_counted_in_plain_english_plurals() -> None:
    assert [plural(k, 2) for k in ("Deployment", "Ingress", "NetworkPolicy", "Gateway")] == [
        "Deployments", "Ingresses", "NetworkPolicies", "Gateways",
    ]  # fmt: skip
    assert plural("Ingress", 1) == "Ingress"


def test_text_from_manifests_in_the_glance_stays_inert() -> None:
    evil = "x`</code><img src=x onerror=alert(1)>@octocat[l](http://e)*b*"
    old = deployment(container(evil, "web:1"), name="web")
    new = deployment(container(evil, evil, securityContext={"privileged": True}), name="web")
    part = comment_parts(plan("shop", row(old, new)), CTX)[0]
    glance_text = part.split("<details>", 1)[0]
    assert "<img" not in glance_text and "@octocat" not in glance_text
    assert "[l]" not in glance_text.replace("\\[l\\]", "") and "*b*" not in glance_text
    assert "http://" not in glance_text
    # In <code>: HTML escaped, Markdown punctuation as entities; in prose: backslash-escaped.
    assert (
        "&lt;img src=x onerror=alert(1)&gt;@\u200boctocat&#91;l&#93;(http:\u200b//e)&#42;b&#42;"
        in glance_text
    )
    assert 'container "x\\`&lt;/code&gt;&lt;img' in glance_text


def test_hosts_and_urls_from_manifests_never_become_links() -> None:
    part = comment_parts(plan("shop", row(None, ingress("www.evil.example"))), CTX)[0]
    assert 'serves new hosts: "w\u200bww.evil.example"' in part
    assert "www.evil" not in part.split("```diff", 1)[0]


def test_no_secret_value_reaches_the_glance_or_the_risks() -> None:
    target = plan("shop", row(secret("hunter2"), secret("correct-horse")))
    texts = [
        comment_parts(target, CTX)[0],
        plan_markdown(Report("plan", "abc", (target,)), CTX),
        report_text(Report("plan", "abc", (target,))),
        dumps(Report("plan", "abc", (target,))),
    ]
    for value in ("hunter2", "correct-horse", "admin"):
        for encoded in (value, base64.b64encode(value.encode()).decode()):
            assert not any(encoded in text for text in texts)
    assert "<code>password</code> changed in <code>Secret/shop/db</code>" in texts[0]
