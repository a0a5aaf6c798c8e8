"""What an apply did, for people: terminal text, the job summary, the revert PR's body.

Each names, per target, what was applied, what was not, what was pruned, and every error with
its object and place. Pure: the engine's results in, text out. Diffs are masked already
(``diff.compare``) and server messages too (``writes``); Markdown goes through the same
filters as the plan comment, so no manifest text can inject Markdown, HTML or a mention.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..models import ResourceKey, TargetReport
from ..report.markdown import TEMPLATES, footer, resource_block
from ..report.markdown import PlanContext as FooterContext
from ..report.text import row_lines
from . import prune as pruning

if TYPE_CHECKING:
    from .engine import TargetApply

LISTED = 20


def target_report(run: TargetApply) -> TargetReport:
    """The target's rows (objects and prune) for the JSON report and the texts; objects left
    unwritten by a failure say so in their warnings, the only place JSON readers look."""
    rows = dict(run.rows)
    for key in run.progress.not_applied:
        row = rows[key]
        if not row.error:
            stopped = "not applied: the apply stopped before this object was written"
            rows[key] = dataclasses.replace(row, warnings=(*row.warnings, stopped))
    ordered = sorted([*rows.values(), *pruning.rows(run.prune)], key=lambda r: r.key)
    return TargetReport(run.target.name, tuple(ordered), tuple(run.progress.errors))


def status(run: TargetApply, dry_run: bool, skipped: bool = False) -> str:
    if skipped:
        return "⏭️ not applied: an earlier target failed"
    if dry_run:
        return "🔎 dry run, nothing written" + (": it would fail" if run.failed else "")
    if not run.failed:
        return "✅ applied"
    progress = run.progress
    nothing = not (progress.applied or progress.pruned) and (
        progress.not_applied or run.checks_failed
    )
    return "❌ failed" + (", nothing written" if nothing else "")


def _lists(run: TargetApply, dry_run: bool) -> list[tuple[str, list[ResourceKey]]]:
    if dry_run:
        return []
    progress = run.progress
    return [
        ("Applied", sorted(progress.applied)),
        ("Not applied", sorted(progress.not_applied)),
        ("Pruned", sorted(progress.pruned)),
    ]


def target_text(run: TargetApply, dry_run: bool, skipped: bool = False) -> str:
    report = target_report(run)
    lines = [f"== target {report.name}: {status(run, dry_run, skipped)}"]
    for row in report.resources:
        if row.action != "unchanged" or row.error or row.warnings:
            lines.extend(row_lines(row))
    lines.extend(f"warning: {n}" for n in run.progress.notices)
    lines.extend(f"error: {e}" for e in run.progress.errors)
    for label, keys in _lists(run, dry_run):
        if keys:
            lines.append(f"{label.lower()} ({len(keys)}): {', '.join(map(str, keys))}")
    counts = report.summary()
    verbs = ("create", "update", "delete", "unchanged")
    lines.append("   " + ", ".join(f"{counts.get(v, 0)} {v}" for v in verbs))
    return "\n".join(lines) + "\n"


def text(runs: Sequence[TargetApply], dry_run: bool, reached: int) -> str:
    return "".join(target_text(r, dry_run, i >= reached) for i, r in enumerate(runs))


def markdown(
    runs: Sequence[TargetApply],
    dry_run: bool,
    reached: int,
    *,
    revision: str,
    run_url: str = "",
    diffs: bool = True,
) -> str:
    """One section per target; ``diffs=False`` for a pull request body (short, to the point)."""
    out: list[str] = []
    for index, run in enumerate(runs):
        report = target_report(run)
        counts = report.summary()
        out.append(
            TEMPLATES.get_template("apply_summary.md.j2").render(
                target=report,
                status=status(run, dry_run, index >= reached),
                counts={k: counts.get(k, 0) for k in ("create", "update", "delete", "unchanged")},
                warning_count=report.warning_count,
                errors=run.progress.errors,
                lists=_lists(run, dry_run),
                limit=LISTED,
                notices=run.progress.notices,
            )
        )
        if diffs:
            out.extend(
                resource_block(row, max_diff=20_000)
                for row in report.resources
                if row.action != "unchanged" or row.error or row.warnings
            )
    out.append(footer(FooterContext(baseline="", revision=revision, run_url=run_url)))
    return "".join(out)
