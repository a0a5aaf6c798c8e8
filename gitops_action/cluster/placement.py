"""Desired objects as the API server will hold them: in which namespace, under which served kind.

Git may leave a namespaced object without a namespace (the target's applies, else the
kubeconfig context's) or give a cluster-scoped one a stray namespace (the server drops it);
discovery says which is which. A kind that the cluster does not serve yet is either a custom
resource of a CustomResourceDefinition in the same render (placed by that CRD's scope, served
once the first apply phase has made the CRD Established) or an error to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..core.kinds import crd_scopes
from ..models import Manifest, ResourceKey, by_key, clone
from ..ports import ApiResource, Cluster


@dataclass(frozen=True)
class Placement:
    manifests: Mapping[ResourceKey, Manifest]
    """Every desired object that the cluster serves or will serve, with its final key."""
    resources: Mapping[ResourceKey, ApiResource]
    """The served kind of each object of ``manifests``, but ``custom`` ones."""
    custom: frozenset[ResourceKey]
    """Custom resources of a CRD this same render creates: no served kind yet."""
    unserved: Mapping[ResourceKey, Manifest]
    """Objects of a kind neither served nor defined here."""


def place(cluster: Cluster, manifests: Iterable[Manifest], namespace: str) -> Placement:
    """``manifests`` placed for ``cluster``; ``namespace`` for namespaced objects naming none."""
    rendered = list(manifests)
    scopes = crd_scopes(rendered)
    placed: list[Manifest] = []
    resources: dict[ResourceKey, ApiResource] = {}
    custom: set[ResourceKey] = set()
    unserved: list[Manifest] = []
    for manifest in rendered:
        resource = cluster.resource(manifest.api_version, manifest.kind)
        scope = resource.namespaced if resource else scopes.get((manifest.key.group, manifest.kind))
        if scope is None:
            unserved.append(manifest)
            continue
        final = in_scope(manifest, scope, namespace)
        if resource is not None:
            resources[final.key] = resource
        else:
            custom.add(final.key)
        placed.append(final)
    return Placement(by_key(placed), resources, frozenset(custom), by_key(unserved))


def in_scope(manifest: Manifest, namespaced: bool, namespace: str) -> Manifest:
    """``manifest`` with a namespace exactly when its kind is namespaced."""
    meta = manifest.obj.get("metadata") or {}
    if namespaced == bool(meta.get("namespace")):
        return manifest
    obj = clone(manifest.obj)
    if namespaced:
        obj["metadata"]["namespace"] = namespace
    else:
        del obj["metadata"]["namespace"]
    return Manifest(obj, manifest.source, manifest.positions)
