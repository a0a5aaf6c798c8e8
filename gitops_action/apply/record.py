"""The inventory record of an apply: the ApplySet parent before and after the members.

KEP-3659 asks that the parent name every group-kind and namespace of its members before any
member is written, so that a tool that stops half-way still knows where to look: ``superset``
is the old record plus everything this apply may write. After the writes, ``final`` holds the
member set with, per member, fingerprints of the rendered object and of the live values of our
fields as the server returned them, and the commit applied. Neither is written when the live
parent already says the same, so an apply that changes nothing writes nothing.

Every write of the parent is a compare and swap on what this run read: created only if there
is none (``create``), else applied at the resourceVersion read. The lease makes a lost swap
rare (a run that lost its lease); when it happens the write is refused, never merged. Right
before the final record the stale-run guard looks again at the parent as it is now, so the
recorded revision never moves back to an ancestor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..cluster.assess import Assessment, Problem
from ..cluster.inventory import PARENT, REVISION_ANNOTATION, Member
from ..cluster.prune import PrunePlan
from ..cluster.writes import Written, apply_one, rejected
from ..config import Target
from ..core.retry import RetryPolicy
from ..errors import ApiError, ClusterError, Conflict
from ..models import KubeObject, ResourceKey
from ..ports import Cluster, Repository
from . import monotonic

ONCE = RetryPolicy(attempts=1)
"""A compare and swap that fails must not be sent again: the parent changed."""


def superset(assessment: Assessment) -> KubeObject:
    """The parent before any member is written: the old records, every kind and namespace."""
    old = assessment.inventory
    keys = assessment.manifests.keys()
    others = {k.namespace for k in keys} - {old.namespace, ""}
    return old.parent({k.group_kind for k in keys}, others)


def final(
    assessment: Assessment,
    revision: str,
    written: Mapping[ResourceKey, KubeObject],
    answers: Mapping[ResourceKey, Written],
    prune: PrunePlan,
) -> KubeObject:
    """The parent after the writes: the members and the commit they came from."""
    inventory = dataclasses.replace(
        assessment.inventory,
        revision=revision,
        members=members(assessment, written, answers, prune),
    )
    return inventory.parent()


def members(
    assessment: Assessment,
    written: Mapping[ResourceKey, KubeObject],
    answers: Mapping[ResourceKey, Written],
    prune: PrunePlan,
) -> dict[ResourceKey, Member]:
    """Per member, fingerprints of what Git said and of what the server then held."""
    inv = assessment.inventory
    out: dict[ResourceKey, Member] = {}
    for key, manifest in assessment.manifests.items():
        live = written.get(key, assessment.live.get(key))
        if (key in written or key in answers) and live is not None:
            out[key] = Member(
                manifest.api_version,
                inv.desired_fingerprint(manifest.obj),
                inv.live_fingerprint(live),
                _version(live),
            )
        elif key in inv.members:  # proven unchanged by its record: the record still holds
            out[key] = inv.members[key]  # (its version too: an apply that changes nothing
            # writes nothing, not even a parent with newer versions)
    for key, (obj, _) in prune.kept.items():
        out[key] = inv.members.get(key) or Member(
            str(obj.get("apiVersion", "")), "", inv.live_fingerprint(obj)
        )
    return out


def write(
    cluster: Cluster, target: Target, desired: KubeObject, live: KubeObject | None
) -> KubeObject:
    """Write the parent unless ``live`` (as this run read or wrote it) already says the same:
    created when there was none, else applied at ``live``'s resourceVersion; the parent as it
    now is. Raises ``ClusterError`` naming the target when the write fails or the parent
    changed since ``live`` (a write whose answer was lost is read back first)."""
    if live is not None and same(desired, live):
        return live
    try:
        if live is None:
            try:
                return cluster.create(desired, PARENT)
            except ApiError as err:
                raise rejected(desired, err) from None
        swap = {**desired, "metadata": {**desired["metadata"], "resourceVersion": _version(live)}}
        return apply_one(cluster, target, swap, PARENT, dry_run=False, force=True, retry=ONCE).obj
    except Conflict:
        current = _read(cluster, desired)
        if current is not None and same(desired, current):
            return current  # our own write, whose answer was lost and the request sent again
        raise ClusterError(_changed(target, desired)) from None
    except ClusterError as err:
        raise ClusterError(f"target {target.name}: writing its inventory failed: {err}") from None


def write_final(
    cluster: Cluster,
    target: Target,
    desired: KubeObject,
    ours: KubeObject | None,
    revision: str,
    history: Repository | None,
    *,
    force: bool,
) -> KubeObject:
    """The final record, after the stale-run guard's second look at the parent as it is now:
    refused when another apply recorded a newer commit meanwhile, or changed the parent at
    all since ``ours`` (what this run last read or wrote)."""
    try:
        current = _read(cluster, desired)
    except ClusterError as err:
        raise ClusterError(f"target {target.name}: writing its inventory failed: {err}") from None
    recorded = _revision(current)
    if history is not None and recorded:
        try:
            monotonic.check(history, target.name, recorded, revision, force=force)
        except monotonic.StaleRevision:
            raise ClusterError(
                f"target {target.name}: not recorded: while this apply ran, another one "
                f"recorded {recorded[:12]}, and {revision[:12]} is its ancestor; the record "
                f"stays at {recorded[:12]}: apply that commit again, as objects written here "
                "may be older than it"
            ) from None
    if _version(current) != _version(ours):
        raise ClusterError(_changed(target, desired))
    return write(cluster, target, desired, ours)


def _changed(target: Target, desired: KubeObject) -> str:
    meta = desired["metadata"]
    return (
        f"target {target.name}: not recorded: its inventory, the Secret "
        f"{meta['namespace']}/{meta['name']}, changed while this apply ran (another apply "
        "wrote it); run the apply again"
    )


def _read(cluster: Cluster, desired: KubeObject) -> KubeObject | None:
    meta = desired["metadata"]
    return cluster.get(PARENT, str(meta["namespace"]), str(meta["name"]))


def _version(obj: KubeObject | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("resourceVersion", ""))


def _revision(obj: KubeObject | None) -> str:
    return str(
        (((obj or {}).get("metadata") or {}).get("annotations") or {}).get(REVISION_ANNOTATION, "")
    )


def same(desired: KubeObject, live: KubeObject) -> bool:
    want, have = desired["metadata"], live.get("metadata") or {}
    return (
        all((have.get("labels") or {}).get(k) == v for k, v in want["labels"].items())
        and all((have.get("annotations") or {}).get(k) == v for k, v in want["annotations"].items())
        and (live.get("data") or {}) == desired["data"]
        and live.get("type") == desired["type"]
    )


def check(cluster: Cluster, target: Target, assessment: Assessment) -> list[Problem]:
    """Can the inventory be written? Asked once: a parent that exists was written before,
    and one whose Namespace this apply creates is written right after it."""
    old = assessment.inventory
    if assessment.parent is not None or old.namespace in assessment.creating:
        return []
    try:
        apply_one(cluster, target, superset(assessment), PARENT, dry_run=True, force=True)
    except ApiError as err:
        return [
            Problem(
                f"target {target.name}: cannot write its inventory, the Secret "
                f"{old.namespace}/{old.name}: {err}"
            )
        ]
    return []
