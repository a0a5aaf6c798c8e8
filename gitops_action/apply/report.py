"""What an apply did, for people and programs: the JSON rows, terminal text, the job summary
and the revert PR's body.

Each names, per target, what was applied, what was not and why, what was pruned, and every
error with its object and place. Pure: the prepared targets and their outcomes in, data and
text out. Diffs are masked already (``core.diff``) and server messages too (``writes``);
Markdown goes through the same filters as the plan comment, so no manifest text can inject
Markdown, HTML or a mention.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.order import listed
from ..models import ResourceDiff, ResourceKey, TargetReport
from ..report.markdown import TEMPLATES, footer, resource_block
from ..report.markdown import PlanContext as FooterContext
from ..report.text import row_lines
from . import status as st
from .execute import Outcome
from .prepare import Prepared

LISTED = 20
STOPPED = "not applied: the apply stopped before this object was written"
UNKNOWN = (
    "unknown: the connection broke before the server answered, and it could not be read back; "
    "the next apply reads it and converges"
)


@dataclass(frozen=True)
class TargetRun:
    """One target of an apply: its checks, what its writes did, or why it was not written."""

    prepared: Prepared
    outcome: Outcome | None = None
    """``None``: not written (its checks failed, a dry run, or ``skipped``)."""
    skipped: str = ""
    """Why a target that passed its checks was not written."""

    @property
    def name(self) -> str:
        return self.prepared.target.name

    @property
    def failed(self) -> bool:
        return self.prepared.failed or bool(self.outcome and self.outcome.failed)

    @property
    def revertable(self) -> bool:
        """Failed because of the commit's content: a revert pull request fixes it."""
        if self.prepared.failed:
            return self.prepared.revertable
        return bool(self.outcome and self.outcome.failed and self.outcome.revertable)

    @property
    def changed(self) -> bool:
        return bool(self.outcome and (self.outcome.applied or self.outcome.pruned))


def target_report(run: TargetRun) -> TargetReport:
    """The target's rows (objects and prune) and errors for the JSON report and the texts.
    Rows that were to be written and were not say so in their warnings, the one place JSON
    readers look."""
    assessment = run.prepared.assessment
    rows = dict(run.outcome.rows if run.outcome else assessment.rows if assessment else {})
    unwritten: dict[ResourceKey, str] = {}
    if run.outcome:
        unwritten = dict.fromkeys(run.outcome.not_applied, STOPPED)
        unwritten.update(dict.fromkeys(run.outcome.unknown, UNKNOWN))
    elif run.skipped and assessment:
        unwritten = dict.fromkeys(assessment.changes, f"not applied: {run.skipped}")
    for key, why in unwritten.items():
        row = rows[key]
        if not row.error:
            rows[key] = dataclasses.replace(row, warnings=(*row.warnings, why))
    for key, said in statuses(run).items():
        rows[key] = dataclasses.replace(rows[key], status=said)
    errors = [p.message for p in run.prepared.all_problems]
    errors += list(run.outcome.errors if run.outcome else ())
    if run.skipped:
        errors.append(f"target {run.name}: not applied: {run.skipped}")
    ordered = listed(rows.values())
    return TargetReport(run.name, tuple(ordered), tuple(errors))


def statuses(run: TargetRun) -> dict[ResourceKey, str]:
    """What the run did to each row's object; nothing for a dry run, which writes nothing."""
    if run.prepared.settings.dry_run:
        return {}
    if run.outcome:
        return dict(run.outcome.status)
    assessment = run.prepared.assessment
    if assessment is None:
        return {}
    changes, prune = set(assessment.changes), assessment.prune
    out: dict[ResourceKey, str] = {}
    for key, row in assessment.rows.items():
        if key in prune.delete or key in prune.kept:
            out[key] = st.KEPT
        elif key in changes or row.error:
            out[key] = st.NOT_APPLIED
        else:
            out[key] = st.UNCHANGED
    return out


def status(run: TargetRun, dry_run: bool) -> str:
    if run.skipped:
        return f"⏭️ not applied: {run.skipped}"
    if dry_run:
        return "🔎 dry run, nothing written" + (": it would fail" if run.failed else "")
    if not run.failed:
        return "✅ applied" + (f": {accomplished(run.outcome)}" if run.outcome else "")
    done = run.outcome and (run.outcome.applied or run.outcome.pruned or run.outcome.unknown)
    nothing = not done
    return "❌ failed" + (", nothing written" if nothing else "")


def accomplished(outcome: Outcome) -> str:
    """``2 written, 1 pruned; 3 healthy in 12 s (2 Deployments, 1 Job)``: what an apply did
    and what it waited for."""
    did = [f"{len(outcome.applied)} written"] if outcome.applied else []
    did += [f"{len(outcome.pruned)} pruned"] if outcome.pruned else []
    said = ", ".join(did) or "nothing to change"
    if outcome.waited is None:
        return f"{said}; health not waited for"
    if not outcome.healthy:
        return f"{said}; nothing to wait for"
    kinds = Counter(k.kind for k in outcome.healthy)
    shown = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(kinds.items()))
    return f"{said}; {len(outcome.healthy)} healthy in {outcome.waited:.0f} s ({shown})"


def _lists(run: TargetRun) -> list[tuple[str, list[ResourceKey]]]:
    if run.outcome is None:
        return []
    return [
        ("Applied", sorted(run.outcome.applied)),
        ("Not applied", sorted(run.outcome.not_applied)),
        ("Unknown", sorted(run.outcome.unknown)),
        ("Pruned", sorted(run.outcome.pruned)),
    ]


def _shown(row: ResourceDiff) -> bool:
    return row.action != "unchanged" or bool(row.error or row.warnings or row.adopt)


def target_text(run: TargetRun, dry_run: bool) -> str:
    report = target_report(run)
    lines = [f"== target {report.name}: {status(run, dry_run)}"]
    for row in report.resources:
        if _shown(row):
            lines.extend(row_lines(row))
    lines.extend(f"warning: {n}" for n in run.prepared.notices)
    lines.extend(f"error: {e}" for e in (*report.errors, *_row_errors(report)))
    for label, keys in _lists(run):
        if keys:
            lines.append(f"{label.lower()} ({len(keys)}): {', '.join(map(str, keys))}")
    counts = report.summary()
    verbs = ("create", "update", "delete", "unchanged")
    line = ", ".join(f"{counts.get(v, 0)} {v}" for v in verbs)
    adopted = sum(1 for r in report.resources if r.adopt)
    lines.append("   " + line + (f" ({adopted} adopted)" if adopted else ""))
    return "\n".join(lines) + "\n"


def text(runs: Sequence[TargetRun], dry_run: bool) -> str:
    return "".join(target_text(r, dry_run) for r in runs)


def markdown(
    runs: Sequence[TargetRun],
    dry_run: bool,
    *,
    revision: str,
    run_url: str = "",
    diffs: bool = True,
) -> str:
    """One section per target; ``diffs=False`` for a pull request body (short, to the point)."""
    out: list[str] = []
    for run in runs:
        report = target_report(run)
        counts = report.summary()
        out.append(
            TEMPLATES.get_template("apply_summary.md.j2").render(
                target=report,
                status=status(run, dry_run),
                counts={k: counts.get(k, 0) for k in ("create", "update", "delete", "unchanged")},
                warning_count=report.warning_count,
                errors=[*report.errors, *_row_errors(report)],
                lists=_lists(run),
                limit=LISTED,
                notices=run.prepared.notices,
            )
        )
        if diffs:
            out.extend(
                resource_block(row, max_diff=20_000) for row in report.resources if _shown(row)
            )
    out.append(footer(FooterContext(baseline="", revision=revision, run_url=run_url)))
    return "".join(out)


def _row_errors(report: TargetReport) -> list[str]:
    return [
        f"{r.source}: {r.key}: {r.error}" if r.source else f"{r.key}: {r.error}"
        for r in report.resources
        if r.error
    ]
