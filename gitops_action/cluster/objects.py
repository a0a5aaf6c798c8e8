"""Desired objects as the cluster sees them: their namespace, their served kind, the live copy.

Cost: one paged LIST per kind and namespace (a GET where a group holds one object); work that
waits on the API server runs in a bounded thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from ..config import Target
from ..models import KubeObject, Manifest, ResourceKey, by_key, clone
from ..ports import ApiResource, Cluster

WORKERS = 16
T = TypeVar("T")
R = TypeVar("R")


def parallel(func: Callable[[T], R], items: Sequence[T], workers: int = WORKERS) -> list[R]:
    """``map`` over a bounded thread pool (the work is waiting on the API server)."""
    if len(items) <= 1:
        return [func(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(func, items))


@dataclass(frozen=True)
class Placed:
    """Manifests with the namespace the server will give them, and their served resource."""

    manifests: dict[ResourceKey, Manifest]
    resources: dict[ResourceKey, ApiResource]
    unserved: dict[ResourceKey, Manifest]


def place(cluster: Cluster, target: Target, manifests: Iterable[Manifest]) -> Placed:
    """Namespaced objects without a namespace get the target's (else the context's); now that
    discovery says which kinds are namespaced, cluster-scoped objects lose a stray one."""
    resources: dict[ResourceKey, ApiResource] = {}
    placed: list[Manifest] = []
    unserved: list[Manifest] = []
    for rendered in manifests:
        resource = cluster.resource(rendered.api_version, rendered.kind)
        if resource is None:
            unserved.append(rendered)
            continue
        manifest = rendered
        namespace = (rendered.obj.get("metadata") or {}).get("namespace")
        if resource.namespaced != bool(namespace):
            obj = clone(rendered.obj)
            if resource.namespaced:
                obj["metadata"]["namespace"] = target.namespace or cluster.default_namespace
            else:
                del obj["metadata"]["namespace"]
            manifest = Manifest(obj, rendered.source, rendered.positions)
        resources[manifest.key] = resource
        placed.append(manifest)
    return Placed(by_key(placed), resources, by_key(unserved))


def fetch_live(
    cluster: Cluster, resources: Mapping[ResourceKey, ApiResource]
) -> dict[ResourceKey, KubeObject]:
    """The live objects of ``resources``: one LIST per (kind, namespace), or one GET."""
    groups: dict[tuple[ApiResource, str], list[ResourceKey]] = {}
    for key, resource in resources.items():
        groups.setdefault((resource, key.namespace), []).append(key)

    def fetch(group: tuple[tuple[ApiResource, str], list[ResourceKey]]) -> list[KubeObject]:
        (resource, namespace), keys = group
        if len(keys) == 1:
            obj = cluster.get(resource, namespace, keys[0].name)
            return [obj] if obj is not None else []
        return cluster.list(resource, namespace)

    live: dict[ResourceKey, KubeObject] = {}
    for objects in parallel(fetch, list(groups.items())):
        for obj in objects:
            key = ResourceKey.of(obj)
            if key in resources:
                live[key] = obj
    return live
