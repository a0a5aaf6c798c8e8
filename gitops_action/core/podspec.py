"""Where the pod template sits in each workload kind, and its containers by name.

The review rules and the at-a-glance facts read pods the same way whatever carries them: a
Pod, a Deployment's template, a CronJob's job template. Pure reads of normalized objects.
"""

from __future__ import annotations

from typing import Any

from ..models import KubeObject, ResourceKey

_TEMPLATE = ("spec", "template", "spec")
POD_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): ("spec",),
    ("", "PodTemplate"): ("template", "spec"),
    ("", "ReplicationController"): _TEMPLATE,
    ("apps", "Deployment"): _TEMPLATE,
    ("apps", "StatefulSet"): _TEMPLATE,
    ("apps", "DaemonSet"): _TEMPLATE,
    ("apps", "ReplicaSet"): _TEMPLATE,
    ("batch", "Job"): _TEMPLATE,
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""(group, kind) -> the path of its pod spec."""
WORKLOADS = frozenset(POD_PATHS)

SCALABLE = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "ReplicaSet"),
        ("", "ReplicationController"),
    }
)
"""Kinds with ``spec.replicas`` (default 1)."""

CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one: manifests may hold anything."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list, skipping anything else."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def pod_spec(key: ResourceKey, obj: KubeObject | None) -> dict[str, Any]:
    """The pod spec of a workload (empty when ``obj`` is none or not a workload)."""
    node: Any = obj
    for step in POD_PATHS.get((key.group, key.kind), ()) if obj is not None else ("",):
        node = mapping(node).get(step)
    return mapping(node)


def containers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every container of a pod spec (init, app, ephemeral) by name."""
    out: dict[str, dict[str, Any]] = {}
    for field in CONTAINER_LISTS:
        for container in items(spec.get(field)):
            out[str(container.get("name", ""))] = container
    return out


def replicas(key: ResourceKey, obj: KubeObject | None) -> int | None:
    """``spec.replicas`` of a scalable kind (1 when unset, as the API server defaults it);
    ``None`` for other kinds, for no object, or a value that is not a number."""
    if obj is None or (key.group, key.kind) not in SCALABLE:
        return None
    value = mapping(obj.get("spec")).get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
