"""Reading live objects near the minimum of API calls.

One paged LIST per kind and namespace (a GET where a group holds a single object we want),
and the members of a target's ApplySet from the same LISTs where they overlap: a namespace
and kind that holds desired objects is listed whole, and the members in it are picked out by
their label; a kind and namespace where only members can be is listed with the label
selector. Work that waits on the API server runs in a bounded thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster

WORKERS = 16
T = TypeVar("T")
R = TypeVar("R")

Scope = tuple[ApiResource, str]
"""A kind and a namespace (``""`` for cluster-scoped kinds): what one LIST covers."""


def parallel(func: Callable[[T], R], items: Sequence[T], workers: int = WORKERS) -> list[R]:
    """``map`` over a bounded thread pool (the work is waiting on the API server)."""
    if len(items) <= 1:
        return [func(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(func, items))


@dataclass(frozen=True)
class Live:
    objects: Mapping[ResourceKey, KubeObject]
    """The live copy of every wanted object that exists."""
    members: Mapping[ResourceKey, tuple[ApiResource, KubeObject]]
    """Every live object labelled with the member label, in the member scopes."""


def read(
    cluster: Cluster,
    wanted: Mapping[ResourceKey, ApiResource],
    member_scopes: Collection[Scope] = (),
    member_label: tuple[str, str] | None = None,
) -> Live:
    """The live objects of ``wanted``, and the objects carrying ``member_label`` (name,
    value) in ``member_scopes``."""
    groups: dict[Scope, list[ResourceKey]] = {scope: [] for scope in member_scopes}
    for key, resource in wanted.items():
        groups.setdefault((resource, key.namespace if resource.namespaced else ""), []).append(key)
    selector = f"{member_label[0]}={member_label[1]}" if member_label else ""

    def fetch(group: tuple[Scope, list[ResourceKey]]) -> list[KubeObject]:
        (resource, namespace), keys = group
        if not keys:
            return cluster.list(resource, namespace, label_selector=selector)
        if len(keys) == 1 and (resource, namespace) not in member_scopes:
            obj = cluster.get(resource, namespace, keys[0].name)
            return [obj] if obj is not None else []
        return cluster.list(resource, namespace)

    objects: dict[ResourceKey, KubeObject] = {}
    members: dict[ResourceKey, tuple[ApiResource, KubeObject]] = {}
    items = list(groups.items())
    for ((resource, _), _keys), found in zip(items, parallel(fetch, items), strict=True):
        for obj in found:
            key = ResourceKey.of(obj)
            if key in wanted:
                objects[key] = obj
            labels = (obj.get("metadata") or {}).get("labels") or {}
            if member_label and labels.get(member_label[0]) == member_label[1]:
                members[key] = (resource, obj)
    return Live(objects, members)


def fetch_live(
    cluster: Cluster, resources: Mapping[ResourceKey, ApiResource]
) -> dict[ResourceKey, KubeObject]:
    """The live objects of ``resources``: one LIST per (kind, namespace), or one GET."""
    return dict(read(cluster, resources).objects)
