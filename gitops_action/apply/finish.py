"""After the writes: wait for health, prune, and record the inventory (``record``).

Pruning runs only when everything else succeeded, health included: a failed rollout keeps
the objects that left Git, so that reverting the commit finds them where they were. The
final record (members with fingerprints, the commit) is written when every object was applied,
healthy or not, since the cluster then runs this commit; when the apply stopped half-way it is
not, so nothing is recorded as applied that was not (the superset parent written first still
lets the next run find and prune every labelled member).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..cluster import health
from ..cluster.diagnose import diagnose
from ..models import KubeObject
from . import prune as pruning
from . import record

if TYPE_CHECKING:
    from .engine import TargetApply


def finish(run: TargetApply) -> None:
    wait = run.target.wait if run.settings.wait is None else run.settings.wait
    healthy = wait_healthy(run) if wait else True
    if healthy:
        prune(run)
    else:
        reason = "not pruned: the apply failed its health checks"
        run.prune = pruning.keep(run.prune, set(run.prune.delete), reason)
    if record.write(run, written_last=True):
        run.progress.recorded = True


def wait_healthy(run: TargetApply) -> bool:
    """Wait for every desired object that has a health rule or a Ready condition."""
    watched = {
        key: resource
        for key, resource in run.resources.items()
        if health.has_rule(key) or _has_ready(run.written.get(key, run.live.get(key)))
    }
    if not watched:
        return True
    unhealthy, seen = health.wait(run.cluster, watched, run.timeout)
    for key, verdict in sorted(unhealthy.items()):
        obj = seen.get(key)
        reasons = [verdict.reason, *(diagnose(run.cluster, obj) if obj else [])]
        when = "failed" if verdict.state == "failed" else f"not healthy after {run.timeout}s"
        message = f"{when}: " + "; ".join(r for r in reasons if r)
        run.rows[key] = dataclasses.replace(run.rows[key], error=message)
        run.fail(f"{run.manifests[key].describe()}: {message}", revertable=True)
    return not unhealthy


def _has_ready(obj: KubeObject | None) -> bool:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" for c in conditions if isinstance(c, dict))


def prune(run: TargetApply) -> None:
    deleted, failures = pruning.execute(run.cluster, run.prune)
    run.progress.pruned = deleted
    for key, error in failures.items():
        run.fail(f"{key}: pruning it failed: {error}", revertable=False)
    left = set(run.prune.delete) - set(deleted)
    if left:
        run.prune = pruning.keep(run.prune, left, "its deletion failed or was not reached")
