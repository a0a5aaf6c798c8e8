"""Drift reports as GitHub Markdown: the job summary of ``verify`` and the drift issue's body.

Pure: ``TargetReport`` rows with verify actions (in-sync, drifted, missing, orphaned) in,
text out. Each drifted object says who holds its drifted fields now and since when; diffs are
masked already (Secret values never leave ``core.secrets``) and go through the same inert
blocks as the plan comment, so no manifest text can inject Markdown, HTML or a mention.
"""

from __future__ import annotations

import hashlib
import json

from ..models import Report, ResourceDiff, TargetReport
from .groups import blocks
from .markdown import PlanContext as FooterContext
from .markdown import block_text, footer, glance_markdown, literal, prose

STATUSES = ("drifted", "missing", "orphaned", "in-sync")
ISSUE_MARKER = "<!-- gitops-action:drift target={target} fingerprint={fingerprint} -->"


def fingerprint(target: TargetReport) -> str:
    """What the drift is, in 16 hex digits: which objects, their status, and their masked
    diffs. The same drift gives the same fingerprint run after run; any change moves it."""
    found = [
        (str(r.key), r.action, r.diff, r.error)
        for r in sorted(target.resources, key=lambda r: r.key)
        if r.action != "in-sync"
    ]
    return hashlib.sha256(json.dumps(found).encode()).hexdigest()[:16]


def counts(target: TargetReport) -> dict[str, int]:
    summary = target.summary()
    return {s: summary.get(s, 0) for s in STATUSES}


def who(row: ResourceDiff) -> str:
    """``kubectl-edit (Update) at 2026-12-02T17:07:19Z``, inert, for a table cell."""
    if not row.changed_by:
        return "–"
    return "<br>".join(f"<code>{literal(change)}</code>" for change in row.changed_by)


TRUNCATED = "_More objects drifted than fit here: see the workflow run's job summary._"


def target_section(target: TargetReport, *, heading: str = "###", limit: int = 0) -> str:
    """One target: the status line, the counts, a table of what drifted, then the details."""
    found = counts(target)
    drifted = [r for r in target.resources if r.action != "in-sync" or r.error]
    state = "⚠️ drift found" if drifted or target.errors else "✅ in sync with Git"
    out = [
        f"{heading} gitops-action verify · `{target.name}` · {state}\n\n",
        "| drifted | missing | orphaned | in sync |\n|--:|--:|--:|--:|\n",
        " | ".join(["", *(str(found[s]) for s in STATUSES), ""]).strip() + "\n\n",
    ]
    if target.errors:
        out.append("**Errors**\n\n" + "".join(f"- {prose(e)}\n" for e in target.errors) + "\n")
    if drifted:
        out.append("| object | status | changed by |\n|:--|:--|:--|\n")
        out.extend(f"| <code>{literal(r.key)}</code> | {r.action} | {who(r)} |\n" for r in drifted)
        out.append("\n")
        out.append(glance_markdown(target))
        out.extend(block_text(b, max_diff=20_000) for b in blocks(target))
    text = "".join(out)
    if limit and len(text) > limit:  # cut on an object's boundary, keep the table
        text = text[: limit - len(TRUNCATED) - 4].rsplit("<details>", 1)[0] + f"\n{TRUNCATED}\n"
    return text


def verify_markdown(report: Report, *, run_url: str = "") -> str:
    """The job summary: every target's section."""
    body = "".join(target_section(t) for t in report.targets)
    return body + footer(FooterContext(baseline="", revision=report.revision, run_url=run_url))
