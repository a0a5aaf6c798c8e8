"""The risky-change rules, by name: RBAC, pod security, exposure, availability.

``evaluate`` runs the rules that apply to one object's change and returns its ``Risk``s;
``diff.compare`` calls it for every changed row. ``RULE_NAMES`` is what ``review.ignore``
in ``.gitops.yaml`` may name.
"""

from __future__ import annotations

from ...models import KubeObject, ResourceKey, Risk
from . import availability, exposure, pods, rbac
from .base import Change, Rule

RULES: tuple[Rule, ...] = (*rbac.RULES, *pods.RULES, *exposure.RULES, *availability.RULES)
RULE_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)
_BY_KIND: dict[tuple[str, str], list[Rule]] = {}
for _rule in RULES:
    for _kind in _rule.kinds:
        _BY_KIND.setdefault(_kind, []).append(_rule)


def evaluate(key: ResourceKey, old: KubeObject | None, new: KubeObject | None) -> tuple[Risk, ...]:
    """The risks in one object's change (``old`` None: created; ``new`` None: deleted)."""
    change = Change(key, old, new)
    return tuple(
        Risk(r.name, message)
        for r in _BY_KIND.get((key.group, key.kind), ())
        if r.applies(change)
        for message in r.check(change)
    )


__all__ = ["RULES", "RULE_NAMES", "Change", "Rule", "evaluate"]
