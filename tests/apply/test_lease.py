"""One writer per target: the lease is taken, waited for, refused with its holder, renewed,
lost, expired and released, on the real control plane."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.apply.lock import Lock, Locks
from gitops_action.cluster.lease import LEASE, Holder, Terms, lease_name
from gitops_action.config import Target
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.cluster.controlplane import ControlPlane
from tests.manifests import configmap, dump, namespace, secret
from tests.site import Site
from tests.support import Delegating

pytestmark = pytest.mark.cluster

RUN = "https://github.example/org/repo/actions/runs/7"
FIRST = Holder("1" * 40, RUN, "runner-a", 101)
SECOND = Holder("2" * 40, "", "laptop", 202)
QUICK = Terms(duration=3, renew=0.5, poll=0.1)


def lock(
    kube: Kube, namespace: str, holder: Holder, terms: Terms = QUICK
) -> tuple[Lock, list[str]]:
    said: list[str] = []
    locks = Locks(holder, terms, said.append)
    return locks.lock(kube, Target("app", "deploy", namespace=namespace)), said


def held_by(control_plane: ControlPlane, namespace: str) -> dict[str, Any] | None:
    path = LEASE.path(namespace, lease_name("app"))
    return control_plane.get(path)


def test_a_second_apply_waits_for_the_lease_and_takes_it_once_the_first_releases_it(
    control_plane: ControlPlane, namespace: str
) -> None:
    kube = Kube(control_plane.kubeconfig)
    first, _ = lock(kube, namespace, FIRST)
    second, said = lock(kube, namespace, SECOND)
    assert first.take(timeout=1) == ""
    lease = held_by(control_plane, namespace)
    assert lease is not None
    assert lease["spec"]["holderIdentity"] == "gitops-action runner-a pid 101"
    assert lease["metadata"]["annotations"]["gitops-action.io/run-url"] == RUN

    results: list[str] = []
    waiting = threading.Thread(target=lambda: results.append(second.take(timeout=30)))
    waiting.start()
    time.sleep(1.0)
    assert waiting.is_alive(), "the second apply did not wait"
    first.release()
    waiting.join(timeout=10)

    assert results == [""]
    assert second.held
    assert held_by(control_plane, namespace)["spec"]["holderIdentity"] == (  # type: ignore[index]
        "gitops-action laptop pid 202"
    )
    [waited] = said  # said once, however long it waits
    assert waited.startswith(
        f"target app: waiting up to 30 s for its Lease {namespace}/gitops-action-app, held by "
        f"another apply (commit 111111111111, {RUN}, renewed "
    )
    second.release()
    assert held_by(control_plane, namespace) is None, "released leases are deleted"


def refused(
    control_plane: ControlPlane, namespace: str, holder: Holder, taker: Holder, timeout: float
) -> tuple[str, float]:
    """What ``taker`` is told while ``holder`` holds the lease, and how long it waited."""
    kube = Kube(control_plane.kubeconfig)
    first, _ = lock(kube, namespace, holder)
    second, _ = lock(kube, namespace, taker)
    assert first.take(timeout=1) == ""
    try:
        started = time.monotonic()
        refusal = second.take(timeout=timeout)
        waited = time.monotonic() - started
    finally:
        first.release()
    assert not second.held
    return refusal, waited


def test_a_second_apply_is_refused_after_its_timeout_in_one_line_naming_the_holder(
    control_plane: ControlPlane, namespace: str
) -> None:
    refusal, waited = refused(control_plane, namespace, FIRST, SECOND, timeout=2)

    assert 2 <= waited < 5
    assert "\n" not in refusal
    assert refusal.startswith(
        f"target app: another apply holds its Lease {namespace}/gitops-action-app "
        f"(commit 111111111111, {RUN}, renewed "
    )
    assert refusal.endswith(
        "; waited 2 s. Nothing was written to this target. Run again once that apply is done; "
        "if it was killed, its lease expires 3 s after its last renewal"
    )


def test_without_a_run_url_the_holder_is_named_by_host_and_pid(
    control_plane: ControlPlane, namespace: str
) -> None:
    refusal, _ = refused(control_plane, namespace, SECOND, FIRST, timeout=0)

    assert "(commit 222222222222, host laptop pid 202, renewed " in refusal


def test_the_holder_renews_the_lease_and_a_lease_it_stops_renewing_expires(
    control_plane: ControlPlane, namespace: str
) -> None:
    kube = Kube(control_plane.kubeconfig)
    first, _ = lock(kube, namespace, FIRST)
    assert first.take(timeout=1) == ""
    taken = held_by(control_plane, namespace)
    time.sleep(1.6)
    renewed = held_by(control_plane, namespace)
    assert taken is not None and renewed is not None
    assert renewed["spec"]["renewTime"] > taken["spec"]["renewTime"]
    assert first.check() == ""

    # As if the first run were killed: it renews no more, and releases nothing.
    first._stop.set()
    second, _ = lock(kube, namespace, SECOND)
    started = time.monotonic()
    assert second.take(timeout=10) == ""
    assert time.monotonic() - started < 4.5, "an expired lease was not taken over"
    lease = held_by(control_plane, namespace)
    assert lease is not None
    assert lease["spec"]["holderIdentity"] == "gitops-action laptop pid 202"
    assert lease["spec"]["leaseTransitions"] == 1
    # The first run learns it lost the lease and must stop writing.
    assert first.check().startswith(f"target app: could not renew its Lease {namespace}/")
    second.release()


def test_a_run_whose_lease_was_taken_over_is_told_to_stop(
    control_plane: ControlPlane, namespace: str
) -> None:
    kube = Kube(control_plane.kubeconfig)
    first, _ = lock(kube, namespace, FIRST)
    assert first.take(timeout=1) == ""
    lease = held_by(control_plane, namespace)
    assert lease is not None
    lease["spec"]["holderIdentity"] = "someone else"
    status, _ = control_plane.request("PUT", LEASE.path(namespace, lease_name("app")), lease)
    assert status == 200

    time.sleep(1.2)  # two renewals' time

    assert first.check() == (
        f"target app: lost its Lease {namespace}/gitops-action-app: another apply took it over; "
        "stopped, so that two applies never write to it at once"
    )
    first.release()
    lease = held_by(control_plane, namespace)
    assert lease is not None, "the release deleted a lease that another run holds"
    assert lease["spec"]["holderIdentity"] == "someone else"


def test_a_lease_this_process_left_behind_is_taken_again_at_once(
    control_plane: ControlPlane, namespace: str
) -> None:
    kube = Kube(control_plane.kubeconfig)
    earlier, _ = lock(kube, namespace, FIRST, Terms(duration=300))
    assert earlier.take(timeout=1) == ""
    earlier._stop.set()  # it could not release (the API server was away, say)

    again, said = lock(kube, namespace, FIRST, Terms(duration=300))
    assert again.take(timeout=0) == ""
    assert said == []
    again.release()


def test_a_namespace_that_does_not_exist_yet_defers_the_lease(control_plane: ControlPlane) -> None:
    kube = Kube(control_plane.kubeconfig)
    later, _ = lock(kube, "t-not-created-yet", FIRST)

    assert later.take(timeout=1) == ""
    assert later.missing_namespace
    assert not later.held
    assert later.check() == ""


OBJECTS = {"apiGroups": [""], "resources": ["configmaps", "secrets"]}
LEASES = {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"]}
DOCUMENTED = [
    {**OBJECTS, "verbs": ["get", "list", "create", "patch", "delete"]},
    {**LEASES, "verbs": ["get", "create", "update", "delete"]},
]


def test_the_role_the_readme_documents_is_enough_to_apply_and_prune(
    site: Site, control_plane: ControlPlane
) -> None:
    kubeconfig = control_plane.restricted_kubeconfig(site.namespace, DOCUMENTED)
    site.commit({"deploy/a.yaml": dump(configmap("a"), configmap("b"), secret("c", k="v"))})
    first = site.run(site.repo.root, "--kubeconfig", str(kubeconfig), "apply")
    assert first.code == 0, first.out + first.err
    site.commit({"deploy/a.yaml": dump(configmap("a", v="2"), configmap("b"))})

    second = site.run(site.repo.root, "--kubeconfig", str(kubeconfig), "apply")

    assert second.code == 0, second.out + second.err
    assert site.get("Secret", "c") is None
    assert held_by(control_plane, site.namespace) is None


def test_without_the_lease_permissions_apply_refuses_naming_them_and_writes_nothing(
    site: Site, control_plane: ControlPlane
) -> None:
    without = [{**OBJECTS, "verbs": ["get", "list", "create", "patch", "delete"]}]
    kubeconfig = control_plane.restricted_kubeconfig(site.namespace, without)
    site.commit({"deploy/a.yaml": dump(configmap("a"))})

    result = site.run(site.repo.root, "--kubeconfig", str(kubeconfig), "apply")

    assert result.code == 1
    assert f"error: target app: cannot take its Lease {site.namespace}/gitops-action-app: " in (
        result.out
    )
    assert "and for apply get, create, update and delete on leases)" in result.out
    assert site.get("ConfigMap", "a") is None
    assert site.inventory_parent() is None


class Recording(Delegating):
    """The real adapter, recording every write that succeeded, in order: (verb, kind)."""

    def __init__(self, kube: Kube) -> None:
        super().__init__(kube)
        self.calls: list[tuple[str, str]] = []

    def apply(self, obj: KubeObject, resource: ApiResource, **options: Any) -> KubeObject:
        answer: KubeObject = self.kube.apply(obj, resource, **options)
        if not options["dry_run"]:
            self.calls.append(("apply", resource.kind))
        return answer

    def create(self, obj: KubeObject, resource: ApiResource) -> KubeObject:
        answer: KubeObject = self.kube.create(obj, resource)
        self.calls.append(("create", resource.kind))
        return answer

    def delete(self, resource: ApiResource, *args: Any, **options: Any) -> bool:
        deleted = bool(self.kube.delete(resource, *args, **options))
        if not options.get("dry_run"):
            self.calls.append(("delete", resource.kind))
        return deleted


def test_a_first_apply_into_a_namespace_it_creates_takes_the_lease_right_after_writing_it(
    site: Site, control_plane: ControlPlane
) -> None:
    fresh = f"{site.namespace[:50]}-new"
    site.configure(namespace=fresh, wait={"timeout": 30})
    site.commit({"deploy/a.yaml": dump(namespace(fresh), configmap("a"))})
    recording = Recording(site.kube())
    try:
        code, out, err = site.apply_with(recording)  # type: ignore[arg-type]
    finally:
        control_plane.request("DELETE", f"/api/v1/namespaces/{fresh}")

    assert code == 0, out + err
    assert recording.calls == [
        ("apply", "Namespace"),
        ("create", "Lease"),
        ("create", "Secret"),  # the inventory: created only if there is none
        ("apply", "ConfigMap"),
        ("apply", "Secret"),  # the final record
        ("delete", "Lease"),
    ]
