"""No noise: right after applying a revision, its live plan shows zero changes.

On the project's own example repository (every renderer) and, where present, on the shared
real-world corpus (podinfo's kustomize overlays and Helm chart, microservices-demo).
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.config import Target, load_config
from gitops_action.models import Manifest
from gitops_action.plan.live import live_plan
from gitops_action.render import render_target
from tests.support import CORPUS

from .live_helpers import apply_all

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "repo"


@pytest.fixture(scope="module")
def kube(kubeconfig: Path) -> Iterator[Kube]:
    yield Kube(kubeconfig)


def into(namespace: str, rendered: tuple[Manifest, ...]) -> list[Manifest]:
    """The rendered objects moved into the test's namespace (Namespaces themselves dropped),
    so that tests never collide in the shared control plane."""
    out = []
    for manifest in rendered:
        if manifest.kind == "Namespace":
            continue
        obj = copy.deepcopy(manifest.obj)
        if obj["metadata"].get("namespace"):
            obj["metadata"]["namespace"] = namespace
        out.append(Manifest(obj, manifest.source, manifest.positions))
    return out


def assert_quiet(kube: Kube, target: Target, desired: list[Manifest]) -> None:
    apply_all(kube, desired, target)
    report = live_plan(kube, target, desired, desired)
    noisy = [
        (str(r.key), r.action, r.diff, r.error)
        for r in report.resources
        if r.action != "unchanged" or r.error
    ]
    assert noisy == []
    assert len(report.resources) == len(desired)


@pytest.mark.parametrize("name", ["web-staging", "web-production", "cache-staging", "jobs"])
def test_the_example_targets_are_quiet_after_apply(kube: Kube, namespace: str, name: str) -> None:
    config = load_config(EXAMPLES / ".gitops.yaml")
    (chosen,) = config.select([name])
    target = Target(
        name=chosen.name,
        path=chosen.path,
        render=chosen.render,
        values=chosen.values,
        namespace=namespace,
    )
    rendered = render_target(target, EXAMPLES)
    rendered.raise_for_errors()
    assert_quiet(kube, target, into(namespace, rendered.manifests))


CORPUS_TARGETS = {
    "podinfo-staging": ("podinfo/deploy/overlays/staging", "kustomize", ()),
    "podinfo-production": ("podinfo/deploy/overlays/production", "kustomize", ()),
    "podinfo-kustomize": ("podinfo/kustomize", "kustomize", ()),
    "podinfo-chart": (
        "podinfo/charts/podinfo",
        "helm",
        ("podinfo/charts/podinfo/values-prod.yaml",),
    ),
    "microservices-demo": ("microservices-demo/kubernetes-manifests", "kustomize", ()),
}


@pytest.mark.parametrize("name", sorted(CORPUS_TARGETS))
def test_the_real_world_corpus_is_quiet_after_apply(
    kube: Kube, namespace: str, name: str, tmp_path: Path
) -> None:
    path, render, values = CORPUS_TARGETS[name]
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    target = Target(name=name, path=path, render=render, values=values, namespace=namespace)
    rendered = render_target(target, root)
    rendered.raise_for_errors()
    assert_quiet(kube, target, into(namespace, rendered.manifests))
