"""apply's check that the reviewed plan is what merges (``report.reviewed``), for a push.

``check`` runs before anything touches the cluster: on a push with a GitHub token it finds the
merged pull request and compares each target's fingerprint with the one its plan comment
recorded. A difference is said (stderr, the job summary, ``reviewed`` in the JSON report);
with ``reviewed-plan: refuse`` it is a refusal, and then ``refuse`` ends the apply before any
target is checked against the cluster, so nothing is written anywhere. No merged pull request
(a direct push) and a target the pull request did not plan are said, never refused. When
GitHub cannot be asked, a target that refuses is refused (it cannot be shown reviewed), and
the others are told so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.desired import desired_fingerprint
from ..errors import GitopsError
from ..models import Report, ReviewedPlan, TargetReport
from ..render import Rendered
from ..report import json as json_report
from ..report import reviewed
from . import Context
from .output import write_output


@dataclass(frozen=True)
class Reviews:
    """What ``check`` found: per target the comparison, or why none could be made."""

    revision: str
    plans: Mapping[str, ReviewedPlan] = field(default_factory=dict)
    urls: Mapping[int, str] = field(default_factory=dict)
    failure: str = ""
    """Why GitHub could not be asked (``plans`` is then empty)."""
    refused: Mapping[str, str] = field(default_factory=dict)
    """Targets with ``reviewed-plan: refuse`` that must not be applied, and why."""

    def annotate(self, reports: Iterable[TargetReport]) -> tuple[TargetReport, ...]:
        """The targets' reports with their ``reviewed`` comparison."""
        return tuple(
            dataclasses.replace(r, reviewed=self.plans[r.name]) if r.name in self.plans else r
            for r in reports
        )

    def publish(self, ctx: Context) -> None:
        """One line per target on stderr, and a section of the job summary."""
        if self.failure:
            ctx.err.write(f"gitops-action: warning: {self.failure}\n")
            ctx.actions.write_summary(f"#### Reviewed plan\n\n⚠️ {self.failure}\n")
            return
        for name, plan in self.plans.items():
            level = "warning: " if plan.matches is False else ""
            ctx.err.write(f"gitops-action: {level}{reviewed.sentence(name, plan, self.revision)}\n")
        if self.plans:
            ctx.actions.write_summary(reviewed.markdown(self.plans, self.revision, self.urls))


def check(ctx: Context, rendered: Mapping[str, Rendered], revision: str) -> Reviews:
    """Compare each target with the plan reviewed on the merged pull request (on a push)."""
    if ctx.actions.event_name != "push" or ctx.github is None or not ctx.actions.token:
        return Reviews(revision)
    fingerprints = {t.name: desired_fingerprint(rendered[t.name].manifests) for t in ctx.targets}
    refusing = [t.name for t in ctx.targets if t.reviewed_plan == "refuse"]
    try:
        pull, plans = reviewed.compare(ctx.github(), revision, fingerprints)
    except GitopsError as err:
        failure = f"cannot compare with the reviewed plan: {err}"
        why = f"reviewed-plan: refuse: {failure}; nothing was written"
        return Reviews(revision, failure=failure, refused={n: why for n in refusing})
    refused = {n: reviewed.refusal(n, plans[n]) for n in refusing if plans[n].matches is False}
    urls = {pull.number: pull.url} if pull else {}
    return Reviews(revision, plans, urls, refused=refused)


def refuse(ctx: Context, reviews: Reviews, output_json: Path | None) -> int:
    """End an apply that a refusal stops: every target reported as not applied, exit 1."""
    blocked = ", ".join(reviews.refused)
    reports = []
    for target in ctx.targets:
        why = reviews.refused.get(target.name) or (
            f"target {target.name}: not applied: {blocked} refused (reviewed-plan); "
            "nothing was written"
        )
        reports.append(TargetReport(target.name, errors=(why,)))
    report = Report("apply", reviews.revision, reviews.annotate(reports))
    for line in (r.errors[0] for r in report.targets):
        ctx.err.write(f"gitops-action: error: {line}\n")
    if output_json:
        write_output(output_json, json_report.dumps(report), "--output-json")
        ctx.actions.set_output("report", str(output_json))
    reviews.publish(ctx)
    ctx.actions.write_summary("\n".join(f"- ❌ {r.errors[0]}" for r in report.targets) + "\n")
    ctx.actions.set_output("changes", "false")
    return 1
