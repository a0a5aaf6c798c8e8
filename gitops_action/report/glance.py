"""At a glance: what a target's rows change, gathered: images (old -> new), replicas,
resource requests and limits, Secret keys rotated (names only), objects created and deleted,
the risky changes and the warnings, each with the objects it concerns.

Pure, over any ``TargetReport``: plan rows (create, update, delete) and verify rows (missing,
orphaned, drifted) alike; the facts and risks come from ``diff.compare``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..core.diff import SECRET_KEYS_CHANGED, deletion_warning
from ..core.rules import RULE_NAMES
from ..models import Fact, ResourceDiff, ResourceKey, TargetReport
from .groups import shown

COUNTED = {"create": "Created", "missing": "Missing"}
"""Actions summed up by kind (``3 Deployments``)."""
LISTED = {"delete": "Deleted", "orphaned": "Orphaned"}
"""Actions whose objects are named, one by one."""
_RULE_ORDER = {name: index for index, name in enumerate(RULE_NAMES)}
"""Risks at a glance in the order of the rules: RBAC, pods, exposure, availability."""


@dataclass(frozen=True)
class Line:
    """One line of the section: the same ``old`` -> ``new`` (of ``label``: a field, a
    Secret key, a rule), or one message, on ``keys``."""

    keys: tuple[ResourceKey, ...]
    label: str = ""
    old: str = ""
    new: str = ""
    message: str = ""

    def kinds(self) -> list[tuple[str, int]]:
        return kinds(self.keys)


@dataclass(frozen=True)
class Glance:
    images: tuple[Line, ...] = ()
    replicas: tuple[Line, ...] = ()
    resources: tuple[Line, ...] = ()
    secrets: tuple[Line, ...] = ()
    """``label``: a key's name, ``new``: added, changed or removed."""
    actions: tuple[tuple[str, Line], ...] = ()
    """(``Created``, ``Deleted``, ...: the objects), in that order."""
    risks: tuple[Line, ...] = ()
    """``label``: the rule; in the rules' order (RBAC, pods, exposure, availability)."""
    warnings: tuple[Line, ...] = ()

    @property
    def changes(self) -> bool:
        return any((self.images, self.replicas, self.resources, self.secrets, self.actions))

    def __bool__(self) -> bool:
        return self.changes or bool(self.risks or self.warnings)


def glance(target: TargetReport) -> Glance:
    rows = shown(target)
    return Glance(
        images=_gather(rows, "image", lambda f: ("", f.old, f.new)),
        replicas=_gather(rows, "replicas", lambda f: ("", f.old, f.new)),
        resources=_gather(rows, "resources", lambda f: (f.field, f.old, f.new)),
        secrets=_gather(rows, "secret-key", lambda f: (f.field, "", f.new)),
        actions=tuple(
            (label, Line(tuple(r.key for r in rows if r.action == action)))
            for action, label in {**LISTED, **COUNTED}.items()
            if any(r.action == action for r in rows)
        ),
        risks=tuple(sorted(_lines(_risks(rows)), key=lambda line: _RULE_ORDER.get(line.label, 99))),
        warnings=_lines(
            (row.key, ("", "", "", _aside(w, row.key)))
            for row in rows
            for w in row.warnings
            if not _elsewhere(w, row)
        ),
    )


def kinds(keys: Iterable[ResourceKey]) -> list[tuple[str, int]]:
    """(kind, how many) in order of first appearance."""
    counts: dict[str, int] = {}
    for key in keys:
        counts[key.kind] = counts.get(key.kind, 0) + 1
    return list(counts.items())


def plural(kind: str, count: int) -> str:
    """``Deployment`` -> ``Deployments``, ``Ingress`` -> ``Ingresses``, ``NetworkPolicy`` ->
    ``NetworkPolicies`` (when ``count`` is not 1)."""
    if count == 1:
        return kind
    if kind.endswith(("s", "x", "sh", "ch")):
        return kind + "es"
    if kind.endswith("y") and kind[-2:-1] not in tuple("aeiou"):
        return kind[:-1] + "ies"
    return kind + "s"


_Part = Callable[[Fact], tuple[str, str, str]]
"""A fact's (label, old, new) as its line shows them."""


def _gather(rows: list[ResourceDiff], what: str, part: _Part) -> tuple[Line, ...]:
    return _lines(
        (row.key, (*part(fact), "")) for row in rows for fact in row.facts if fact.what == what
    )


def _lines(found: Iterable[tuple[ResourceKey, tuple[str, str, str, str]]]) -> tuple[Line, ...]:
    """One line per distinct (label, old, new, message), with its objects, each once."""
    keys: dict[tuple[str, str, str, str], dict[ResourceKey, None]] = {}
    for key, line in found:
        keys.setdefault(line, {})[key] = None
    return tuple(
        Line(tuple(k), label=label, old=old, new=new, message=message)
        for (label, old, new, message), k in keys.items()
    )


def _risks(rows: list[ResourceDiff]) -> Iterable[tuple[ResourceKey, tuple[str, str, str, str]]]:
    return ((row.key, (r.rule, "", "", r.message)) for row in rows for r in row.risks)


def _elsewhere(warning: str, row: ResourceDiff) -> bool:
    """Warnings the section already shows in its own way: deletions, Secret keys."""
    return warning == deletion_warning(row.key) or warning.startswith(SECRET_KEYS_CHANGED)


def _aside(warning: str, key: ResourceKey) -> str:
    """A warning's text without its own object's name, so that objects share one line."""
    return warning.replace(str(key), "it")
