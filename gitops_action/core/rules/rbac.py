"""RBAC widened: new verbs or resources, a ``*``, powerful verbs, a binding to a powerful role.

A binding's role is known here only when it is built in (``cluster-admin``, and ``admin`` and
``edit``, which may impersonate ServiceAccounts). Otherwise the binding records a ``binds``
fact and a Role or ClusterRole records a ``grants`` fact, and ``core/review`` matches the two
across the plan's rows. A role that is neither built in nor in the plan is not judged (its
rules are nowhere to read), and the binding is not called out.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ...models import Fact, KubeObject, ResourceKey
from ..podspec import items, mapping
from .base import Change, listed, quoted, rule

RBAC = "rbac.authorization.k8s.io"
ROLES = frozenset({(RBAC, "Role"), (RBAC, "ClusterRole")})
BINDINGS = frozenset({(RBAC, "RoleBinding"), (RBAC, "ClusterRoleBinding")})
POWERFUL_VERBS = frozenset({"bind", "escalate", "impersonate", "*"})
BUILTIN_POWERFUL = {
    "cluster-admin": "every permission in the cluster",
    "admin": "impersonate on ServiceAccounts",
    "edit": "impersonate on ServiceAccounts",
}
"""Built-in ClusterRoles that are powerful, and why; their rules are not in any plan."""


class Grant(NamedTuple):
    """One verb on one resource (or non-resource URL); ``names`` empty means every object."""

    group: str
    resource: str
    verb: str
    names: frozenset[str]

    def within(self, other: Grant) -> bool:
        """Whether ``other`` already allows everything this allows."""
        return (
            other.group in ("*", self.group)
            and other.resource in ("*", self.resource)
            and other.verb in ("*", self.verb)
            and (not other.names or (bool(self.names) and self.names <= other.names))
        )

    @property
    def wildcard(self) -> bool:
        return "*" in (self.group, self.resource, self.verb)

    def __str__(self) -> str:
        group = f".{self.group}" if self.group else ""
        return f"{self.verb} on {self.resource}{group}"


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def grants(obj: KubeObject | None) -> set[Grant]:
    """Every (group, resource, verb, names) a Role or ClusterRole allows."""
    out: set[Grant] = set()
    for item in items((obj or {}).get("rules")):
        names = frozenset(_strings(item.get("resourceNames")))
        for verb in _strings(item.get("verbs")):
            for group in _strings(item.get("apiGroups")) or [""]:
                for resource in _strings(item.get("resources")):
                    out.add(Grant(group, resource, verb, names))
            for url in _strings(item.get("nonResourceURLs")):
                out.add(Grant("", url, verb, frozenset()))
    return out


def added(change: Change) -> list[Grant]:
    """What the new version allows that the old did not, in a stable order."""
    old = grants(change.old)
    return sorted(g for g in grants(change.new) if not any(g.within(o) for o in old))


def _wildcards(change: Change) -> list[str]:
    found = [g for g in added(change) if g.wildcard]
    return [f'grants "*": {listed(map(str, found))}'] if found else []


def _powerful(change: Change) -> list[str]:
    found = [g for g in added(change) if g.verb in POWERFUL_VERBS - {"*"}]
    if not found:
        return []
    return [
        f"grants {listed(map(str, found))}: whoever holds it can gain permissions it was not given"
    ]


def _more(change: Change) -> list[str]:
    found = [g for g in added(change) if not g.wildcard and g.verb not in POWERFUL_VERBS]
    return [f"grants more: {listed(map(str, found))}"] if found else []


def role_of(binding: KubeObject, key: ResourceKey) -> ResourceKey:
    """The Role or ClusterRole a binding refers to, as a key."""
    ref = mapping(binding.get("roleRef"))
    kind = str(ref.get("kind", ""))
    namespace = key.namespace if kind == "Role" else ""
    return ResourceKey(RBAC, kind, namespace, str(ref.get("name", "")))


def new_subjects(change: Change) -> list[str]:
    """Who a binding gives its role to that it did not before (all, when its role changed)."""
    if change.new is None:
        return []
    old = change.old or {}
    before = items(old.get("subjects")) if old.get("roleRef") == change.new.get("roleRef") else []
    return [
        f"{s.get('kind', '')} {quoted(s.get('name', ''))}"
        for s in items(change.new.get("subjects"))
        if s not in before
    ]


def _binding(change: Change) -> list[str]:
    if change.new is None:
        return []
    role = role_of(change.new, change.key)
    why = BUILTIN_POWERFUL.get(role.name) if role.kind == "ClusterRole" else None
    subjects = new_subjects(change)
    if why is None or not subjects:
        return []
    return [f"binds ClusterRole {quoted(role.name)} ({why}) to {listed(subjects)}"]


def rbac_facts(change: Change) -> list[Fact]:
    """``grants`` for a role with powerful verbs (whether it changed or not), ``binds`` for a
    binding that gives a role to new subjects: what ``core/review`` matches across rows."""
    key, new = change.key, change.new
    if new is None:
        return []
    if (key.group, key.kind) in ROLES:
        verbs = sorted({g.verb for g in grants(new)} & POWERFUL_VERBS)
        return [Fact("grants", new=",".join(verbs))] if verbs else []
    if (key.group, key.kind) in BINDINGS:
        subjects = new_subjects(change)
        if subjects:
            return [Fact("binds", field=listed(subjects), new=str(role_of(new, key)))]
    return []


RULES = (
    rule("rbac-wildcard", "a role newly grants a `*` (verb, resource or API group)",
         ROLES, ("create", "update"), _wildcards),
    rule("rbac-escalation-verbs", "a role newly grants bind, escalate or impersonate",
         ROLES, ("create", "update"), _powerful),
    rule("rbac-new-permissions", "a role grants verbs or resources it did not",
         ROLES, ("update",), _more),
    rule("rbac-powerful-binding",
         "a binding gives cluster-admin (or admin, edit), or a role of the same plan that "
         "grants bind, escalate or impersonate, to new subjects",
         BINDINGS, ("create", "update"), _binding),
)  # fmt: skip
