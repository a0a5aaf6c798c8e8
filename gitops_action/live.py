"""The live plan: what applying head would change in the cluster, object by object.

Never Git's YAML against the live object: for each desired object we compare the live object
with the server-side-apply dry-run of the desired one (field manager ``gitops-action``), both
produced by the API server and normalized, so defaulting, canonical quantities and list order
cancel out, and fields that other managers own stay equal on both sides.

Cost: one paged LIST per kind and namespace (a GET where a group holds one object), then
dry-runs in a bounded thread pool, skipping objects that the inventory proves unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from . import FIELD_MANAGER
from .config import Target
from .diff import Labels, compare
from .errors import ApiError
from .fieldsets import drop, owned_by
from .inventory import PART_OF, Inventory
from .models import KubeObject, Manifest, ResourceDiff, ResourceKey, TargetReport
from .normalize import drop_path, normalize
from .plan import OFFLINE_LABELS, by_key
from .ports import ApiResource, Cluster

LIVE_LABELS = Labels(old="live", new="desired")
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
            obj = copy.deepcopy(rendered.obj)
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


DryRun = KubeObject | ApiError


def dry_run(
    cluster: Cluster, target: Target, obj: KubeObject, resource: ApiResource
) -> tuple[DryRun, list[str]]:
    """The server's answer to applying ``obj``, and notes on fields taken from other managers."""
    try:
        return cluster.apply(obj, resource, dry_run=True, force=False), []
    except ApiError as err:
        if err.status != 409 or not err.causes:
            return err, []
        taken = conflicts(err)
        if not target.force_conflicts:
            message = (
                f"{err} (force-conflicts is off for this target: remove these fields from Git, "
                "or set force-conflicts: true)"
            )
            return ApiError(409, "Conflict", message, err.body), []
        note = "applying takes fields over from other managers: " + "; ".join(taken)
    try:
        return cluster.apply(obj, resource, dry_run=True, force=True), [note]
    except ApiError as err:
        return err, []


def conflicts(err: ApiError) -> list[str]:
    """``.spec.replicas from "hpa-controller"`` for each field another manager holds."""
    out = []
    for cause in err.causes:
        message = str(cause.get("message", ""))
        manager = message.split('"')[1] if message.count('"') >= 2 else message
        out.append(f'{cause.get("field", "?")} from "{manager}"')
    return sorted(set(out))


def clean(target: Target, key: ResourceKey, obj: KubeObject, ours: KubeObject) -> KubeObject:
    """Normalized, minus the configured ignore paths and the fields of ignored managers."""
    out = normalize(obj)
    for pointer in target.ignore_paths(key):
        drop_path(out, pointer)
    keep = owned_by(ours, FIELD_MANAGER)
    for manager in target.ignore_managers(key):
        drop(out, owned_by(obj, manager, operation=None), keep)
    return out


def live_plan(
    cluster: Cluster,
    target: Target,
    head: Sequence[Manifest],
    base: Sequence[Manifest],
    inventory: Inventory | None = None,
) -> TargetReport:
    desired = place(cluster, target, head)
    previous = place(cluster, target, base)
    leaving: dict[ResourceKey, ApiResource] = {
        k: r for k, r in previous.resources.items() if k not in desired.manifests
    }
    for key, member in inventory.members.items() if inventory else ():
        resource = cluster.resource(member.api_version, key.kind)
        if key not in desired.manifests and resource is not None:
            leaving.setdefault(key, resource)
    live = fetch_live(cluster, {**desired.resources, **leaving})

    def unchanged(key: ResourceKey) -> bool:
        return inventory is not None and inventory.unchanged(
            key, desired.manifests[key].obj, live.get(key)
        )

    todo = [k for k in desired.manifests if not unchanged(k)]
    answers = dict(
        zip(
            todo,
            parallel(
                lambda k: dry_run(cluster, target, desired.manifests[k].obj, desired.resources[k]),
                todo,
            ),
            strict=True,
        )
    )
    touched = [
        k for k in todo
        if k in live and k in previous.manifests
        and normalize(previous.manifests[k].obj) != normalize(desired.manifests[k].obj)
    ]  # fmt: skip
    base_answers = dict(
        zip(
            touched,
            parallel(
                lambda k: dry_run(cluster, target, previous.manifests[k].obj, desired.resources[k])[
                    0
                ],
                touched,
            ),
            strict=True,
        )
    )

    creating_namespaces = {
        k.name for k in desired.manifests if k.kind == "Namespace" and k not in live
    }
    crds = _crd_kinds(desired.manifests.values())
    rows: list[ResourceDiff] = []
    for key, manifest in desired.manifests.items():
        if key not in answers:
            rows.append(
                ResourceDiff(key, manifest.api_version, "unchanged", source=manifest.source)
            )
            continue
        answer, notes = answers[key]
        if isinstance(answer, ApiError):
            rows.append(
                _rejected(
                    key,
                    manifest,
                    answer,
                    live.get(key),
                    previous.manifests.get(key),
                    creating_namespaces,
                )
            )
            continue
        current = live.get(key)
        if current is None:
            rows.append(
                compare(
                    key,
                    manifest.api_version,
                    None,
                    normalize(manifest.obj),
                    labels=LIVE_LABELS,
                    manifest=manifest,
                    warnings=notes,
                )
            )
            continue
        warnings = list(notes)
        base_answer = base_answers.get(key)
        if isinstance(base_answer, dict) and clean(target, key, base_answer, base_answer) != clean(
            target, key, current, current
        ):
            warnings.append(
                "live differs from the base branch: merging overwrites a change made outside Git"
            )
        row = compare(
            key,
            manifest.api_version,
            clean(target, key, current, current),
            clean(target, key, answer, answer),
            labels=LIVE_LABELS,
            manifest=manifest,
            warnings=warnings,
        )
        if row.action == "update" and key in previous.manifests and key not in touched:
            row = _with_note(
                row,
                "this pull request does not change it: the cluster differs from Git (drift), "
                "and applying restores Git's version",
            )
        rows.append(row)
    for key, manifest in desired.unserved.items():
        rows.append(_unserved(key, manifest, crds))
    for key in leaving:
        if key in live:
            rows.append(_leaving(target, key, live[key], inventory))
    rows.sort(key=lambda r: r.key)
    return TargetReport(name=target.name, resources=tuple(rows))


def _with_note(row: ResourceDiff, note: str) -> ResourceDiff:
    return ResourceDiff(
        row.key,
        row.api_version,
        row.action,
        row.diff,
        row.warnings,
        row.source,
        row.error,
        (*row.notes, note),
    )


def _rejected(
    key: ResourceKey,
    manifest: Manifest,
    err: ApiError,
    live: KubeObject | None,
    base: Manifest | None,
    creating: set[str],
) -> ResourceDiff:
    """A dry-run the server refused: a creation waiting for its namespace, or an error row."""
    if (
        live is None
        and err.status == 404
        and err.details_kind == "namespaces"
        and key.namespace in creating
    ):
        row = compare(
            key,
            manifest.api_version,
            None,
            normalize(manifest.obj),
            labels=LIVE_LABELS,
            manifest=manifest,
        )
        return _with_note(
            row,
            f"its Namespace {key.namespace} is created by this plan: "
            "shown as rendered, not dry-run",
        )
    if base is not None:
        shown = compare(
            key,
            manifest.api_version,
            normalize(base.obj),
            normalize(manifest.obj),
            labels=OFFLINE_LABELS,
            manifest=manifest,
        )
    else:
        shown = compare(
            key,
            manifest.api_version,
            None,
            normalize(manifest.obj),
            labels=LIVE_LABELS,
            manifest=manifest,
        )
    hint = ""
    if err.status == 422 and "immutable" in str(err):
        hint = "; the field cannot change: delete and re-create the object (or rename it)"
    elif err.status == 404 and err.details_kind == "namespaces":
        hint = f"; namespace {key.namespace} does not exist and this target does not create it"
    return ResourceDiff(
        key=key,
        api_version=manifest.api_version,
        action="update" if live is not None else "create",
        diff=shown.diff,
        warnings=shown.warnings,
        source=manifest.source,
        error=f"the API server rejected the dry-run: {err}{hint}",
    )


def _crd_kinds(manifests: Iterable[Manifest]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for manifest in manifests:
        if manifest.kind == "CustomResourceDefinition":
            spec = manifest.obj.get("spec") or {}
            out.add((str(spec.get("group", "")), str((spec.get("names") or {}).get("kind", ""))))
    return out


def _unserved(key: ResourceKey, manifest: Manifest, crds: set[tuple[str, str]]) -> ResourceDiff:
    row = compare(
        key,
        manifest.api_version,
        None,
        normalize(manifest.obj),
        labels=LIVE_LABELS,
        manifest=manifest,
    )
    if (key.group, key.kind) in crds:
        return _with_note(
            row,
            "its CustomResourceDefinition is created by this plan: shown as rendered, not dry-run",
        )
    return ResourceDiff(
        key, manifest.api_version, "create", row.diff, source=manifest.source,
        error=(
            f"the cluster does not serve {manifest.api_version} {manifest.kind}: install its "
            "CustomResourceDefinition first (or add it to this target), or fix the apiVersion"
        ),
    )  # fmt: skip


def _leaving(
    target: Target, key: ResourceKey, live: KubeObject, inventory: Inventory | None
) -> ResourceDiff:
    """An object that left Git: deleted by apply only if pruning may and it is ours."""
    api_version = str(live.get("apiVersion", ""))
    labels = (live.get("metadata") or {}).get("labels") or {}
    ours = inventory is not None and labels.get(PART_OF) == inventory.id
    if not target.prune:
        reason = "prune is off for this target"
    elif key.kind in target.protect:
        reason = f"{key.kind} is a protected kind"
    elif not ours:
        reason = "it was not applied by gitops-action for this target (no part-of label)"
    else:
        return compare(key, api_version, normalize(live), None, labels=LIVE_LABELS)
    return ResourceDiff(
        key, api_version, "unchanged", warnings=(f"left Git but stays in the cluster: {reason}",)
    )
