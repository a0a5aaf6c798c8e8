"""Helpers for live-plan tests: manifests from text, a real apply, a request counter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import applyset_id, label_member, parent_name
from gitops_action.config import Target
from gitops_action.core.yamlio import load_documents
from gitops_action.models import KubeObject, Manifest, Source
from gitops_action.ports import ApiResource
from tests.support import Delegating


def manifests(text: str, namespace: str = "", path: str = "deploy/app.yaml") -> list[Manifest]:
    out = []
    for doc in load_documents(text, path):
        obj = doc.data
        if namespace and obj["kind"] not in ("Namespace", "CustomResourceDefinition"):
            obj["metadata"].setdefault("namespace", namespace)
        out.append(Manifest(obj, Source(path, doc.line, doc.column), doc.positions))
    return out


def member_id(target: Target) -> str:
    return applyset_id(parent_name(target.name), target.namespace)


def apply_all(kube: Kube, items: Iterable[Manifest | KubeObject], target: Target) -> None:
    """Server-side apply as gitops-action would: CRDs and namespaces first, every object
    labelled as a member of the target's ApplySet."""
    objs = [label_member(m.obj if isinstance(m, Manifest) else m, member_id(target)) for m in items]
    first = [o for o in objs if o["kind"] in ("Namespace", "CustomResourceDefinition")]
    for obj in first + [o for o in objs if o not in first]:
        resource = kube.resource(obj["apiVersion"], obj["kind"])
        if resource is None:
            kube.refresh_discovery()
            resource = kube.resource(obj["apiVersion"], obj["kind"])
        assert resource is not None, obj["kind"]
        kube.apply(obj, resource, dry_run=False, force=True)


def edit(kube: Kube, obj: KubeObject, patch: dict[str, Any], manager: str = "kubectl-edit") -> None:
    """A change made outside Git: a merge patch by another field manager (like kubectl edit)."""
    resource = kube.resource(obj["apiVersion"], obj["kind"])
    assert resource is not None
    meta = obj["metadata"]
    kube.request(
        "PATCH",
        resource.path(meta.get("namespace", ""), meta["name"]),
        query={"fieldManager": manager},
        body=patch,
        content_type="application/merge-patch+json",
    )


class Counting(Delegating):
    """The real cluster adapter, counting the calls the engine makes."""

    def __init__(self, kube: Kube) -> None:
        super().__init__(kube)
        self.calls: Counter[str] = Counter()

    def list(
        self, resource: ApiResource, namespace: str = "", label_selector: str = ""
    ) -> list[KubeObject]:
        self.calls["list"] += 1
        return self.kube.list(resource, namespace, label_selector)

    def get(self, resource: ApiResource, namespace: str, name: str) -> KubeObject | None:
        self.calls["get"] += 1
        return self.kube.get(resource, namespace, name)

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        self.calls["dry-run" if dry_run else "apply"] += 1
        return self.kube.apply(obj, resource, dry_run=dry_run, force=force)

    def resources(self) -> Sequence[ApiResource]:
        return self.kube.resources()
