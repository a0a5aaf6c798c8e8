"""The inventory is written by compare and swap, and the recorded revision never moves back:
another writer's record (a run that lost its lease) is never overwritten."""

from __future__ import annotations

from typing import Any

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import PARENT, REVISION_ANNOTATION, parent_name
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.manifests import configmap, dump
from tests.site import Site
from tests.support import Delegating

pytestmark = pytest.mark.cluster


def stamp(site: Site, annotations: dict[str, str]) -> None:
    """Another writer changes the inventory parent (as the admin: no lease, no guard)."""
    path = PARENT.path(site.namespace, parent_name("app"))
    status, body = site.control_plane.request(
        "PATCH",
        path,
        {"metadata": {"annotations": annotations}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, body


class Meddling(Delegating):
    """The real adapter; `meddle` runs once, right before the run reads the parent again for
    its final record (`on="read"`) or right before it writes that record (`on="write"`)."""

    def __init__(self, kube: Kube, head: str, on: str, meddle: Any) -> None:
        super().__init__(kube)
        self.head, self.on, self.meddle = head, on, meddle
        self.written = False
        self.done = False

    def _final(self, obj: KubeObject | None) -> bool:
        return obj is not None and (
            obj["metadata"].get("annotations", {}).get(REVISION_ANNOTATION) == self.head
        )

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        if dry_run or resource != PARENT:
            self.written |= not dry_run
        elif self.on == "write" and self._final(obj) and not self.done:
            self.done = True
            self.meddle()
        return self.kube.apply(obj, resource, dry_run=dry_run, force=force)  # type: ignore[no-any-return]

    def get(self, resource: ApiResource, namespace: str, name: str) -> KubeObject | None:
        if resource == PARENT and self.on == "read" and self.written and not self.done:
            self.done = True
            self.meddle()
        return self.kube.get(resource, namespace, name)  # type: ignore[no-any-return]


def test_a_parent_changed_under_the_run_is_not_overwritten(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("a"))})
    assert site.apply().code == 0
    head = site.commit({"deploy/a.yaml": dump(configmap("a", v="2"))})
    meddling = Meddling(site.kube(), head, "write", lambda: stamp(site, {"other": "writer"}))

    code, out, _ = site.apply_with(meddling)  # type: ignore[arg-type]

    assert meddling.done
    assert code == 1
    assert (
        f"error: target app: not recorded: its inventory, the Secret {site.namespace}/"
        "gitops-action-app, changed while this apply ran (another apply wrote it); run the "
        "apply again"
    ) in out
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"]["other"] == "writer", "overwritten"
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] != head


def test_the_recorded_revision_never_moves_back_to_an_ancestor(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("a"))})
    assert site.apply().code == 0
    head = site.commit({"deploy/a.yaml": dump(configmap("a", v="2"))})
    newer = site.commit({"deploy/a.yaml": dump(configmap("a", v="3"))})
    site.repo.git("reset", "-q", "--hard", head)  # apply `head`; `newer` descends from it
    recorded_meanwhile = lambda: stamp(site, {REVISION_ANNOTATION: newer})  # noqa: E731
    meddling = Meddling(site.kube(), head, "read", recorded_meanwhile)

    code, out, _ = site.apply_with(meddling)  # type: ignore[arg-type]

    assert meddling.done
    assert code == 1
    assert (
        f"error: target app: not recorded: while this apply ran, another one recorded "
        f"{newer[:12]}, and {head[:12]} is its ancestor; the record stays at {newer[:12]}: "
        "apply that commit again, as objects written here may be older than it"
    ) in out
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] == newer
