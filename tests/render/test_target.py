"""render_target: choosing the renderer, defaulting namespaces, folders missing at a ref."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.config import Target
from gitops_action.core.kinds import crd_scopes, is_builtin, is_namespaced
from gitops_action.models import Manifest
from gitops_action.render import detect_renderer, render_target

from .conftest import Render, WriteFiles


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"kustomization.yaml": "", "Chart.yaml": "", "a.j2": ""}, "kustomize"),
        ({"kustomization.yml": ""}, "kustomize"),
        ({"Kustomization": ""}, "kustomize"),
        ({"Chart.yaml": "", "templates/a.yaml": ""}, "helm"),
        ({"a.yaml": "", "sub/b.yaml.j2": ""}, "jinja2"),
        ({"a.yaml": "", ".hidden/b.yaml.j2": ""}, "plain"),
        ({"a.yaml": "", "sub/Chart.yaml": ""}, "plain"),
    ],
)
def test_auto_picks_the_renderer_from_the_folder(
    write: WriteFiles, repo: Path, files: dict[str, str], expected: str
) -> None:
    write({f"t/{name}": text for name, text in files.items()})
    assert detect_renderer(repo / "t") == expected


def test_a_folder_missing_at_this_ref_renders_to_nothing(repo: Path) -> None:
    rendered = render_target(Target(name="new", path="not/yet"), repo)
    assert (rendered.manifests, rendered.findings) == ((), ())
    rendered.raise_for_errors()


def test_the_target_namespace_goes_on_namespaced_objects_that_name_none(
    write: WriteFiles, render: Render
) -> None:
    write({
        "t/objects.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: plain}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: elsewhere, namespace: other}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: cluster-wide}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: team, namespace: wrong}
            ---
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: unknown-kind}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: scoped-by-crd}
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Cluster
              names: {kind: Widget, plural: widgets}
            """,
    })  # fmt: skip
    rendered = render("t", namespace="team")
    assert {m.key.name: m.key.namespace for m in rendered.manifests} == {
        "plain": "team",
        "elsewhere": "other",
        "cluster-wide": "",
        # A cluster-scoped object with a namespace keeps it: validation reports it.
        "team": "wrong",
        # Unknown kinds are assumed namespaced.
        "unknown-kind": "team",
        # The CRD in the same target says Widget is cluster-scoped.
        "scoped-by-crd": "",
        "widgets.example.com": "",
    }


def test_no_target_namespace_leaves_objects_as_written(write: WriteFiles, render: Render) -> None:
    write({"t/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    assert render("t").manifests[0].obj["metadata"] == {"name": "a"}


def test_kinds_know_the_scope_of_built_ins_and_let_crds_decide_for_theirs() -> None:
    assert not is_namespaced("", "Namespace")
    assert not is_namespaced("storage.k8s.io", "StorageClass")
    assert not is_namespaced("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding")
    assert is_namespaced("apps", "Deployment")
    assert is_namespaced("", "Secret")
    # Same kind name, other group: a CRD's kind is not the built-in one.
    assert is_namespaced("example.com", "Namespace")
    assert is_builtin("discovery.k8s.io", "EndpointSlice")
    assert not is_builtin("example.com", "Widget")
    crd = Manifest({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "nodes.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Node"}},
    })  # fmt: skip
    scopes = crd_scopes([crd])
    assert scopes == {("example.com", "Node"): True}
    assert is_namespaced("example.com", "Node", scopes)
    assert not is_namespaced("", "Node", scopes)
