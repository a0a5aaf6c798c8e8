"""``gitops-action verify``: the pull side of GitOps, on a schedule.

Renders the commit checked out (the default branch, on a schedule), finds each target's drift
(``verify.detect``), publishes the report (text, ``--output-json``, the job summary, the
``drift`` and ``report`` outputs), and then, per target, keeps the drift issue or the revert or
adopt pull request true (``verify.remedy``): opened, updated, or closed when the drift is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ClusterError, GitHubError, GitopsError
from ..models import Report
from ..render import Rendered
from ..report import json as json_report
from ..report.drift import verify_markdown
from ..report.pulls import base_branch, withdraw
from ..report.text import report_text
from ..verify import adopt, issue, resync
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
    for target in ctx.targets:
        try:
            found.append(verify(ctx.cluster(target), target, rendered[target.name].manifests))
        except ClusterError as err:
            said = str(err)
            named = (
                said
                if said.startswith(f"target {target.name}:")
                else f"target {target.name}: {said}"
            )
            found.append(Verification.failed(target, named))
    report = Report("verify", revision, tuple(v.report() for v in found))
    publish(ctx, report, options)
    remedied, urls = True, []
    for verification in found:
        mode = options.on_drift or verification.target.on_drift
        try:
            urls.append(
                remediate(ctx, verification, mode, revision, rendered[verification.target.name])
            )
        except GitopsError as err:
            remedied = False
            ctx.err.write(f"gitops-action: error: target {verification.target.name}: {err}\n")
    if any(urls):
        ctx.actions.set_output("drift-url", next(u for u in urls if u))
    if report.has_errors or not remedied:
        return 1
    return 2 if options.exit_code and report.has_changes else 0


def remediate(
    ctx: Context, verification: Verification, mode: str, revision: str, rendered: Rendered
) -> str:
    """Keep the target's drift issue or pull request true. With drift, the chosen kind is
    opened or updated (and an open drift issue kept up to date whatever the mode); without
    drift, whatever of ours is open for the target is closed, saying so. The URL of what
    tells of the drift now, or ``""``."""
    if mode == "none" or verification.errors:
        return ""  # nothing wanted, or nothing known: never close on an unreachable cluster
    if ctx.github is None:
        raise GitHubError(f"--on-drift {mode} needs a GitHub token: set GITHUB_TOKEN")
    github, report, name = ctx.github(), verification.report(), verification.target.name
    run_url = ctx.actions.run_url
    base = base_branch(ctx.git, ctx.actions.env.get("GITHUB_REF_NAME", ""))

    def say(what: str, url: str) -> None:
        ctx.err.write(f"gitops-action: {what} for {name}: {url}\n")

    synced = issue.sync_issue(
        github, report, revision=revision, run_url=run_url, open_new=mode == "issue"
    )
    if synced.url:
        say(f"drift issue {synced.outcome}", synced.url)
    if not verification.has_drift:
        done = issue.resolved(report, revision, run_url)
        for branch in (resync.BRANCH, adopt.BRANCH):
            closed = withdraw(github, branch.format(target=name), base, done)
            if closed is not None:
                say("drift pull request closed", closed.url)
        return ""
    prefix = _relative_root(ctx)
    if mode == "revert-pr":
        applied = verification.inventory.revision
        pull, outcome = resync.propose(
            github, ctx.git, report, revision=revision, applied=applied, base=base,
            prefix=prefix, run_url=run_url,
        )  # fmt: skip
    elif mode == "adopt-pr":
        pull, outcome, advice = adopt.propose(
            github, ctx.git, report, verification, renderer=rendered.renderer,
            root=ctx.config.root, prefix=prefix, revision=revision, base=base, run_url=run_url,
        )  # fmt: skip
        for line in advice:
            ctx.err.write(f"gitops-action: adopt {name} by hand: {line.removeprefix('- ')}\n")
    else:
        return synced.url
    if pull is None:
        return synced.url
    say(f"drift pull request {outcome}", pull.url)
    return pull.url


def _relative_root(ctx: Context) -> str:
    """Where the configuration's root sits in the repository, as a path prefix."""
    inside = ctx.config.root.relative_to(ctx.git.root).as_posix()
    return "" if inside == "." else f"{inside}/"


def publish(ctx: Context, report: Report, options: VerifyOptions) -> None:
    """Terminal text, ``--output-json``, the job summary and the step outputs."""
    ctx.out.write(report_text(report))
    if options.output_json:
        options.output_json.write_text(json_report.dumps(report), encoding="utf-8")
        ctx.actions.set_output("report", str(options.output_json))
    if ctx.actions.env.get("GITHUB_STEP_SUMMARY"):  # Markdown costs; none is wanted outside
        ctx.actions.write_summary(verify_markdown(report, run_url=ctx.actions.run_url))
    ctx.actions.set_output("drift", "true" if report.has_changes else "false")
    ctx.actions.set_output("changes", "true" if report.has_changes else "false")
