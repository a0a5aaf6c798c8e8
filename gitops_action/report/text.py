"""Plain-text reports for a terminal: what changes at a glance, each diff, one summary line."""

from __future__ import annotations

from ..models import Report, ResourceDiff, ResourceKey, TargetReport
from .glance import LISTED, Line, glance, plural
from .groups import shown

_SIGNS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "drifted": "~",
    "missing": "+",
    "orphaned": "-",
}
NAMED = 5
"""Objects named on one line of the glance before "and N more"."""


def row_lines(row: ResourceDiff, *, diffs: bool = True) -> list[str]:
    """``~ update Kind/ns/name  (file:line)``, its risks, warnings, notes, error and indented
    diff."""
    where = f"  ({row.source})" if row.source else ""
    lines = [f"{_SIGNS.get(row.action, ' ')} {row.action} {row.key}{where}"]
    lines.extend(f"    risk {r.rule}: {r.message}" for r in row.risks)
    lines.extend(f"    warning: {w}" for w in row.warnings)
    lines.extend(f"    note: {n}" for n in row.notes)
    lines.extend(f"    changed by: {c}" for c in row.changed_by)
    if row.error:
        lines.append(f"    error: {row.error}")
    if diffs and row.diff:
        lines.extend("    " + line for line in row.diff.rstrip("\n").split("\n"))
    return lines


def named(keys: tuple[ResourceKey, ...], limit: int = NAMED) -> str:
    """``a, b, c and 2 more``."""
    shown = ", ".join(map(str, keys[:limit]))
    return f"{shown} and {len(keys) - limit} more" if len(keys) > limit else shown


def counted(line: Line) -> str:
    """``50 Deployments, 2 StatefulSets``."""
    return ", ".join(f"{n} {plural(kind, n)}" for kind, n in line.kinds())


def glance_lines(target: TargetReport) -> list[str]:
    """The at-a-glance section, indented under ``at a glance:`` (nothing when empty)."""
    seen = glance(target)
    out = []

    def objects(line: Line) -> str:
        return named(line.keys, 3) if len(line.keys) <= 3 else counted(line)

    for title, lines in (
        ("image", seen.images),
        ("replicas", seen.replicas),
        ("resources", seen.resources),
    ):
        for line in lines:
            label = f" {line.label}" if line.label else ""
            old, new = line.old or "(unset)", line.new or "(unset)"
            out.append(f"{title}{label}: {old} -> {new} in {objects(line)}")
    out.extend(f"secret key {s.label} {s.new} in {objects(s)}" for s in seen.secrets)
    for label, line in seen.actions:
        which = named(line.keys, 20) if label in LISTED.values() else counted(line)
        out.append(f"{label.lower()} ({len(line.keys)}): {which}")
    out.extend(f"risk {r.label}: {r.message} ({named(r.keys)})" for r in seen.risks)
    out.extend(f"warning: {w.message} ({named(w.keys)})" for w in seen.warnings)
    return ["at a glance:", *("  " + line for line in out)] if out else []


def target_text(target: TargetReport, command: str, *, diffs: bool = True) -> str:
    lines = [f"== target {target.name}"]
    lines.extend(f"error: {e}" for e in target.errors)
    lines.extend(glance_lines(target))
    for row in shown(target):
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
