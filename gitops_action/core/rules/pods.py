"""Pod security loosened: privileged containers, host paths and namespaces, added
capabilities, ``runAsNonRoot`` dropped, ``allowPrivilegeEscalation`` turned on.

Read from the pod template of every workload kind (``core/podspec``), containers matched by
name (init and ephemeral ones too). A new workload that is already loose is called out as
well: a new privileged pod is as risky as one that becomes privileged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..podspec import WORKLOADS, containers, items, mapping, pod_spec
from .base import Act, Change, listed, quoted, rule

Container = dict[str, Any]
HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")
HARMLESS_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
"""Allowed by the Pod Security Standard ``restricted``: not worth a warning."""


def _pairs(change: Change) -> Iterator[tuple[str, Container | None, Container]]:
    """(name, old container or None, new container) for every container of the new pod."""
    old = containers(pod_spec(change.key, change.old))
    for name, new in containers(pod_spec(change.key, change.new)).items():
        yield name, old.get(name), new


def _security(container: Container | None) -> dict[str, Any]:
    return mapping((container or {}).get("securityContext"))


def _privileged(change: Change) -> list[str]:
    return [
        f"container {quoted(name)} runs privileged: it has every access the node has"
        for name, old, new in _pairs(change)
        if _security(new).get("privileged") is True and _security(old).get("privileged") is not True
    ]


def _host_paths(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (str(v.get("name", "")), str(mapping(v.get("hostPath")).get("path", "")))
        for v in items(spec.get("volumes"))
        if "hostPath" in v
    }


def _host_path(change: Change) -> list[str]:
    before = _host_paths(pod_spec(change.key, change.old))
    return [
        f"mounts the node's path {quoted(path)} (volume {quoted(name)})"
        for name, path in sorted(_host_paths(pod_spec(change.key, change.new)) - before)
    ]


def _host_namespaces(change: Change) -> list[str]:
    old, new = pod_spec(change.key, change.old), pod_spec(change.key, change.new)
    found = [f for f in HOST_NAMESPACES if new.get(f) is True and old.get(f) is not True]
    return [f"shares the node's namespaces: {', '.join(found)}"] if found else []


def _added_capabilities(container: Container | None) -> set[str]:
    caps = mapping(_security(container).get("capabilities")).get("add")
    return {str(c) for c in caps} if isinstance(caps, list) else set()


def _capabilities(change: Change) -> list[str]:
    out = []
    for name, old, new in _pairs(change):
        gained = _added_capabilities(new) - _added_capabilities(old) - HARMLESS_CAPABILITIES
        if gained:
            out.append(f"container {quoted(name)} adds capabilities {listed(sorted(gained))}")
    return out


def _non_root(pod: dict[str, Any], container: Container | None) -> bool:
    """Whether the container must run as non-root (its own setting wins over the pod's)."""
    own = _security(container).get("runAsNonRoot")
    if own is None:
        own = mapping(pod.get("securityContext")).get("runAsNonRoot")
    return own is True


def _run_as_root(change: Change) -> list[str]:
    old_pod, new_pod = pod_spec(change.key, change.old), pod_spec(change.key, change.new)
    return [
        f"container {quoted(name)} may run as root: runAsNonRoot is no longer true"
        for name, old, new in _pairs(change)
        if old is not None and _non_root(old_pod, old) and not _non_root(new_pod, new)
    ]


def _escalation(change: Change) -> list[str]:
    out = []
    for name, old, new in _pairs(change):
        before, after = (_security(c).get("allowPrivilegeEscalation") for c in (old, new))
        # Unset means allowed: turning it on is true where it was not, or unset where false.
        if (after is True and before is not True) or (before is False and after is None):
            out.append(
                f"container {quoted(name)} allows privilege escalation "
                "(allowPrivilegeEscalation is no longer false)"
            )
    return out


_LOOSER: tuple[Act, ...] = ("create", "update")
RULES = (
    rule("pod-privileged", "a container runs privileged", WORKLOADS, _LOOSER, _privileged),
    rule("pod-host-path", "a pod mounts a path of the node (hostPath)", WORKLOADS, _LOOSER,
         _host_path),
    rule("pod-host-namespaces", "a pod shares the node's network, PIDs or IPC",
         WORKLOADS, _LOOSER, _host_namespaces),
    rule("pod-capabilities-added", "a container adds Linux capabilities (beyond NET_BIND_SERVICE)",
         WORKLOADS, _LOOSER, _capabilities),
    rule("pod-run-as-non-root-dropped", "a container no longer has to run as non-root",
         WORKLOADS, ("update",), _run_as_root),
    rule("pod-privilege-escalation", "a container's allowPrivilegeEscalation is turned on",
         WORKLOADS, _LOOSER, _escalation),
)  # fmt: skip
