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
from collections.abc import Mapping

from ..cluster.assess import Assessment, Problem
from ..cluster.inventory import PARENT, Member
from ..cluster.prune import PrunePlan
from ..cluster.writes import Written, apply_one
from ..config import Target
from ..errors import ApiError, ClusterError
from ..models import KubeObject, ResourceKey
from ..ports import Cluster


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
            )
        elif key in inv.members:  # proven unchanged by its record: the record still holds
            out[key] = inv.members[key]
    for key, (obj, _) in prune.kept.items():
        out[key] = inv.members.get(key) or Member(
            str(obj.get("apiVersion", "")), "", inv.live_fingerprint(obj)
        )
    return out


def write(
    cluster: Cluster, target: Target, desired: KubeObject, live: KubeObject | None
) -> KubeObject:
    """Apply the parent unless ``live`` already says the same; the parent as it now is.
    Raises ``ClusterError`` naming the target when the write fails."""
    if live is not None and same(desired, live):
        return live
    try:
        return apply_one(cluster, target, desired, PARENT, dry_run=False, force=True).obj
    except ClusterError as err:
        raise ClusterError(f"target {target.name}: writing its inventory failed: {err}") from None


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
