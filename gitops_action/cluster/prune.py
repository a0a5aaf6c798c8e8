"""Prune: delete the members of this target's ApplySet that left Git, and nothing else.

Who is a member is read from the cluster, not guessed (``inventory.member_scopes`` and
``objects.read``): the objects labelled part-of this ApplySet in every group-kind the parent
records (``contains-group-kinds``, written as a superset before any member), in the parent's
namespace and its ``additional-namespaces``, plus the kinds and namespaces of the recorded
members. Only objects that carry our exact ``part-of`` label can be deleted; protected kinds
never are.

Refusals, decided before anything is written: a desired set that is empty (a broken path or
overlay looks exactly like that), or more than ``prune-limit`` of the current members going at
once. ``--force`` overrides both for one run; raising ``prune-limit`` (up to 1) in
``.gitops.yaml`` changes the share for good; ``--no-prune`` applies without deleting.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..config import Target
from ..core.order import delete_phases
from ..errors import ApiError, ClusterError, Unreachable
from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster
from .objects import parallel

_NAMED = 10


@dataclass(frozen=True)
class PrunePlan:
    delete: dict[ResourceKey, tuple[ApiResource, KubeObject]] = field(default_factory=dict)
    kept: dict[ResourceKey, tuple[KubeObject, str]] = field(default_factory=dict)
    """Members that left Git but stay, with why."""
    members: int = 0
    """Live objects carrying this target's part-of label."""
    refusal: str = ""


def plan_prune(
    target: Target,
    members: Mapping[ResourceKey, tuple[ApiResource, KubeObject]],
    desired: Collection[ResourceKey],
    *,
    enabled: bool,
    off_reason: str,
    force: bool,
) -> PrunePlan:
    """What leaves: members not desired, minus protected kinds; or why pruning is refused."""
    delete: dict[ResourceKey, tuple[ApiResource, KubeObject]] = {}
    kept: dict[ResourceKey, tuple[KubeObject, str]] = {}
    for key, (resource, obj) in sorted(members.items()):
        if key in desired:
            continue
        if key.kind in target.protect:
            kept[key] = (obj, f"{key.kind} is a protected kind (protect in .gitops.yaml)")
        elif not enabled:
            kept[key] = (obj, off_reason)
        else:
            delete[key] = (resource, obj)
    plan = PrunePlan(delete, kept, len(members))
    if not delete or force:
        return plan
    named = ", ".join(map(str, list(delete)[:_NAMED])) + (", ..." if len(delete) > _NAMED else "")
    if not desired:
        refusal = (
            f"target {target.name} renders no objects: refusing to prune all {len(delete)} of "
            f"its members ({named}); an empty render is more often a wrong path or a broken "
            "overlay than a wish to delete everything. Nothing was written. To delete them on "
            "purpose run once with --force; to keep them, --no-prune"
        )
    elif len(delete) > target.prune_limit * len(members):
        refusal = (
            f"target {target.name}: refusing to prune {len(delete)} of {len(members)} members "
            f"({len(delete) / len(members):.0%}), more than its prune-limit of "
            f"{target.prune_limit:g} ({target.prune_limit:.0%}): {named}. Nothing was "
            "written. If these deletions are meant, raise prune-limit for this target in "
            ".gitops.yaml (up to 1), or run once with --force; --no-prune applies the rest "
            "without deleting"
        )
    else:
        return plan
    return dataclasses.replace(plan, refusal=refusal)


def check_deletions(cluster: Cluster, plan: PrunePlan) -> dict[ResourceKey, str]:
    """Server dry-run of every deletion (RBAC, admission), before anything is written: what
    the server rejected. A server that cannot be reached raises, once for all of them."""
    run = _delete_all(cluster, plan, dry_run=True)
    if run.unreachable:
        raise run.unreachable
    return run.failures


@dataclass(frozen=True)
class Deletions:
    """What a prune did: deleted, rejected by the server (why), and the deletions whose
    outcome is unknown because the server could not be reached (``unreachable``: the error)."""

    deleted: list[ResourceKey]
    failures: dict[ResourceKey, str]
    unknown: list[ResourceKey]
    unreachable: ClusterError | None


def execute(cluster: Cluster, plan: PrunePlan) -> Deletions:
    """Delete in reverse apply order, each phase in parallel, stopping after a phase where one
    failed (later phases hold what the failed ones may depend on)."""
    return _delete_all(cluster, plan, dry_run=False)


def _delete_all(cluster: Cluster, plan: PrunePlan, *, dry_run: bool) -> Deletions:
    deleted: list[ResourceKey] = []
    failures: dict[ResourceKey, str] = {}
    unknown: list[ResourceKey] = []
    unreachable: ClusterError | None = None
    away = threading.Event()  # the server stopped answering: send nothing more

    def delete(key: ResourceKey) -> ClusterError | Literal[False] | None:
        if away.is_set():
            return False  # never sent
        resource, _ = plan.delete[key]
        try:
            cluster.delete(resource, key.namespace, key.name, dry_run=dry_run)
        except ClusterError as err:
            if not isinstance(err, ApiError):
                away.set()
            return err
        return None

    for _, keys in delete_phases(plan.delete):
        for key, error in zip(keys, parallel(delete, keys), strict=True):
            if error is None:
                deleted.append(key)
            elif isinstance(error, ApiError):
                failures[key] = str(error)
            elif error is not False:  # no answer: deleted or not, unless never sent
                unreachable = unreachable or error
                if not isinstance(error, Unreachable) or error.sent:
                    unknown.append(key)
        if failures or unreachable:
            break
    return Deletions(deleted, failures, unknown, unreachable)


def keep(plan: PrunePlan, keys: Collection[ResourceKey], reason: str) -> PrunePlan:
    """The plan with ``keys`` moved from deletions to members that stay, with why."""
    kept = dict(plan.kept)
    kept.update({k: (plan.delete[k][1], reason) for k in keys if k in plan.delete})
    delete = {k: v for k, v in plan.delete.items() if k not in keys}
    return dataclasses.replace(plan, delete=delete, kept=kept)
