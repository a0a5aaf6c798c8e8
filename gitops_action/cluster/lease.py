"""One writer per target: a ``coordination.k8s.io/v1`` Lease next to the inventory.

The Lease is named like the inventory parent (``gitops-action-<target>``) and lives in its
namespace. Its holder is one process (``Holder.identity``: host and pid); annotations say which
commit it applies and from which workflow run, so that a run that waits can name them. Every
write is a compare and swap: ``create`` fails when another run created it first, ``update``
when it changed since it was read, and the release deletes only the version we wrote.

A lease is free when nobody holds it, when this process holds it (an earlier apply of ours
that could not release it, e.g. while the API server was away), or when it expired: its
``renewTime`` plus ``leaseDurationSeconds`` lies in the past. That reading trusts the clocks of
the holder and the waiter to agree within ``Terms.duration - Terms.renew`` seconds (NTP does
far better); ``apply.lock`` also counts a lease as expired when it saw no change to it for a
whole duration, whatever the clocks say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..models import KubeObject
from ..ports import ApiResource, Cluster
from .inventory import TARGET_LABEL, parent_name

LEASE = ApiResource(
    group="coordination.k8s.io", version="v1", kind="Lease", plural="leases", namespaced=True
)
REVISION = "gitops-action.io/revision"
RUN_URL = "gitops-action.io/run-url"
_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class Holder:
    """Who applies: the commit, the workflow run (``""`` outside Actions), the host and pid."""

    revision: str
    run_url: str = ""
    host: str = ""
    pid: int = 0

    @property
    def identity(self) -> str:
        """The lease's ``holderIdentity``: one process."""
        return f"gitops-action {self.host} pid {self.pid}"


@dataclass(frozen=True)
class Terms:
    """How long a lease lasts, and how often its holder renews it and a waiting run looks."""

    duration: int = 60
    """``leaseDurationSeconds``: a run killed mid-apply blocks the next one at most this long."""
    renew: float = 10.0
    """Seconds between renewals: the lease survives ``duration / renew - 1`` failed ones."""
    poll: float = 1.0
    """Seconds between two looks of a run that waits."""


TERMS = Terms()


def lease_name(target: str) -> str:
    return parent_name(target)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def read(cluster: Cluster, namespace: str, target: str) -> KubeObject | None:
    return cluster.get(LEASE, namespace, lease_name(target))


def free(lease: KubeObject, holder: Holder, at: dt.datetime) -> bool:
    """Nobody else holds ``lease`` at ``at``: released, ours, or expired."""
    spec = lease.get("spec") or {}
    identity = str(spec.get("holderIdentity") or "")
    if not identity or identity == holder.identity:
        return True
    renewed = _time(spec.get("renewTime") or spec.get("acquireTime"))
    duration = int(spec.get("leaseDurationSeconds") or 0)
    return renewed is None or renewed + dt.timedelta(seconds=duration) < at


def claim(
    cluster: Cluster,
    namespace: str,
    target: str,
    holder: Holder,
    terms: Terms,
    live: KubeObject | None,
) -> KubeObject:
    """Take the lease: create it, or replace ``live`` (compare and swap). ``Conflict`` when
    another run got there first; ``NotFound`` when the namespace does not exist yet."""
    stamp = now().strftime(_MICRO)
    spec: dict[str, Any] = {
        "holderIdentity": holder.identity,
        "leaseDurationSeconds": terms.duration,
        "acquireTime": stamp,
        "renewTime": stamp,
        "leaseTransitions": 0,
    }
    metadata: dict[str, Any] = {
        "name": lease_name(target),
        "namespace": namespace,
        "labels": {TARGET_LABEL: target},
        "annotations": {REVISION: holder.revision, RUN_URL: holder.run_url},
    }
    if live is None:
        return cluster.create(_lease(metadata, spec), LEASE)
    before = live.get("spec") or {}
    transitions = int(before.get("leaseTransitions") or 0)
    if before.get("holderIdentity") != holder.identity:
        transitions += 1
    spec["leaseTransitions"] = transitions
    metadata["resourceVersion"] = live["metadata"]["resourceVersion"]
    return cluster.update(_lease(metadata, spec), LEASE)


def renew(cluster: Cluster, lease: KubeObject) -> KubeObject:
    """The same lease, renewed now; ``Conflict`` or ``NotFound`` when it is no longer ours."""
    spec = {**lease["spec"], "renewTime": now().strftime(_MICRO)}
    return cluster.update({**lease, "spec": spec}, LEASE)


def release(cluster: Cluster, lease: KubeObject) -> None:
    """Delete the lease, only as we last wrote it (a run that took it over keeps it)."""
    meta = lease["metadata"]
    cluster.delete(LEASE, meta["namespace"], meta["name"], resource_version=meta["resourceVersion"])


def describe(lease: KubeObject) -> str:
    """Who holds ``lease``, for a message: commit, run (or host and pid), since when."""
    spec = lease.get("spec") or {}
    notes = (lease.get("metadata") or {}).get("annotations") or {}
    parts = []
    if notes.get(REVISION):
        parts.append(f"commit {str(notes[REVISION])[:12]}")
    parts.append(str(notes.get(RUN_URL) or "") or _where(str(spec.get("holderIdentity") or "")))
    renewed = spec.get("renewTime")
    if renewed:
        parts.append(f"renewed {renewed}")
    return ", ".join(p for p in parts if p)


def _where(identity: str) -> str:
    return f"host {identity.removeprefix('gitops-action ')}" if identity else ""


def _lease(metadata: dict[str, Any], spec: dict[str, Any]) -> KubeObject:
    return {"apiVersion": LEASE.api_version, "kind": "Lease", "metadata": metadata, "spec": spec}


def _time(value: object) -> dt.datetime | None:
    """A MicroTime (or Time) as the API server writes it."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
