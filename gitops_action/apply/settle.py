"""Objects that cannot be dry-run before the apply starts, and the rows of the apply report.

Two kinds of objects wait for the first phase (Namespaces and CRDs): those in a Namespace this
apply creates (the server answers a dry-run with 404 until it exists), and custom resources of
a CRD this apply creates (the kind is not served yet). They are placed now (a custom resource
by its CRD's scope), shown as rendered, and dry-run once the first phase is in, every CRD is
Established and discovery serves their kinds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from ..cluster import health
from ..cluster.inventory import label_member
from ..cluster.objects import Placed
from ..cluster.rows import as_rendered, updated, with_note
from ..cluster.writes import Written
from ..config import Target
from ..core.kinds import crd_scopes
from ..errors import ApiError
from ..models import KubeObject, Manifest, ResourceDiff, ResourceKey, clone
from ..ports import ApiResource, Cluster

_CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
DISCOVERY_POLL = 0.5


def rows_for(
    target: Target,
    key: ResourceKey,
    manifest: Manifest,
    live: KubeObject | None,
    answer: Written | ApiError,
    inventory_id: str,
) -> ResourceDiff:
    """One object's row: the server's dry-run against live, both normalized (as ``plan``)."""
    if isinstance(answer, ApiError):
        return ResourceDiff(
            key,
            manifest.api_version,
            "update" if live is not None else "create",
            source=manifest.source,
            error=f"dry-run rejected: {answer}",
        )
    if live is None:
        shown = label_member(manifest.obj, inventory_id)
        return as_rendered(key, manifest, answer.warnings, shown=shown)
    return updated(target, key, manifest, live, answer.obj, answer.warnings)


class Settler:
    """The objects waiting for the first phase, and how they get checked once it is in."""

    def __init__(
        self,
        cluster: Cluster,
        target: Target,
        inventory_id: str,
        rendered: Sequence[Manifest],
        placed: Placed,
    ) -> None:
        self.cluster, self.target, self.inventory_id = cluster, target, inventory_id
        self.placed = placed
        namespace = target.namespace or cluster.default_namespace
        scopes = crd_scopes(rendered)
        self.manifests: dict[ResourceKey, Manifest] = dict(placed.manifests)
        self.unserved: dict[ResourceKey, Manifest] = {}
        self.custom: set[ResourceKey] = set()
        for key, manifest in placed.unserved.items():
            scope = scopes.get((key.group, key.kind))
            if scope is None:
                self.unserved[key] = manifest
                continue
            custom = _placed_as(manifest, scope, namespace)
            self.manifests[custom.key] = custom
            self.custom.add(custom.key)
        self.deferred: set[ResourceKey] = set(self.custom)
        self.creating: set[str] = set()
        self.resources: dict[ResourceKey, ApiResource] = {}
        self.pending = bool(self.deferred)

    def defer_created_namespaces(self, live: Mapping[ResourceKey, KubeObject]) -> None:
        """Objects in a Namespace that this apply creates wait for it."""
        self.creating = {
            k.name
            for k in self.manifests
            if (k.group, k.kind) == ("", "Namespace") and k not in live
        }
        self.deferred |= {k for k in self.manifests if k.namespace in self.creating}
        self.pending = bool(self.deferred)

    def unserved_error(self, key: ResourceKey) -> str:
        manifest = self.unserved[key]
        return (
            f"{manifest.describe()}: the cluster does not serve {manifest.api_version} "
            f"{manifest.kind}: install its CustomResourceDefinition first (or add it to this "
            "target), or fix the apiVersion"
        )

    def deferred_rows(self) -> dict[ResourceKey, ResourceDiff]:
        rows: dict[ResourceKey, ResourceDiff] = {}
        for key in sorted(self.deferred):
            manifest = self.manifests[key]
            row = as_rendered(key, manifest, shown=label_member(manifest.obj, self.inventory_id))
            what = (
                "CustomResourceDefinition" if key in self.custom else f"Namespace {key.namespace}"
            )
            rows[key] = with_note(
                row, f"its {what} is created by this apply: dry-run once that existed"
            )
        return rows

    def settle(self, timeout: float) -> str:
        """Wait for this target's CRDs and for discovery to serve the deferred kinds; ``""``
        when ready, else what is missing."""
        crds = {k: r for k, r in self.placed.resources.items() if (k.group, k.kind) == _CRD}
        if crds:
            unready, _ = health.wait(self.cluster, crds, timeout)
            if unready:
                return "; ".join(
                    f"{k}: not Established after {timeout:g}s: {v.reason}"
                    for k, v in sorted(unready.items())
                )
        self.resources = {k: self.placed.resources[k] for k in self.deferred - self.custom}
        deadline = time.monotonic() + timeout
        missing = sorted(self.custom)
        while missing:
            self.cluster.refresh_discovery()
            for key in list(missing):
                resource = self.cluster.resource(self.manifests[key].api_version, key.kind)
                if resource is not None:
                    self.resources[key] = resource
                    missing.remove(key)
            if missing and time.monotonic() >= deadline:
                return "; ".join(
                    f"{self.manifests[k].describe()}: its CRD is Established but the server "
                    f"does not serve {self.manifests[k].api_version} {k.kind}: check the "
                    "apiVersion against the CRD's served versions"
                    for k in missing
                )
            if missing:
                time.sleep(DISCOVERY_POLL)
        return ""


def _placed_as(manifest: Manifest, namespaced: bool, namespace: str) -> Manifest:
    """A custom resource with the namespace its CRD's scope gives it."""
    meta = manifest.obj.get("metadata") or {}
    if namespaced == bool(meta.get("namespace")):
        return manifest
    obj = clone(manifest.obj)
    if namespaced:
        obj["metadata"]["namespace"] = namespace
    else:
        del obj["metadata"]["namespace"]
    return Manifest(obj, manifest.source, manifest.positions)
