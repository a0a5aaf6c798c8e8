"""Availability: scaled to zero, a PodDisruptionBudget removed, and the changes the API server
refuses in place (a workload's selector, a StatefulSet's volumeClaimTemplates), which need the
object deleted and re-created, its pods with it.

The immutable-field warnings (``core/immutable``) say that apply will fail; these rules say
what working around it costs, and can be switched off on their own.
"""

from __future__ import annotations

from ..podspec import SCALABLE, mapping, replicas
from .base import Change, rule

PDB = frozenset({("policy", "PodDisruptionBudget")})
SELECTED = frozenset(
    {("apps", "Deployment"), ("apps", "DaemonSet"), ("apps", "ReplicaSet"), ("apps", "StatefulSet")}
)
STATEFULSET = frozenset({("apps", "StatefulSet")})


def _to_zero(change: Change) -> list[str]:
    before, after = replicas(change.key, change.old), replicas(change.key, change.new)
    if after == 0 and before:
        return [f"scales to 0 replicas (from {before}): nothing will serve"]
    return []


def _pdb(change: Change) -> list[str]:
    return ["deleted: node drains and upgrades may then evict every pod it protected at once"]


def _spec_field(change: Change, field: str) -> tuple[object, object]:
    def get(obj: object) -> object:
        return mapping(mapping(obj).get("spec")).get(field)

    return get(change.old), get(change.new)


def _selector(change: Change) -> list[str]:
    before, after = _spec_field(change, "selector")
    if before is None or after is None or before == after:
        return []
    return [
        f"spec.selector changes: the {change.key.kind} must be deleted and re-created to "
        "apply it, and its pods go with it"
    ]


def _claims(change: Change) -> list[str]:
    before, after = _spec_field(change, "volumeClaimTemplates")
    if before == after:
        return []
    return [
        "spec.volumeClaimTemplates changes: the StatefulSet must be deleted and re-created "
        "to apply it; its pods go with it, its existing claims stay"
    ]


RULES = (
    rule("replicas-to-zero", "a Deployment, StatefulSet or ReplicaSet scales to 0", SCALABLE,
         ("update",), _to_zero),
    rule("pdb-removed", "a PodDisruptionBudget is deleted", PDB, ("delete",), _pdb),
    rule("selector-changed", "a Deployment's (DaemonSet's, ReplicaSet's, StatefulSet's) "
         "selector changes",
         SELECTED, ("update",), _selector),
    rule("statefulset-claims-changed", "a StatefulSet's volumeClaimTemplates change",
         STATEFULSET, ("update",), _claims),
)  # fmt: skip
