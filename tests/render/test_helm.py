"""Helm: `helm template` of a chart, values files in order, objects mapped to their templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.errors import RenderError
from gitops_action.models import Source

from .conftest import Render, WriteFiles

CHART = {
    "chart/Chart.yaml": """
        apiVersion: v2
        name: app
        version: 1.0.0
        """,
    "chart/values.yaml": """
        replicas: 1
        color: red
        size: small
        """,
    "chart/values-a.yaml": "color: blue\nsize: medium\n",
    "chart/values-b.yaml": "size: large\n",
    "chart/templates/_helpers.tpl": """
        {{- define "app.labels" -}}
        app: {{ .Release.Name }}
        {{- end -}}
        """,
    "chart/templates/deploy.yaml": """
        {{- /* a comment line before the object */ -}}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
          labels:
            {{- include "app.labels" . | nindent 4 }}
        spec:
          replicas: {{ .Values.replicas }}
          selector:
            matchLabels:
              {{- include "app.labels" . | nindent 6 }}
          template:
            metadata:
              labels:
                {{- include "app.labels" . | nindent 8 }}
            spec:
              containers:
                - name: app
                  image: app:1
        """,
    "chart/templates/config.yaml": """
        {{- range $i, $n := list "one" "two" }}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ $.Release.Name }}-{{ $n }}
          namespace: {{ $.Release.Namespace }}
        data:
          color: {{ $.Values.color }}
          size: {{ $.Values.size }}
        {{- end }}
        """,
    "chart/templates/widget.yaml": """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: {{ .Release.Name }}
        """,
    "chart/templates/tests/test-pod.yaml": """
        apiVersion: v1
        kind: Pod
        metadata:
          name: test
          annotations: {"helm.sh/hook": test}
        spec:
          containers: [{name: t, image: busybox}]
        """,
    "chart/crds/widgets.yaml": """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Cluster
          names: {kind: Widget, plural: widgets}
          versions: [{name: v1, served: true, storage: true}]
        """,
}


needs_helm = pytest.mark.usefixtures("helm")
"""Runs the real helm: skipped without it on a laptop, failed without it in CI."""


@needs_helm
def test_helm_renders_the_chart_with_values_files_in_order(
    write: WriteFiles, render: Render
) -> None:
    write(CHART)
    rendered = render(
        "chart", name="shop", namespace="web", values=("chart/values-a.yaml", "chart/values-b.yaml")
    )
    assert rendered.renderer == "helm"
    assert rendered.findings == ()
    configs = [m.obj for m in rendered.manifests if m.kind == "ConfigMap"]
    assert [c["metadata"]["name"] for c in configs] == ["shop-one", "shop-two"]
    # values.yaml < values-a.yaml < values-b.yaml
    assert configs[0]["data"] == {"color": "blue", "size": "large"}
    # --namespace sets .Release.Namespace
    assert configs[0]["metadata"]["namespace"] == "web"


@needs_helm
def test_helm_includes_crds_skips_chart_tests_and_lets_the_crd_decide_scope(
    write: WriteFiles, render: Render
) -> None:
    write(CHART)
    rendered = render("chart", name="shop", namespace="web")
    keys = {(m.kind, m.key.namespace, m.key.name) for m in rendered.manifests}
    assert keys == {
        ("CustomResourceDefinition", "", "widgets.example.com"),
        ("Deployment", "web", "shop"),
        ("ConfigMap", "web", "shop-one"),
        ("ConfigMap", "web", "shop-two"),
        # The chart's own CRD says Widget is cluster-scoped: no namespace given.
        ("Widget", "", "shop"),
    }


@needs_helm
def test_helm_maps_each_object_to_its_template_and_kind_line(
    write: WriteFiles, render: Render
) -> None:
    write(CHART)
    sources = {(m.kind, m.key.name): m.source for m in render("chart", name="shop").manifests}
    assert sources[("Deployment", "shop")] == Source("chart/templates/deploy.yaml", 3, 1)
    assert sources[("ConfigMap", "shop-one")] == Source("chart/templates/config.yaml", 4, 1)
    assert sources[("ConfigMap", "shop-two")] == Source("chart/templates/config.yaml", 4, 1)
    assert sources[("CustomResourceDefinition", "widgets.example.com")] == Source(
        "chart/crds/widgets.yaml", 2, 1
    )


@needs_helm
def test_helm_template_errors_are_findings_on_the_chart(write: WriteFiles, render: Render) -> None:
    write({**CHART, "chart/templates/bad.yaml": "kind: {{ .Values.nope.deeper }}\n"})
    rendered = render("chart")
    assert rendered.manifests == ()
    (finding,) = rendered.findings
    assert finding.source == Source("chart/Chart.yaml")
    assert finding.message.startswith("helm template failed:\n")
    assert "bad.yaml" in finding.message
    with pytest.raises(RenderError):
        rendered.raise_for_errors()


def test_helm_refuses_dependencies_that_are_not_vendored_instead_of_fetching_them(
    write: WriteFiles, render: Render
) -> None:
    write({
        **CHART,
        "chart/Chart.yaml": """
            apiVersion: v2
            name: app
            version: 1.0.0
            dependencies:
              - name: redis
                version: 1.2.3
                repository: https://charts.example.com
              - name: vendored
                version: 0.1.0
            """,
        "chart/charts/vendored/Chart.yaml": "apiVersion: v2\nname: vendored\nversion: 0.1.0\n",
    })  # fmt: skip
    (finding,) = render("chart").findings
    assert finding.source == Source("chart/Chart.yaml", 5, 5)
    assert "'redis' is not vendored in chart/charts/" in finding.message
    assert "helm dependency build" in finding.message


def test_a_folder_without_chart_yaml_is_not_a_chart(write: WriteFiles, render: Render) -> None:
    write({"plain/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    (finding,) = render("plain", render="helm").findings
    assert str(finding) == "plain is not a Helm chart: it has no Chart.yaml"


def test_helm_missing_is_an_error_saying_how_to_build_it(
    write: WriteFiles, render: Render, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("GITOPS_ACTION_CACHE", str(tmp_path / "empty-cache"))
    write(CHART)
    with pytest.raises(RenderError, match=r"helm not found; run `tools/ensure-helm`"):
        render("chart")


def test_a_helm_override_that_is_not_executable_is_an_error(
    write: WriteFiles, render: Render, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITOPS_ACTION_HELM", "/no/such/helm")
    write(CHART)
    with pytest.raises(RenderError, match=r"GITOPS_ACTION_HELM=/no/such/helm is not an executable"):
        render("chart")
