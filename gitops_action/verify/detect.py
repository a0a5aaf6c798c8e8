"""Drift: does the cluster still hold what Git says? Found near the minimum of API calls.

Tier 0 costs one paged LIST per kind and namespace, with the target's inventory label
selector, whatever the number of objects. It finds what is missing (in Git, not live) and
what is orphaned (our label, not in Git), and for every other object compares the inventory's
record with what it sees: the fingerprint of the rendered object (did Git change since the
last apply?) and the fingerprint of the live values of the fields we own (did anyone change
them, or take one of them over? A new owner of one of our fields drops it from our field set,
so the fingerprint moves too). Both unchanged: in sync, with no other call.

Tier 1 is the same server-side dry-run diff that plan and apply make (``cluster.assess``),
only for the suspects of tier 0 and for objects the inventory has no record of: it confirms
or clears each, and renders the diff. So no false drift: defaulting, canonical quantities,
fields that Git does not set (labels others add, an HPA's replicas on a Deployment that sets
none, controllers' fields) cancel out, and ``drift.ignore`` drops more. Each drifted object
says who holds the drifted fields now, and since when (``changed_by``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import FIELD_MANAGER
from ..cluster import inventory as inventories
from ..cluster import rows
from ..cluster.assess import judge
from ..cluster.inventory import PART_OF, Inventory, member_scopes
from ..cluster.objects import Scope, read
from ..cluster.placement import Placement, place
from ..cluster.writes import Written
from ..config import Target
from ..core.fieldsets import entries, overlap, owned_by
from ..core.order import listed
from ..errors import ApiError
from ..models import Change, KubeObject, Manifest, ResourceDiff, ResourceKey, TargetReport
from ..ports import Cluster

DELETED = (
    "deleted from the cluster after it was applied (the API server keeps no record of who: "
    "see its audit log)"
)
NOT_APPLIED = "not applied yet: it is new in Git since the last apply"
GIT_MOVED = "Git changed since the last apply ({revision}): apply has not run on it yet"
ORPHANED = "labelled as this target's, but no longer in Git: apply prunes it"
ORPHAN_KEPT = "labelled as this target's, but no longer in Git; apply keeps it: {reason}"
UNLABELLED = "its part-of label was removed in the cluster: apply puts it back"
NEVER_APPLIED = "not in the inventory yet: the next apply adds it (labels only)"
NOT_SERVED = "the cluster does not serve {api_version} {kind}: its CustomResourceDefinition is gone"


@dataclass(frozen=True)
class Drifted:
    """What remediation needs to know of a drifted object."""

    manifest: Manifest
    live: KubeObject
    answer: KubeObject
    """The server's dry-run of Git's version: what applying puts back."""


@dataclass(frozen=True)
class Verification:
    target: Target
    inventory: Inventory
    recorded: bool
    """The target has an inventory: it was applied before."""
    rows: tuple[ResourceDiff, ...]
    drifted: Mapping[ResourceKey, Drifted] = field(default_factory=dict)
    missing: Mapping[ResourceKey, Manifest] = field(default_factory=dict)
    orphaned: Mapping[ResourceKey, KubeObject] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    suspects: int = 0
    """Objects tier 0 could not prove in sync, dry-run in tier 1."""

    @classmethod
    def failed(cls, target: Target, error: str) -> Verification:
        """A target that could not be verified (the cluster unreachable, a LIST refused)."""
        return cls(target, Inventory(target.name, target.namespace), False, (), errors=(error,))

    @property
    def has_drift(self) -> bool:
        return any(r.action != "in-sync" for r in self.rows)

    def report(self) -> TargetReport:
        return TargetReport(self.target.name, self.rows, self.errors)


def verify(cluster: Cluster, target: Target, rendered: Sequence[Manifest]) -> Verification:
    """Compare the cluster with ``rendered`` (the target at the commit checked out)."""
    namespace = target.namespace or cluster.default_namespace
    recorded = inventories.read(cluster, target.name, namespace)
    inventory = recorded.inventory
    placement = place(cluster, rendered, namespace)
    scopes = member_scopes(cluster, inventory, recorded.parent)
    members = _labelled(cluster, placement, scopes, inventory)
    live = {k: obj for k, obj in members.items() if k in placement.manifests}
    out: dict[ResourceKey, ResourceDiff] = {}
    missing: dict[ResourceKey, Manifest] = {}
    suspects: list[ResourceKey] = []
    unlabelled: dict[ResourceKey, KubeObject] = {}

    absent = {k: placement.resources[k] for k in placement.resources if k not in live}
    found = read(cluster, absent).objects if absent else {}
    for key, manifest in placement.manifests.items():
        obj = live.get(key) or found.get(key)
        if obj is None:
            missing[key] = manifest
            note = DELETED if key in inventory.members else NOT_APPLIED
            if key in placement.custom:
                note = (
                    f"its kind {manifest.api_version} {key.kind} is not served: its CRD is missing"
                )
            out[key] = _as(rows.with_note(rows.as_rendered(key, manifest), note), "missing")
        elif key not in live:
            unlabelled[key] = obj
            suspects.append(key)
        elif inventory.unchanged(key, manifest.obj, obj):
            out[key] = ResourceDiff(key, manifest.api_version, "in-sync", source=manifest.source)
        else:
            suspects.append(key)
    for key, manifest in placement.unserved.items():
        missing[key] = manifest
        error = rows.UNSERVED.format(api_version=manifest.api_version, kind=manifest.kind)
        out[key] = dataclasses.replace(_as(rows.as_rendered(key, manifest), "missing"), error=error)

    merged = {**live, **unlabelled}
    checked = judge(cluster, target, inventory, placement, merged, suspects)
    drifted: dict[ResourceKey, Drifted] = {}
    for key, (answer, row) in checked.items():
        manifest = placement.manifests[key]
        if isinstance(answer, ApiError):
            out[key] = _as(row, "drifted")  # cannot be checked: say so, never "in sync"
            continue
        out[key] = _verdict(
            target, key, manifest, merged[key], answer, row, inventory, recorded.parent is not None
        )
        if out[key].action == "drifted":
            drifted[key] = Drifted(manifest, merged[key], answer.obj)

    orphaned = {k: obj for k, obj in members.items() if k not in placement.manifests}
    for key, obj in orphaned.items():
        out[key] = _orphan(target, key, obj)
    return Verification(
        target=target, inventory=inventory, recorded=recorded.parent is not None,
        rows=tuple(listed(out.values())), drifted=drifted, missing=missing,
        orphaned=orphaned, suspects=len(suspects),
    )  # fmt: skip


def _labelled(
    cluster: Cluster, placement: Placement, recorded: set[Scope], inventory: Inventory
) -> dict[ResourceKey, KubeObject]:
    """Every live object carrying this target's label, in the kinds and namespaces of Git's
    objects (at Git's versions, as they are compared) and of the inventory's records and
    parent: one paged LIST each, label-selected."""
    wanted = {(r, k.namespace if r.namespaced else "") for k, r in placement.resources.items()}
    listed_kinds = {(r.group, r.kind, ns) for r, ns in wanted}
    scopes = wanted | {(r, ns) for r, ns in recorded if (r.group, r.kind, ns) not in listed_kinds}
    found = read(cluster, {}, scopes, (PART_OF, inventory.id))
    return {key: obj for key, (_, obj) in found.members.items()}


def _verdict(
    target: Target,
    key: ResourceKey,
    manifest: Manifest,
    live: KubeObject,
    answer: Written,
    row: ResourceDiff,
    inventory: Inventory,
    applied_before: bool,
) -> ResourceDiff:
    """A suspect's status from its dry-run diff: in sync when nothing differs."""
    if row.action == "unchanged" and not row.adopt:
        return _as(dataclasses.replace(row, warnings=(), notes=()), "in-sync")
    if row.adopt:
        note = UNLABELLED if applied_before and key in inventory.members else NEVER_APPLIED
        if note == NEVER_APPLIED:
            return _as(dataclasses.replace(row, notes=(note,), warnings=()), "in-sync")
        return dataclasses.replace(_as(row, "drifted"), notes=(note,), changed_by=())
    notes = list(row.notes)
    member = inventory.members.get(key)
    if member is not None and member.desired != inventory.desired_fingerprint(manifest.obj):
        notes.append(GIT_MOVED.format(revision=inventory.revision[:12] or "unknown"))
    # Conflicts the dry-run forced are who changed what: changed_by says it better.
    warnings = tuple(w for w in row.warnings if not w.startswith("fields taken over"))
    drifted = dataclasses.replace(
        row, warnings=warnings, notes=tuple(n for n in notes if n != rows.DRIFT_NOTE),
        changed_by=changed_by(target, key, live, answer.obj), drift=False,
    )  # fmt: skip
    return _as(drifted, "drifted")


def changed_by(
    target: Target, key: ResourceKey, live: KubeObject, answer: KubeObject
) -> tuple[Change, ...]:
    """The managers that now hold fields Git sets (our field set in the dry-run of Git's
    version), subresource writes (a scale) included; ours when nobody else does."""
    ours = owned_by(answer, FIELD_MANAGER)
    trusted = set(target.ignore_managers(key))
    found: list[Change] = []
    for entry in entries(live):
        manager = str(entry.get("manager", ""))
        if manager == FIELD_MANAGER or manager in trusted:
            continue
        if overlap(entry.get("fieldsV1") or {}, ours):
            found.append(_change(entry))
    if not found:
        found = [_change(e) for e in entries(live) if e.get("manager") == FIELD_MANAGER]
    return tuple(sorted(set(found), key=lambda c: (c.time or "~", c.manager)))


def _change(entry: Mapping[str, object]) -> Change:
    return Change(
        manager=str(entry.get("manager", "")),
        operation=str(entry.get("operation", "")),
        time=str(entry.get("time") or ""),
        subresource=str(entry.get("subresource") or ""),
    )


def _orphan(target: Target, key: ResourceKey, obj: KubeObject) -> ResourceDiff:
    """A member (our label) that left Git, and whether apply would prune it."""
    if key.kind in target.protect:
        note = ORPHAN_KEPT.format(reason=f"{key.kind} is a protected kind")
    elif not target.prune:
        note = ORPHAN_KEPT.format(reason="prune is off for this target")
    else:
        note = ORPHANED
    return _as(dataclasses.replace(rows.deleted(key, obj, done=True), notes=(note,)), "orphaned")


def _as(row: ResourceDiff, action: str) -> ResourceDiff:
    return dataclasses.replace(row, action=action)  # type: ignore[arg-type]
