"""Health: is an applied object ready, still getting there, or failed for good?

``assess`` is pure (one object in, a verdict out), with the rules of ``kubectl rollout status``
for Deployments, StatefulSets and DaemonSets, Jobs (Complete; Failed is final), CRDs
(Established), Pods, and any object with a ``Ready`` condition. ``wait`` polls a set of objects
until they are all ready, some failed for good, or the deadline passed, at one LIST per kind and
namespace per round (a GET when the group holds one object), never a GET per object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster
from .objects import fetch_live

State = Literal["ready", "waiting", "failed"]
FIRST_POLL = 0.5
MAX_POLL = 2.0


@dataclass(frozen=True)
class Health:
    state: State
    reason: str = ""


READY = Health("ready")


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _conditions(obj: KubeObject) -> dict[str, Mapping[str, Any]]:
    found = (obj.get("status") or {}).get("conditions") or []
    return {str(c.get("type")): c for c in found if isinstance(c, Mapping)}


def _says(condition: Mapping[str, Any] | None) -> str:
    if not condition:
        return ""
    text = ": ".join(str(condition[k]) for k in ("reason", "message") if condition.get(k))
    return f" ({text})" if text else ""


def _stale(obj: KubeObject) -> Health | None:
    """Waiting while the controller has not seen the latest spec (its status is old news)."""
    generation = _int((obj.get("metadata") or {}).get("generation"))
    observed = (obj.get("status") or {}).get("observedGeneration")
    if observed is not None and _int(observed) < generation:
        return Health("waiting", f"its controller has not yet seen generation {generation}")
    return None


def _deployment(obj: KubeObject, status: Mapping[str, Any]) -> Health:
    if "observedGeneration" not in status:
        return Health("waiting", "its controller has not yet seen it")
    progressing = _conditions(obj).get("Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Health("failed", f"the rollout exceeded its progress deadline{_says(progressing)}")
    if (obj.get("spec") or {}).get("paused"):
        return READY  # nothing will roll out until someone resumes it
    wanted = _int((obj.get("spec") or {}).get("replicas"), 1)
    updated, total = _int(status.get("updatedReplicas")), _int(status.get("replicas"))
    available = _int(status.get("availableReplicas"))
    if updated < wanted:
        return Health("waiting", f"{updated} of {wanted} replicas updated")
    if total > updated:
        return Health("waiting", f"{total - updated} old replicas are pending termination")
    if available < updated:
        return Health("waiting", f"{available} of {wanted} updated replicas available")
    return READY


def _statefulset(obj: KubeObject, status: Mapping[str, Any]) -> Health:
    spec = obj.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    if "observedGeneration" not in status:
        return Health("waiting", "its controller has not yet seen it")
    if strategy.get("type") == "OnDelete":
        return READY  # pods change only when someone deletes them
    wanted = _int(spec.get("replicas"), 1)
    ready, available = _int(status.get("readyReplicas")), _int(status.get("availableReplicas"))
    if ready < wanted:
        return Health("waiting", f"{ready} of {wanted} replicas ready")
    partition = _int((strategy.get("rollingUpdate") or {}).get("partition"))
    if partition:
        if _int(status.get("updatedReplicas")) < wanted - partition:
            return Health("waiting", "partitioned rolling update in progress")
    elif status.get("updateRevision") != status.get("currentRevision"):
        return Health("waiting", "rolling update in progress")
    if available < wanted:
        return Health("waiting", f"{available} of {wanted} replicas available")
    return READY


def _daemonset(obj: KubeObject, status: Mapping[str, Any]) -> Health:
    if "observedGeneration" not in status:
        return Health("waiting", "its controller has not yet seen it")
    wanted = _int(status.get("desiredNumberScheduled"))
    updated, available = (
        _int(status.get("updatedNumberScheduled")),
        _int(status.get("numberAvailable")),
    )
    if updated < wanted:
        return Health("waiting", f"{updated} of {wanted} pods updated")
    if available < wanted:
        return Health("waiting", f"{available} of {wanted} pods available")
    return READY


def _job(obj: KubeObject, status: Mapping[str, Any]) -> Health:
    conditions = _conditions(obj)
    for kind in ("Failed", "FailureTarget"):
        if (conditions.get(kind) or {}).get("status") == "True":
            return Health("failed", f"the Job failed{_says(conditions[kind])}")
    if (conditions.get("Complete") or {}).get("status") == "True":
        return READY
    if (obj.get("spec") or {}).get("suspend"):
        return READY  # a suspended Job runs when someone resumes it
    wanted = _int((obj.get("spec") or {}).get("completions"), 1)
    return Health("waiting", f"{_int(status.get('succeeded'))} of {wanted} completions")


def _crd(obj: KubeObject, status: Mapping[str, Any]) -> Health:
    conditions = _conditions(obj)
    names = conditions.get("NamesAccepted") or {}
    if names.get("status") == "False":
        return Health("failed", f"its names were not accepted{_says(names)}")
    if (conditions.get("Established") or {}).get("status") == "True":
        return READY
    return Health("waiting", "not Established yet")


def _pod(obj: KubeObject, status: Mapping[str, Any]) -> Health:
    phase = status.get("phase")
    if phase == "Succeeded":
        return READY
    if phase == "Failed":
        return Health("failed", f"the pod failed{_says(status)}")
    ready = _conditions(obj).get("Ready") or {}
    return READY if ready.get("status") == "True" else Health("waiting", f"not ready{_says(ready)}")


_RULES: dict[tuple[str, str], Callable[[KubeObject, Mapping[str, Any]], Health]] = {
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
    ("", "Pod"): _pod,
}


def has_rule(key: ResourceKey) -> bool:
    return (key.group, key.kind) in _RULES


def assess(obj: KubeObject) -> Health:
    """The verdict on one live object (objects without a rule or a Ready condition: ready)."""
    key = ResourceKey.of(obj)
    status = obj.get("status") or {}
    stale = _stale(obj)
    if stale is not None:
        return stale
    rule = _RULES.get((key.group, key.kind))
    if rule is not None:
        return rule(obj, status)
    ready = _conditions(obj).get("Ready")
    if ready is not None and ready.get("status") != "True":
        return Health("waiting", f"Ready is {ready.get('status')}{_says(ready)}")
    return READY


def wait(
    cluster: Cluster,
    watched: Mapping[ResourceKey, ApiResource],
    timeout: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[ResourceKey, Health], dict[ResourceKey, KubeObject]]:
    """Poll until every watched object is ready, or failed for good, or ``timeout`` passed.

    Returns the objects that are not ready, with why, and the last live objects seen (for
    diagnosis). Ready objects are not polled again.
    """
    deadline = clock() + timeout
    pending = dict(watched)
    verdicts: dict[ResourceKey, Health] = {}
    seen: dict[ResourceKey, KubeObject] = {}
    delay = FIRST_POLL
    while True:
        live = fetch_live(cluster, pending)
        seen.update(live)
        for key in list(pending):
            obj = live.get(key)
            verdict = assess(obj) if obj is not None else Health("waiting", "not found")
            if verdict.state == "waiting":
                verdicts[key] = verdict
                continue
            pending.pop(key)
            verdicts.pop(key, None)
            if verdict.state == "failed":
                verdicts[key] = verdict
        if not pending or clock() >= deadline:
            return verdicts, seen
        sleep(min(delay, max(deadline - clock(), 0.0)))
        delay = min(delay * 1.5, MAX_POLL)
