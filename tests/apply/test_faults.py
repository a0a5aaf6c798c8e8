"""The API server going away mid-apply: say what was applied, record nothing false, converge.

The fault is real: a `Cluster` wrapper around the real adapter stops kube-apiserver right after
the apply writes the ServiceAccount (the third phase), so the next phase meets refused
connections, the adapter's retries run out, and the engine must stop there.
"""

from __future__ import annotations

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import REVISION_ANNOTATION, from_parent
from gitops_action.errors import Conflict
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.cluster.controlplane import ControlPlane
from tests.manifests import configmap, deployment, dump, service_account
from tests.site import Site
from tests.support import Delegating


class StopsAfter(Delegating):
    """The real adapter; stops the API server once an object of `kind` has been written."""

    def __init__(self, kube: Kube, control_plane: ControlPlane, kind: str) -> None:
        super().__init__(kube)
        self.control_plane, self.kind = control_plane, kind

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        result = self.kube.apply(obj, resource, dry_run=dry_run, force=force)
        if not dry_run and obj["kind"] == self.kind:
            self.control_plane.stop_apiserver()
        return result


@pytest.mark.cluster
@pytest.mark.slow
def test_the_api_server_stopped_mid_apply_is_reported_and_a_rerun_converges(
    site: Site, control_plane: ControlPlane
) -> None:
    site.commit(
        {"deploy/a.yaml": dump(configmap("first")), "deploy/b.yaml": dump(configmap("old"))}
    )
    assert site.apply().code == 0
    previous = site.inventory_parent()
    assert previous is not None
    head = site.commit(
        {
            "deploy/a.yaml": dump(
                service_account("web"), configmap("first", v="2"), deployment("web")
            )
        },
        remove=("deploy/b.yaml",),
    )

    try:
        code, out, _ = site.apply_with(StopsAfter(site.kube(), control_plane, "ServiceAccount"))
    finally:
        control_plane.start_apiserver()

    assert code == 1
    ns = site.namespace
    assert "== target app: ❌ failed" in out
    assert "stopped in phase 'configuration and storage': cannot reach the API server" in out
    assert f"applied (1): ServiceAccount/{ns}/web" in out
    # The server was down before the ConfigMap's write: refused, certainly not written.
    assert f"not applied (2): ConfigMap/{ns}/first, Deployment/{ns}/web" in out
    assert "unknown" not in out
    assert site.get("ServiceAccount", "web") is not None
    assert "data" not in site.get("ConfigMap", "first")  # type: ignore[operator]
    assert site.get("ConfigMap", "old") is not None, "pruned although the apply failed"
    # Nothing recorded as applied that was not: the old record and revision stand.
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] != head
    assert from_parent("app", parent).members == from_parent("app", previous).members
    account_version = site.version("ServiceAccount", "web")

    rerun = site.apply()

    assert rerun.code == 0, rerun.out + rerun.err
    assert site.get("ConfigMap", "first")["data"] == {"v": "2"}  # type: ignore[index]
    assert site.get("Deployment", "web") is not None
    assert site.get("ConfigMap", "old") is None
    assert site.version("ServiceAccount", "web") == account_version, "written twice"
    assert site.members() == {
        f"ServiceAccount/{ns}/web",
        f"ConfigMap/{ns}/first",
        f"Deployment/{ns}/web",
    }
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] == head


class ModifiedOnce(Delegating):
    """The real adapter; the first real write meets the optimistic-concurrency 409 that a
    controller writing at the same moment causes ("the object has been modified")."""

    def __init__(self, kube: Kube) -> None:
        super().__init__(kube)
        self.conflicts = 0

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        if not dry_run and obj["kind"] == "ConfigMap" and self.conflicts == 0:
            self.conflicts += 1
            name = obj["metadata"]["name"]
            raise Conflict(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on configmaps "{name}": the object has been '
                "modified; please apply your changes to the latest version and try again",
                {
                    "kind": "Status",
                    "reason": "Conflict",
                    "details": {"name": name, "kind": "configmaps"},
                },
            )
        return self.kube.apply(obj, resource, dry_run=dry_run, force=force)


@pytest.mark.cluster
def test_a_write_that_meets_a_concurrent_modification_is_retried(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="blue"))})
    flaky = ModifiedOnce(site.kube())

    code, out, err = site.apply_with(flaky)  # type: ignore[arg-type]

    assert code == 0, out + err
    assert flaky.conflicts == 1
    assert site.get("ConfigMap", "settings")["data"] == {"color": "blue"}  # type: ignore[index]
