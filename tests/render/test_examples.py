"""Every target of examples/repo and of the real-world corpus renders cleanly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gitops_action.config import Target, load_config
from gitops_action.render import Rendered, render_target
from tests.support import CORPUS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "repo"


def _kinds(rendered: Rendered) -> Counter[str]:
    return Counter(m.kind for m in rendered.manifests)


@pytest.fixture(scope="module")
def examples(helm: str) -> dict[str, Rendered]:
    config = load_config(EXAMPLES / ".gitops.yaml")
    return {t.name: render_target(t, config.root) for t in config.targets}


def test_every_example_target_renders_without_findings(examples: dict[str, Rendered]) -> None:
    assert {name: r.findings for name, r in examples.items()} == {name: () for name in examples}
    assert {name: r.renderer for name, r in examples.items()} == {
        "platform": "plain",
        "web-staging": "kustomize",
        "web-production": "kustomize",
        "cache-staging": "helm",
        "jobs": "jinja2",
    }


def test_example_targets_hold_the_objects_the_readme_describes(
    examples: dict[str, Rendered],
) -> None:
    assert _kinds(examples["platform"]) == {
        "Namespace": 4, "ResourceQuota": 2, "LimitRange": 1, "Role": 1, "RoleBinding": 1,
        "ClusterRole": 1, "NetworkPolicy": 1, "ServiceAccount": 1, "CronJob": 1,
    }  # fmt: skip
    assert _kinds(examples["web-staging"]) == {
        "ServiceAccount": 1, "ConfigMap": 2, "Secret": 1, "Service": 1, "Deployment": 1,
    }  # fmt: skip
    assert _kinds(examples["web-production"]) == {
        "ServiceAccount": 1, "ConfigMap": 2, "Secret": 1, "Service": 1, "Deployment": 1,
        "PodDisruptionBudget": 1,
    }  # fmt: skip
    assert _kinds(examples["cache-staging"]) == {"ConfigMap": 1, "Service": 1, "StatefulSet": 1}
    assert _kinds(examples["jobs"]) == {"CronJob": 3, "ConfigMap": 3, "ServiceAccount": 1}
    for rendered in examples.values():
        for manifest in rendered.manifests:
            assert manifest.source is not None
            assert (EXAMPLES / manifest.source.path).is_file(), manifest.source


def test_example_objects_are_all_namespaced_where_they_should_be(
    examples: dict[str, Rendered],
) -> None:
    for name, rendered in examples.items():
        for manifest in rendered.manifests:
            cluster_scoped = manifest.kind in ("Namespace", "ClusterRole")
            assert bool(manifest.key.namespace) != cluster_scoped, (name, manifest.key)
    staging = {m.key.name: m for m in examples["cache-staging"].manifests}
    assert staging["cache-staging"].key.namespace == "web-staging"
    statefulset = next(
        m.obj for m in examples["cache-staging"].manifests if m.kind == "StatefulSet"
    )
    assert statefulset["spec"]["replicas"] == 2  # from values-staging.yaml


@pytest.mark.parametrize("overlay", ["dev", "staging", "production"])
def test_podinfo_overlays_render_with_sources_in_their_bases(overlay: str) -> None:
    target = Target(name=f"podinfo-{overlay}", path=f"podinfo/deploy/overlays/{overlay}")
    rendered = render_target(target, CORPUS)
    assert rendered.findings == ()
    assert _kinds(rendered) == {
        "Namespace": 1, "ServiceAccount": 2, "ConfigMap": 4, "Service": 5,
        "PersistentVolumeClaim": 1, "Deployment": 4, "StatefulSet": 1, "CronJob": 4,
        "HorizontalPodAutoscaler": 3,
    }  # fmt: skip
    assert {m.key.namespace for m in rendered.manifests} == {"", overlay}
    assert all((CORPUS / m.source.path).is_file() for m in rendered.manifests if m.source)
    assert all(
        m.source and m.source.path != f"{target.path}/kustomization.yaml"
        for m in rendered.manifests
    )


def test_podinfo_minimal_kustomization_and_helm_chart_render(helm: str) -> None:
    rendered = render_target(Target(name="podinfo", path="podinfo/kustomize"), CORPUS)
    assert rendered.findings == ()
    assert _kinds(rendered) == {"Service": 1, "Deployment": 1, "HorizontalPodAutoscaler": 1}
    chart = Target(
        name="podinfo",
        path="podinfo/charts/podinfo",
        namespace="prod",
        values=("podinfo/charts/podinfo/values-prod.yaml",),
    )
    rendered = render_target(chart, CORPUS)
    assert rendered.findings == ()
    assert _kinds(rendered) == {
        "ConfigMap": 1, "Service": 2, "Deployment": 2, "HorizontalPodAutoscaler": 1,
    }  # fmt: skip
    assert {m.key.namespace for m in rendered.manifests} == {"prod"}
    assert all(m.source and "/templates/" in m.source.path for m in rendered.manifests)


@pytest.mark.parametrize(("render", "deployments"), [("plain", 12), ("kustomize", 11)])
def test_microservices_demo_renders_as_plain_and_as_kustomize(
    render: str, deployments: int
) -> None:
    path = "microservices-demo/kubernetes-manifests"
    rendered = render_target(
        Target(name="shop", path=path, render=render, namespace="shop"), CORPUS
    )
    assert rendered.findings == ()
    # loadgenerator.yaml (a Deployment and a ServiceAccount) is not in the kustomization;
    # redis-cart has no ServiceAccount.
    assert _kinds(rendered) == {
        "Deployment": deployments, "ServiceAccount": deployments - 1, "Service": 12,
    }  # fmt: skip
