"""What kustomize and helm say on stderr when they succeed becomes a warning on the file that
caused it (tests/validate/test_renderer_warnings.py: how validate and plan show it)."""

from __future__ import annotations

from pathlib import Path

from gitops_action.models import Source
from gitops_action.render.tools import WARNINGS_SHOWN, tool_warnings
from tests.render.conftest import Render, WriteFiles

VARS = {
    "app/kustomization.yaml": """
        resources: [cm.yaml]
        vars:
          - name: NAME
            objref: {kind: ConfigMap, name: settings, apiVersion: v1}
            fieldref: {fieldpath: metadata.name}
        """,
    "app/cm.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {color: blue}
        """,
}
DEPRECATED = (
    "'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run "
    "'kustomize edit fix' to update your Kustomization automatically."
)
CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: old\nversion: 1.0.0\ndeprecated: true\n",
    "chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\n",
}


def test_kustomize_vars_render_with_a_warning_on_the_kustomization(
    write: WriteFiles, render: Render
) -> None:
    write(VARS)
    rendered = render("app")
    assert [m.key.name for m in rendered.manifests] == ["settings"]
    assert rendered.errors == ()
    warnings = [f for f in rendered.findings if f.severity == "warning"]
    assert (warnings[0].message, warnings[0].source) == (
        f"kustomize warns: {DEPRECATED}",
        Source("app/kustomization.yaml"),
    )


def test_a_deprecated_helm_chart_renders_with_helms_warning_on_chart_yaml(
    write: WriteFiles, render: Render, helm: str
) -> None:
    write(CHART)
    rendered = render("chart")
    assert [m.key.name for m in rendered.manifests] == ["old"]
    assert [(f.severity, f.message, f.source) for f in rendered.findings] == [
        ("warning", "helm warns: this chart is deprecated", Source("chart/Chart.yaml"))
    ]


def test_tool_warnings_drop_log_prefixes_and_the_copys_paths_and_control_characters() -> None:
    work = Path("/tmp/gitops-action-helm-x/repo")
    stderr = (
        "I1202 18:16:44.514532   18233 log.go:244] well-defined vars that were never replaced: X\n"
        'time=2026-12-02T10:00:00Z level=INFO msg="loading chart"\n'
        'level=WARN msg="skipped value for \\"a\\": Not a table." chart=web\n'
        f"walk.go:75: found symbolic link in path: {work}/charts/web resolves to {work}/lib\n"
        "# Warning: bold \x1b[1mtext\x1b[0m\n"
    )
    assert tool_warnings(stderr, work) == [
        "well-defined vars that were never replaced: X",
        'skipped value for "a": Not a table. chart=web',
        "walk.go:75: found symbolic link in path: charts/web resolves to lib",
        "bold ?[1mtext?[0m",
    ]
    many = "".join(f"warning {n}\n" for n in range(WARNINGS_SHOWN + 5))
    assert tool_warnings(many, work)[-1] == "... and 5 more"
