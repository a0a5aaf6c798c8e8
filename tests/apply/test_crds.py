"""A CRD, a Namespace, and objects that need both, in one commit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gitops_action.cluster.inventory import from_parent
from tests.manifests import configmap, dump
from tests.site import Site

pytestmark = pytest.mark.cluster


def crd(group: str) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


def widget(group: str, name: str, size: int) -> dict[str, Any]:
    return {
        "apiVersion": f"{group}/v1",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": {"size": size},
    }


@pytest.fixture
def fresh(site: Site) -> Iterator[tuple[str, str]]:
    """A group and a namespace name that the apply creates; both deleted afterwards."""
    group, namespace = f"{site.namespace}.example.com", f"{site.namespace}-app"
    try:
        yield group, namespace
    finally:
        site.control_plane.request(
            "DELETE", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{group}"
        )
        site.control_plane.request("DELETE", f"/api/v1/namespaces/{namespace}")


def test_a_crd_a_namespace_and_custom_resources_in_it_apply_in_one_commit(
    site: Site, fresh: tuple[str, str]
) -> None:
    group, namespace = fresh
    site.configure(namespace=namespace, wait={"timeout": 30})
    namespace_obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    site.commit({
        "deploy/0-crd.yaml": dump(crd(group), namespace_obj),
        "deploy/1-widgets.yaml": dump(widget(group, "small", 1), widget(group, "large", 9)),
        "deploy/2-config.yaml": dump(configmap("settings", color="blue")),
    })  # fmt: skip

    result = site.apply()

    assert result.code == 0, result.out + result.err
    widgets = site.control_plane.get(f"/apis/{group}/v1/namespaces/{namespace}/widgets")
    assert widgets is not None
    assert sorted(w["metadata"]["name"] for w in widgets["items"]) == ["large", "small"]
    assert site.get("ConfigMap", "settings", namespace) is not None
    parent = site.get("Secret", "gitops-action-app", namespace)
    assert parent is not None, "the inventory belongs in the namespace the apply created"
    members = {str(k) for k in from_parent("app", parent).members}
    assert members == {
        f"Namespace/{namespace}",
        f"CustomResourceDefinition/widgets.{group}",
        f"Widget/{namespace}/small",
        f"Widget/{namespace}/large",
        f"ConfigMap/{namespace}/settings",
    }
    assert "its CustomResourceDefinition is created by the same apply" in result.out
    assert f"its Namespace {namespace} is created by the same apply" in result.out

    again = site.apply()

    assert again.code == 0, again.out
    assert "0 create, 0 update, 0 delete, 5 unchanged" in again.out


def test_a_custom_resource_the_new_crd_rejects_stops_the_apply_after_the_first_phase(
    site: Site, fresh: tuple[str, str]
) -> None:
    group, _ = fresh
    bad = widget(group, "bad", 1)
    bad["spec"]["size"] = "huge"
    site.commit({
        "deploy/crd.yaml": dump(crd(group)),
        "deploy/widgets.yaml": dump(widget(group, "good", 1), bad),
        "deploy/config.yaml": dump(configmap("settings")),
    })  # fmt: skip

    result = site.apply()

    assert result.code == 1
    assert (
        f"deploy/widgets.yaml:8:1: Widget/{site.namespace}/bad: the API server rejected the dry-run"
        in result.out
    )
    assert ".spec.size: expected numeric (int or float), got string" in result.out
    assert site.control_plane.get(
        f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{group}"
    )
    assert site.get("ConfigMap", "settings") is None, "written past the first phase"
    assert f"applied (1): CustomResourceDefinition/widgets.{group}" in result.out
    assert "not applied (3)" in result.out
