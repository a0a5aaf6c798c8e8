"""Kustomize: the overlay's output, each object mapped back to the file that defines it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.errors import RenderError
from gitops_action.models import Manifest, Source
from gitops_action.render import Rendered

from .conftest import Render, WriteFiles

BASE = {
    "base/kustomization.yaml": """
        resources:
          - deploy.yaml
          - accounts.yaml
        """,
    "base/deploy.yaml": """
        # The web app.
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: web:1.0
                  envFrom:
                    - configMapRef: {name: settings}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports: [{port: 80}]
        """,
    "base/accounts.yaml": """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: web
          - apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: web-admin
        """,
    "overlay/kustomization.yaml": """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: shop
        namePrefix: staging-
        resources:
          - ../base
          - extra.yaml
        images:
          - name: web
            newTag: "2.0"
        configMapGenerator:
          - name: settings
            literals: [MODE=staging]
        secretGenerator:
          - name: token
            literals: [TOKEN=fake]
        """,
    "overlay/extra.yaml": """
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          minAvailable: 1
          selector:
            matchLabels: {app: web}
        """,
}


def _by_name(rendered: Rendered) -> dict[str, Manifest]:
    return {f"{m.kind}/{m.key.name}": m for m in rendered.manifests}


def test_kustomize_renders_the_overlay(write: WriteFiles, render: Render) -> None:
    write(BASE)
    rendered = render("overlay")
    assert rendered.renderer == "kustomize"
    assert rendered.findings == ()
    objects = _by_name(rendered)
    assert set(objects) == {
        "Deployment/staging-web", "Service/staging-web", "ServiceAccount/staging-web",
        "ServiceAccount/staging-web-admin", "PodDisruptionBudget/staging-web",
        f"ConfigMap/{next(n for n in objects if 'settings' in n).split('/')[1]}",
        f"Secret/{next(n for n in objects if 'token' in n).split('/')[1]}",
    }  # fmt: skip
    deploy = objects["Deployment/staging-web"].obj
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "web:2.0"
    assert container["envFrom"][0]["configMapRef"]["name"].startswith("staging-settings-")
    assert deploy["metadata"]["namespace"] == "shop"
    # The origin annotation used for mapping never leaks into the desired state.
    assert all("annotations" not in m.obj["metadata"] for m in rendered.manifests)


def test_kustomize_maps_each_object_to_its_file_and_line(write: WriteFiles, render: Render) -> None:
    write(BASE)
    sources = {name: m.source for name, m in _by_name(render("overlay")).items()}
    assert sources["Deployment/staging-web"] == Source("base/deploy.yaml", 2, 1)
    assert sources["Service/staging-web"] == Source("base/deploy.yaml", 19, 1)
    assert sources["ServiceAccount/staging-web"] == Source("base/accounts.yaml", 4, 5)
    assert sources["ServiceAccount/staging-web-admin"] == Source("base/accounts.yaml", 8, 5)
    assert sources["PodDisruptionBudget/staging-web"] == Source("overlay/extra.yaml", 1, 1)
    generated = {
        k.split("/")[0]: v for k, v in sources.items() if "-settings-" in k or "token" in k
    }
    assert generated == {
        "ConfigMap": Source("overlay/kustomization.yaml", 12, 5),
        "Secret": Source("overlay/kustomization.yaml", 15, 5),
    }


def test_kustomize_keeps_origin_annotations_the_user_asked_for(
    write: WriteFiles, render: Render
) -> None:
    write(
        {
            **BASE,
            "own/kustomization.yaml": "buildMetadata: [originAnnotations]\nresources: [../base]\n",
        }
    )
    rendered = render("own")
    assert rendered.findings == ()
    origins = [
        m.obj["metadata"]["annotations"]["config.kubernetes.io/origin"] for m in rendered.manifests
    ]
    assert all("path:" in origin for origin in origins)


def test_kustomize_failure_is_a_finding_naming_the_kustomization_and_kustomizes_words(
    write: WriteFiles, render: Render
) -> None:
    write({"broken/kustomization.yaml": "resources:\n  - missing.yaml\n"})
    rendered = render("broken", name="web")
    assert rendered.manifests == ()
    (finding,) = rendered.findings
    assert finding.source == Source("broken/kustomization.yaml")
    assert finding.target == "web"
    assert finding.message.startswith("kustomize failed:\n")
    assert "missing.yaml" in finding.message
    # The message names the repository's paths, not the temporary wrapper's.
    assert "wrapper" not in finding.message
    with pytest.raises(RenderError, match=r"broken/kustomization.yaml:1:1: kustomize failed"):
        rendered.raise_for_errors()


def test_kustomize_is_found_as_kubectl_kustomize_in_the_virtualenv(
    write: WriteFiles, render: Render, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # An empty PATH and cache: the pinned kubectl beside the running Python is enough.
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setenv("GITOPS_ACTION_CACHE", str(tmp_path / "cache"))
    write(BASE)
    assert len(render("base").manifests) == 4
