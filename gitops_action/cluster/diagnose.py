"""Why a workload is not ready: what its pods say.

A Deployment stuck at "0 of 1 replicas available" tells nobody what to fix; its pods do. For
each workload that timed out we LIST its pods once (by its selector) and report what stops
them: the scheduler's verdict (``0/1 nodes are available: 1 Insufficient cpu.``), a container
waiting (``ImagePullBackOff``, ``CrashLoopBackOff``) or exited, and the workload's own failure
conditions (a ReplicaSet that cannot create pods: quota, admission).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..errors import ClusterError
from ..models import KubeObject
from ..ports import ApiResource, Cluster

PODS = ApiResource(group="", version="v1", kind="Pod", plural="pods", namespaced=True)
_WORKLOADS = {
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("batch", "Job"),
}
_SHOWN = 3
_QUIET_WAITING = {"ContainerCreating", "PodInitializing"}


def selector(spec_selector: Mapping[str, Any]) -> str:
    """A LabelSelector object as a label selector string."""
    parts = [f"{k}={v}" for k, v in sorted((spec_selector.get("matchLabels") or {}).items())]
    for expr in spec_selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def pod_problem(pod: KubeObject) -> str:
    """What keeps one pod from being ready; ``""`` when nothing explains it (yet)."""
    status = pod.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    scheduled = conditions.get("PodScheduled") or {}
    if scheduled.get("status") == "False":
        return f"{scheduled.get('reason') or 'Unschedulable'}: {scheduled.get('message', '')}"
    statuses = [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]
    for container in statuses:
        state = container.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("reason") not in _QUIET_WAITING:
            text = ": ".join(str(waiting[k]) for k in ("reason", "message") if waiting.get(k))
            return f"container {container.get('name')}: {text}"
        if terminated and terminated.get("exitCode", 0) != 0:
            return (
                f"container {container.get('name')} exited with code {terminated.get('exitCode')}"
                f" ({terminated.get('reason', 'Error')})"
            )
    ready = conditions.get("Ready") or {}
    if ready.get("status") == "False" and ready.get("message"):
        return f"not ready: {ready['message']}"
    return ""


def _failure_conditions(obj: KubeObject) -> list[str]:
    out = []
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "ReplicaFailure" and condition.get("status") == "True":
            out.append(f"{condition.get('reason')}: {condition.get('message')}")
    return out


def diagnose(cluster: Cluster, obj: KubeObject) -> list[str]:
    """Reasons, most telling first; empty for kinds without pods or when the pods look fine."""
    kind = (str(obj.get("apiVersion", "")).rpartition("/")[0], str(obj.get("kind", "")))
    if kind not in _WORKLOADS:
        return []
    reasons = _failure_conditions(obj)
    wanted = selector((obj.get("spec") or {}).get("selector") or {})
    namespace = str((obj.get("metadata") or {}).get("namespace", ""))
    if not wanted:
        return reasons
    try:
        pods = cluster.list(PODS, namespace, label_selector=wanted)
    except ClusterError as err:  # diagnosis must not hide the failure it explains
        return [*reasons, f"(could not list its pods: {err})"]
    named: dict[str, list[str]] = {}
    for pod in pods:
        problem = pod_problem(pod)
        if problem:
            named.setdefault(problem, []).append(str((pod.get("metadata") or {}).get("name")))
    problems = Counter({problem: len(names) for problem, names in named.items()})
    for problem, count in problems.most_common(_SHOWN):
        first = named[problem][0]
        who = f"pod {first}" if count == 1 else f"{count} pods ({first}, ...)"
        reasons.append(f"{who}: {problem}")
    if len(problems) > _SHOWN:
        reasons.append(f"and {len(problems) - _SHOWN} other pod problems")
    if not pods and not reasons:
        reasons.append("no pods were created")
    return reasons
