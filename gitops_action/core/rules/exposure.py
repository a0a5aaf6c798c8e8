"""Exposure: a Service reachable from outside the cluster, an Ingress serving a new host, a
NetworkPolicy deleted or loosened.

A NetworkPolicy is loosened when it stops isolating a direction (``policyTypes``) or gains an
ingress or egress rule it did not have (a changed rule counts: it may let more in, and a
reviewer should look). Removing rules only tightens it. A change of ``podSelector`` is not
judged: it moves the isolation from some pods to others.
"""

from __future__ import annotations

from typing import Any

from ...models import KubeObject
from ..podspec import items, mapping
from .base import Change, listed, quoted, rule

SERVICE = frozenset({("", "Service")})
INGRESS = frozenset({("networking.k8s.io", "Ingress"), ("extensions", "Ingress")})
NETWORK_POLICY = frozenset({("networking.k8s.io", "NetworkPolicy")})
_REACH = {"NodePort": 1, "LoadBalancer": 2}
"""How far a Service type reaches beyond the cluster (others: 0)."""


def _service_type(obj: KubeObject | None) -> str:
    return str(mapping((obj or {}).get("spec")).get("type") or "ClusterIP")


def _service(change: Change) -> list[str]:
    old, new = _service_type(change.old), _service_type(change.new)
    if _REACH.get(new, 0) <= (_REACH.get(old, 0) if change.old is not None else 0):
        return []
    where = "on every node's IP" if new == "NodePort" else "through an external load balancer"
    return [f"becomes reachable from outside the cluster: type {new} ({where})"]


def _hosts(obj: KubeObject | None) -> set[str]:
    rules = items(mapping((obj or {}).get("spec")).get("rules"))
    return {str(r.get("host") or "*") for r in rules}


def _ingress(change: Change) -> list[str]:
    added = sorted(_hosts(change.new) - _hosts(change.old))
    return [f"serves new hosts: {listed(map(quoted, added))}"] if added else []


def _policy_types(spec: dict[str, Any]) -> set[str]:
    declared = spec.get("policyTypes")
    if isinstance(declared, list):
        return {str(t) for t in declared}
    # Unset: Ingress always, Egress when the policy has egress rules (the API's default).
    return {"Ingress", *(["Egress"] if "egress" in spec else [])}


def _network_policy(change: Change) -> list[str]:
    if change.new is None:
        return ["deleted: the pods it selected accept and send traffic it blocked"]
    old, new = mapping((change.old or {}).get("spec")), mapping(change.new.get("spec"))
    out = []
    dropped = sorted(_policy_types(old) - _policy_types(new))
    if dropped:
        out.append(f"no longer restricts {listed(t.lower() for t in dropped)} traffic")
    for direction in ("ingress", "egress"):
        before = items(old.get(direction))
        added = [r for r in items(new.get(direction)) if r not in before]
        if any(not r for r in added):
            out.append(f"allows all {direction} traffic (an empty rule)")
        elif added:
            out.append(f"allows more {direction} traffic: {len(added)} rule(s) added or changed")
    return out


RULES = (
    rule("service-exposed", "a Service becomes NodePort or LoadBalancer", SERVICE,
         ("create", "update"), _service),
    rule("ingress-host-added", "an Ingress serves a host it did not", INGRESS,
         ("create", "update"), _ingress),
    rule("network-policy-loosened", "a NetworkPolicy is deleted, stops isolating a direction or "
         "gains rules", NETWORK_POLICY, ("update", "delete"), _network_policy),
)  # fmt: skip
