"""A target's rows as a reviewer gets them: the risks that take the whole plan to see, and
without the rules the target switched off (``review.ignore`` in ``.gitops.yaml``).

``diff.compare`` finds the risks of each object on its own. One rule needs two rows: a binding
is risky when the role it refers to grants bind, escalate or impersonate, and that role's
rules are known when it is in the same plan (changed or not). ``review`` is pure and
idempotent; the commands call it once per target, before the report is rendered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from ..models import ResourceDiff, Risk, TargetReport

BINDING_RULE = "rbac-powerful-binding"
_GONE = ("delete", "orphaned")


def review(target: TargetReport, ignore: Collection[str] = ()) -> TargetReport:
    """``target`` with risky bindings to the plan's own powerful roles called out, and the
    risks of the ``ignore``d rules dropped."""
    powers = {
        str(row.key): fact.new
        for row in target.resources
        if row.action not in _GONE
        for fact in row.facts
        if fact.what == "grants"
    }
    rows = tuple(_reviewed(row, powers, ignore) for row in target.resources)
    return dataclasses.replace(target, resources=rows)


def _reviewed(row: ResourceDiff, powers: dict[str, str], ignore: Collection[str]) -> ResourceDiff:
    risks = list(row.risks)
    for fact in row.facts:
        verbs = powers.get(fact.new) if fact.what == "binds" else None
        if verbs and not any(r.rule == BINDING_RULE for r in risks):
            risks.append(
                Risk(
                    BINDING_RULE,
                    f"binds {fact.new}, which grants {verbs.replace(',', ', ')} (in this plan), "
                    f"to {fact.field}",
                )
            )
    kept = tuple(r for r in risks if r.rule not in ignore)
    return row if kept == row.risks else dataclasses.replace(row, risks=kept)
