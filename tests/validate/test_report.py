"""``format_findings``: one line per finding for people, JSON for tools, and GitHub workflow
commands whose data and properties are escaped as @actions/core escapes them."""

from __future__ import annotations

import json

from gitops_action.models import Finding, ResourceKey, Source
from gitops_action.report.findings import escape_data, escape_property, format_findings

WEB = ResourceKey("apps", "Deployment", "shop", "web")
FINDINGS = [
    Finding("unknown field spec.replica", Source("deploy/web.yaml", 12, 3), WEB, "staging"),
    Finding("no objects", None, None, "staging", "warning"),
    Finding(
        "metadata.namespace is ignored",
        Source("deploy/rbac.yaml", 4, 3),
        ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "r"),
        "staging",
        "warning",
    ),
    Finding('spec.replicas must be an integer, got "three"', Source("deploy/web.yaml", 9, 3), WEB),
]


def test_text_is_one_line_per_finding_sorted_by_place_then_a_summary() -> None:
    assert format_findings(FINDINGS, "text") == (
        "deploy/rbac.yaml:4:3: warning: ClusterRole/r: metadata.namespace is ignored\n"
        'deploy/web.yaml:9:3: Deployment/shop/web: spec.replicas must be an integer, got "three"\n'
        "deploy/web.yaml:12:3: Deployment/shop/web: unknown field spec.replica\n"
        "warning: no objects\n"
        "2 errors, 2 warnings\n"
    )


def test_text_without_findings_says_so() -> None:
    assert format_findings([], "text") == "no problems found\n"


def test_json_has_the_documented_shape() -> None:
    doc = json.loads(format_findings(FINDINGS[:2], "json"))
    assert doc == {
        "version": 1,
        "command": "validate",
        "findings": [
            {
                "target": "staging", "file": "deploy/web.yaml", "line": 12, "column": 3,
                "kind": "Deployment", "namespace": "shop", "name": "web",
                "severity": "error", "message": "unknown field spec.replica",
            },
            {
                "target": "staging", "file": None, "line": None, "column": None,
                "kind": None, "namespace": None, "name": None,
                "severity": "warning", "message": "no objects",
            },
        ],
        "errors": 1,
        "warnings": 1,
    }  # fmt: skip


def test_github_commands_escape_newlines_percents_colons_and_commas() -> None:
    tricky = Finding(
        "100% wrong:\nsee line 2\r\nend",
        Source("deploy/a,b:c%.yaml", 3, 5),
        ResourceKey("", "ConfigMap", "", "x"),
        "staging",
    )
    assert format_findings([tricky], "github") == (
        "::error file=deploy/a%2Cb%3Ac%25.yaml,line=3,col=5,title=gitops-action validate"
        "::ConfigMap/x: 100%25 wrong:%0Asee line 2%0D%0Aend\n"
        "1 error, 0 warnings\n"
    )


def test_github_warnings_are_warning_commands_and_placeless_findings_have_no_file() -> None:
    assert format_findings(FINDINGS[1:3], "github").splitlines() == [
        "::warning file=deploy/rbac.yaml,line=4,col=3,title=gitops-action validate"
        "::ClusterRole/r: metadata.namespace is ignored",
        "::warning title=gitops-action validate::no objects",
        "0 errors, 2 warnings",
    ]


def test_escaping_matches_the_actions_toolkit() -> None:
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
