"""Apply, after the writes: wait until the target's objects are healthy, and say why not.

Every desired object with a health rule (rollouts, Jobs, CRDs: ``cluster.health``) or with a
Ready condition is waited for, up to the timeout; one that never gets there is named with the
verdict and what the cluster says about it (``cluster.diagnose``: pods that cannot be
scheduled, containers that keep failing).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..cluster import health
from ..cluster.diagnose import diagnose
from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster


def wait(
    cluster: Cluster,
    resources: Mapping[ResourceKey, ApiResource],
    objects: Mapping[ResourceKey, KubeObject],
    timeout: int,
) -> tuple[list[ResourceKey], dict[ResourceKey, str]]:
    """The objects watched that became healthy, and those that did not with why; ``objects``:
    each desired object as last seen (to know which have a Ready condition)."""
    watched = {
        key: resource
        for key, resource in resources.items()
        if health.has_rule(key) or _has_ready(objects.get(key))
    }
    if not watched:
        return [], {}
    unhealthy, seen = health.wait(cluster, watched, timeout)
    why: dict[ResourceKey, str] = {}
    for key, verdict in sorted(unhealthy.items()):
        obj = seen.get(key)
        reasons = [verdict.reason, *(diagnose(cluster, obj) if obj else [])]
        when = "failed" if verdict.state == "failed" else f"not healthy after {timeout}s"
        why[key] = f"{when}: " + "; ".join(r for r in reasons if r)
    return sorted(set(watched) - set(unhealthy)), why


def _has_ready(obj: KubeObject | None) -> bool:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" for c in conditions if isinstance(c, dict))
