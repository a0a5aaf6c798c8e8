"""The live plan: what applying head would change in the cluster, object by object.

Never Git's YAML against the live object: for each desired object we compare the live object
with the server-side-apply dry-run of the desired one (field manager ``gitops-action``), both
produced by the API server and normalized, so defaulting, canonical quantities and list order
cancel out, and fields that other managers own stay equal on both sides.

Cost: one paged LIST per kind and namespace (a GET where a group holds one object), then
dry-runs in a bounded thread pool, skipping objects that the inventory proves unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..cluster.inventory import Inventory, applyset_id, label_member, parent_name
from ..cluster.objects import fetch_live, parallel, place
from ..cluster.rows import (
    DRIFT_NOTE,
    OVERWRITES,
    as_rendered,
    clean,
    crd_kinds,
    leaving_row,
    rejected,
    unserved,
    updated,
    with_note,
)
from ..cluster.writes import apply_one
from ..config import Target
from ..core.normalize import normalize
from ..errors import ApiError
from ..models import KubeObject, Manifest, ResourceDiff, ResourceKey, TargetReport
from ..ports import ApiResource, Cluster

DryRun = KubeObject | ApiError


def dry_run(
    cluster: Cluster, target: Target, obj: KubeObject, resource: ApiResource
) -> tuple[DryRun, list[str]]:
    """The server's answer to applying ``obj`` exactly as apply would (``writes.apply_one``:
    conflicts forced per the target and noted, rejections explained and Secret values masked),
    and the notes on fields taken from other managers."""
    try:
        written = apply_one(cluster, target, obj, resource, dry_run=True)
    except ApiError as err:
        return err, []
    return written.obj, list(written.warnings)


def live_plan(
    cluster: Cluster,
    target: Target,
    head: Sequence[Manifest],
    base: Sequence[Manifest],
    inventory: Inventory | None = None,
) -> TargetReport:
    """The plan of ``head`` against the cluster; ``base`` tells what the pull request touches
    and, with the inventory, which objects left Git."""
    desired = place(cluster, target, head)
    previous = place(cluster, target, base)
    leaving = {k: r for k, r in previous.resources.items() if k not in desired.manifests}
    for key, member in inventory.members.items() if inventory else ():
        resource = cluster.resource(member.api_version, key.kind)
        if key not in desired.manifests and resource is not None:
            leaving.setdefault(key, resource)
    live = fetch_live(cluster, {**desired.resources, **leaving})

    # Dry-run exactly what apply would write: every member carries the ApplySet label.
    member_id = (
        inventory.id
        if inventory
        else applyset_id(parent_name(target.name), target.namespace or cluster.default_namespace)
    )

    def proven(key: ResourceKey, manifests: Mapping[ResourceKey, Manifest]) -> bool:
        """Git (this side) and the cluster are both as they were right after the last apply."""
        rendered = manifests[key].obj
        return inventory is not None and inventory.unchanged(key, rendered, live.get(key))

    def check(
        key: ResourceKey, manifests: Mapping[ResourceKey, Manifest] = desired.manifests
    ) -> tuple[DryRun, list[str]]:
        obj = label_member(manifests[key].obj, member_id)
        return dry_run(cluster, target, obj, desired.resources[key])

    todo = [k for k in desired.manifests if not proven(k, desired.manifests)]
    answers = dict(zip(todo, parallel(check, todo), strict=True))
    # Objects the pull request changes: is the cluster still what the base branch says?
    # Not a question where the inventory proves the base is exactly what was applied.
    touched = {
        k for k in todo
        if k in live and k in previous.manifests
        and normalize(previous.manifests[k].obj) != normalize(desired.manifests[k].obj)
    }  # fmt: skip
    doubtful = sorted(k for k in touched if not proven(k, previous.manifests))
    from_base = parallel(lambda k: check(k, previous.manifests)[0], doubtful)
    base_answers = dict(zip(doubtful, from_base, strict=True))

    creating = {k.name for k in desired.manifests if k.kind == "Namespace" and k not in live}
    rows: list[ResourceDiff] = []
    for key, manifest in desired.manifests.items():
        if key not in answers:
            rows.append(
                ResourceDiff(key, manifest.api_version, "unchanged", source=manifest.source)
            )
            continue
        answer, notes = answers[key]
        current = live.get(key)
        if isinstance(answer, ApiError):
            base_manifest = previous.manifests.get(key)
            rows.append(rejected(key, manifest, answer, current, base_manifest, creating))
        elif current is None:
            rows.append(as_rendered(key, manifest, notes))
        else:
            base_answer = base_answers.get(key)
            if isinstance(base_answer, dict) and clean(target, key, base_answer) != clean(
                target, key, current
            ):
                notes.append(OVERWRITES)
            row = updated(target, key, manifest, current, answer, notes)
            if row.action == "update" and key in previous.manifests and key not in touched:
                row = with_note(row, DRIFT_NOTE)
            rows.append(row)
    crds = crd_kinds(desired.manifests.values())
    rows.extend(unserved(key, m, crds) for key, m in desired.unserved.items())
    rows.extend(leaving_row(target, k, live[k], member_id) for k in leaving if k in live)
    rows.sort(key=lambda r: r.key)
    return TargetReport(name=target.name, resources=tuple(rows))
