"""Plain-text reports for a terminal: what changes, each diff, and one summary line."""

from __future__ import annotations

from ..models import Report, ResourceDiff, TargetReport

_SIGNS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "drifted": "~",
    "missing": "+",
    "orphaned": "-",
}


def row_lines(row: ResourceDiff, *, diffs: bool = True) -> list[str]:
    """``~ update Kind/ns/name  (file:line)``, its warnings, notes, error and indented diff."""
    where = f"  ({row.source})" if row.source else ""
    lines = [f"{_SIGNS.get(row.action, ' ')} {row.action} {row.key}{where}"]
    lines.extend(f"    warning: {w}" for w in row.warnings)
    lines.extend(f"    note: {n}" for n in row.notes)
    lines.extend(f"    changed by: {c}" for c in row.changed_by)
    if row.error:
        lines.append(f"    error: {row.error}")
    if diffs and row.diff:
        lines.extend("    " + line for line in row.diff.rstrip("\n").split("\n"))
    return lines


def target_text(target: TargetReport, command: str, *, diffs: bool = True) -> str:
    lines = [f"== target {target.name}"]
    lines.extend(f"error: {e}" for e in target.errors)
    for row in target.resources:
        if row.action in ("unchanged", "in-sync") and not row.error:
            continue
        lines.extend(row_lines(row, diffs=diffs))
    counts = target.summary()
    lines.append(
        "   "
        + ", ".join(
            f"{counts.get(a, 0)} {label}" for a, label in _LABELS.get(command, _LABELS["plan"])
        )
    )
    return "\n".join(lines) + "\n"


_LABELS = {
    "plan": (
        ("create", "to create"),
        ("update", "to update"),
        ("delete", "to delete"),
        ("unchanged", "unchanged"),
    ),
    "verify": (
        ("drifted", "drifted"),
        ("missing", "missing"),
        ("orphaned", "orphaned"),
        ("in-sync", "in sync"),
    ),
}


def report_text(report: Report, *, diffs: bool = True) -> str:
    return "".join(target_text(t, report.command, diffs=diffs) for t in report.targets)
