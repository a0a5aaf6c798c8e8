"""The ``--output-json`` report (a contract: see DESIGN.md "JSON report").

Additive fields: ``risks`` on every row (``[]`` when none); ``group`` only on the rows that
share their change with another row of the target (the same id on each of them); ``status``
on every row of an apply (``apply/status.py``: what the run did to the object), never on plan,
verify or ``apply --dry-run`` rows.
"""

from __future__ import annotations

import json
from typing import Any

from ..models import Change, Report, TargetReport
from .groups import group_ids
from .reviewed import reviewed_json

VERSION = 1
_SUMMARY_KEYS = {
    "verify": ("in-sync", "drifted", "missing", "orphaned"),
}
_PLAN_KEYS = ("create", "update", "delete", "unchanged")


def target_json(target: TargetReport, command: str) -> dict[str, Any]:
    counts = target.summary()
    keys = _SUMMARY_KEYS.get(command, _PLAN_KEYS)
    resources = []
    groups = group_ids(target)
    for row in target.resources:
        item: dict[str, Any] = {
            "apiVersion": row.api_version,
            "kind": row.key.kind,
            "namespace": row.key.namespace,
            "name": row.key.name,
            "action": row.action,
            **({"status": row.status} if row.status else {}),
            "diff": row.diff,
            "warnings": list(row.warnings),
            "risks": [{"rule": r.rule, "message": r.message} for r in row.risks],
        }
        if row.notes:
            item["notes"] = list(row.notes)
        if row.adopt:
            item["adopt"] = True
        if row.drift:
            item["drift"] = True
        if row.changed_by:
            item["changed_by"] = [_change(c) for c in row.changed_by]
        if row.key in groups:
            item["group"] = groups[row.key]
        if row.source:
            item["source"] = str(row.source)
        if row.error:
            item["error"] = row.error
        resources.append(item)
    errors = list(target.errors) + [
        f"{r.source}: {r.key}: {r.error}" if r.source else f"{r.key}: {r.error}"
        for r in target.resources
        if r.error
    ]
    summary = {k: counts.get(k, 0) for k in keys}
    if keys == _PLAN_KEYS:
        summary["adopt"] = sum(1 for r in target.resources if r.adopt)
    out = {"name": target.name, "summary": summary, "resources": resources, "errors": errors}
    if target.reviewed is not None:  # apply on a push: additive
        out["reviewed"] = reviewed_json(target.reviewed)
    return out


def _change(change: Change) -> dict[str, str]:
    out = {"manager": change.manager, "operation": change.operation, "time": change.time}
    if change.subresource:
        out["subresource"] = change.subresource
    return out


def report_json(report: Report) -> dict[str, Any]:
    return {
        "version": VERSION,
        "command": report.command,
        "revision": report.revision,
        "targets": [target_json(t, report.command) for t in report.targets],
    }


def dumps(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
