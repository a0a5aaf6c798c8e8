"""The inventory record of an apply: the ApplySet parent before and after the members.

KEP-3659 asks that the parent name every group-kind and namespace of its members before any
member is written, so that a tool that stops half-way still knows where to look: ``superset``
is the old record plus everything this apply may write. After the writes, ``final`` holds the
member set with, per member, fingerprints of the rendered object and of the live values of our
fields as the server returned them, and the commit applied. Neither is written when the live
parent already says the same, so an apply that changes nothing writes nothing.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..cluster.inventory import PARENT, Member
from ..cluster.writes import apply_one
from ..errors import ApiError, ClusterError
from ..models import KubeObject, ResourceKey

if TYPE_CHECKING:
    from .engine import TargetApply


def superset(run: TargetApply) -> KubeObject:
    """The parent before any member is written: the old records, every kind and namespace."""
    keys = run.manifests.keys()
    others = {k.namespace for k in keys} - {run.old.namespace, ""}
    return run.old.parent({k.group_kind for k in keys}, others)


def final(run: TargetApply) -> KubeObject:
    inventory = dataclasses.replace(run.old, revision=run.settings.revision, members=members(run))
    return inventory.parent()


def members(run: TargetApply) -> dict[ResourceKey, Member]:
    """Per member, fingerprints of what Git said and of what the server then held."""
    inv = run.old
    out: dict[ResourceKey, Member] = {}
    for key, manifest in run.manifests.items():
        live = run.written.get(key, run.live.get(key))
        if (key in run.written or key in run.answers) and live is not None:
            out[key] = Member(
                manifest.api_version,
                inv.desired_fingerprint(manifest.obj),
                inv.live_fingerprint(live),
            )
        elif key in inv.members:  # proven unchanged by its record: the record still holds
            out[key] = inv.members[key]
    for key, (obj, _) in run.prune.kept.items():
        out[key] = inv.members.get(key) or Member(
            str(obj.get("apiVersion", "")), "", inv.live_fingerprint(obj)
        )
    return out


def write(run: TargetApply, *, written_last: bool) -> bool:
    """Apply the parent unless it already says the same; ``False`` (and the error) on failure."""
    desired = final(run) if written_last else superset(run)
    if run.parent_live is not None and _same(desired, run.parent_live):
        return True
    try:
        written = apply_one(run.cluster, run.target, desired, PARENT, dry_run=False, force=True)
    except ClusterError as err:
        run.fail(f"target {run.target.name}: writing its inventory failed: {err}", revertable=False)
        return False
    run.parent_live = written.obj
    return True


def _same(desired: KubeObject, live: KubeObject) -> bool:
    want, have = desired["metadata"], live.get("metadata") or {}
    return (
        all((have.get("labels") or {}).get(k) == v for k, v in want["labels"].items())
        and all((have.get("annotations") or {}).get(k) == v for k, v in want["annotations"].items())
        and (live.get("data") or {}) == desired["data"]
        and live.get("type") == desired["type"]
    )


def check(run: TargetApply) -> None:
    """Can the inventory be written? Asked once: a parent that exists was written before,
    and one whose Namespace this apply creates is written right after it."""
    if run.parent_live is not None or run.old.namespace in run.settler.creating:
        return
    try:
        apply_one(run.cluster, run.target, superset(run), PARENT, dry_run=True, force=True)
    except ApiError as err:
        run.fail(
            f"target {run.target.name}: cannot write its inventory, the Secret "
            f"{run.old.namespace}/{run.old.name}: {err}",
            revertable=False,
        )
