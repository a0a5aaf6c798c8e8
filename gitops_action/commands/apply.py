"""``gitops-action apply``: render the commit, check every target, then apply them in turn.

All targets are checked (stale-run guard, dry-runs, prune plan) before any is written, so one
bad object anywhere writes nothing anywhere. Targets are then applied one after the other in
the configuration's order; the first that fails stops the rest (a later target is usually a
later stage: production after staging).

Each target's lease (``apply.lock``: one writer per target) is taken as its checks begin, in
the order of the target names so that two applies never wait for each other crosswise, and
every lease is released once the targets are written, before the reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..apply import report as apply_report
from ..apply import revert
from ..apply.execute import execute
from ..apply.lock import Locks, here
from ..apply.prepare import Prepared, Settings, prepare
from ..apply.report import TargetRun, target_report
from ..cluster.assess import shared_objects
from ..cluster.lease import TERMS, Terms
from ..errors import GitError, GitopsError
from ..models import Report
from ..report import json as json_report
from ..report.pulls import base_branch
from . import Context, reviewed
from .output import write_output
from .plan import render_all

DIRTY_SHOWN = 20


@dataclass(frozen=True)
class ApplyOptions:
    prune: bool | None = None
    wait: bool | None = None
    timeout: int | None = None
    dry_run: bool = False
    force: bool = False
    output_json: Path | None = None
    lease: Terms = TERMS
    """How long a target's lease lasts and how often it is renewed (not a CLI option: the
    defaults suit CI; embedders and tests may shorten them)."""


def refuse_dirty(ctx: Context) -> None:
    dirty = ctx.git.uncommitted_files()
    if not dirty:
        return
    shown = "\n".join(f"  {name}" for name in dirty[:DIRTY_SHOWN])
    more = f"\n  ... and {len(dirty) - DIRTY_SHOWN} more" if len(dirty) > DIRTY_SHOWN else ""
    raise GitError(
        f"{ctx.git.root}: refusing to apply from a dirty working tree: apply deploys commits, "
        f"and these files differ from HEAD:\n{shown}{more}\n"
        "Commit or stash them (git stash -u), or remove them, and run apply again."
    )


def run(ctx: Context, options: ApplyOptions) -> int:
    refuse_dirty(ctx)
    revision = ctx.git.head()
    rendered = render_all(ctx, ctx.targets, ctx.config.root, "HEAD")
    reviews = reviewed.check(ctx, rendered, revision)  # the reviewed plan is what merges
    if reviews.refused:
        return reviewed.refuse(ctx, reviews, options.output_json)
    settings = Settings(
        revision=revision,
        dry_run=options.dry_run,
        prune=options.prune,
        wait=options.wait,
        timeout=options.timeout,
        force=options.force,
    )
    holder = here(revision, ctx.actions.run_url)
    notify = _warn(ctx)
    with Locks(holder, options.lease, notify) as locks:
        checked: dict[str, Prepared] = {}
        for t in sorted(ctx.targets, key=lambda t: t.name):
            cluster = ctx.cluster(t)
            lock = None if options.dry_run else locks.lock(cluster, t)
            manifests = rendered[t.name].manifests
            checked[t.name] = prepare(cluster, t, manifests, settings, ctx.git, lock)
        prepared = refuse_shared_objects([checked[t.name] for t in ctx.targets])
        runs = apply_targets(prepared, options.dry_run)
    report = Report("apply", revision, reviews.annotate(target_report(r) for r in runs))
    publish(ctx, runs, report, options)
    reviews.publish(ctx)
    failed = any(r.failed for r in runs)
    if failed and not options.dry_run:
        open_revert(ctx, runs, revision)
    return 1 if failed else 0


def apply_targets(prepared: Sequence[Prepared], dry_run: bool) -> list[TargetRun]:
    """Write the targets in the configuration's order, all or nothing at the checks: when
    any target failed its checks, none is written (one bad object anywhere writes nothing
    anywhere); the first that fails while writing stops the rest (a later target is usually
    a later stage: production after staging)."""
    blocked = [p.target.name for p in prepared if p.failed]
    if blocked or dry_run:
        why = f"{_named(blocked)} failed {'its' if len(blocked) == 1 else 'their'} checks"
        return [
            TargetRun(p, skipped="" if p.failed or dry_run else f"{why}; nothing was written")
            for p in prepared
        ]
    runs: list[TargetRun] = []
    for index, target in enumerate(prepared):
        outcome = execute(target)
        runs.append(TargetRun(target, outcome))
        if outcome.failed:
            stopped = f"target {target.target.name} failed before it"
            runs.extend(TargetRun(p, skipped=stopped) for p in prepared[index + 1 :])
            break
    return runs


def _warn(ctx: Context) -> Callable[[str], None]:
    def warn(message: str) -> None:
        ctx.err.write(f"gitops-action: {message}\n")
        ctx.err.flush()

    return warn


def _named(names: Sequence[str]) -> str:
    return ("target " if len(names) == 1 else "targets ") + ", ".join(names)


def refuse_shared_objects(prepared: Sequence[Prepared]) -> list[Prepared]:
    """An object in two targets on one cluster would flip between their ApplySets."""
    assessed = [p.assessment for p in prepared if p.assessment is not None]
    shared = shared_objects(assessed)
    out = []
    for target in prepared:
        checked = target
        for problem in shared.get(target.target.name, ()):
            checked = checked.refused(problem)
        out.append(checked)
    return out


def publish(ctx: Context, runs: Sequence[TargetRun], report: Report, options: ApplyOptions) -> None:
    """Terminal text, ``--output-json``, the job summary and the step outputs."""
    ctx.out.write(apply_report.text(runs, options.dry_run))
    if options.dry_run:
        ctx.out.write("dry run: nothing was written\n")
    for run in runs:
        for notice in run.prepared.notices:
            ctx.err.write(f"gitops-action: warning: {notice}\n")
    if options.output_json:
        write_output(options.output_json, json_report.dumps(report), "--output-json")
        ctx.actions.set_output("report", str(options.output_json))
    if ctx.actions.env.get("GITHUB_STEP_SUMMARY"):  # Markdown costs; none is wanted outside
        summary = apply_report.markdown(
            runs, options.dry_run, revision=report.revision, run_url=ctx.actions.run_url
        )
        ctx.actions.write_summary(summary)
    changed = report.has_changes if options.dry_run else any(r.changed for r in runs)
    ctx.actions.set_output("changes", "true" if changed else "false")


def open_revert(ctx: Context, runs: Sequence[TargetRun], revision: str) -> None:
    """The revert pull request, for targets that ask for one and failed because of the
    commit's content (not a guard's refusal or an unreachable cluster, which a revert would
    not fix). Its own failure is reported, and the apply still fails."""
    wanted = [r.name for r in runs if r.revertable and r.prepared.target.revert_on_failure == "pr"]
    if not wanted:
        return
    try:
        if ctx.github is None:
            raise GitopsError("no GitHub connection is configured")
        base = base_branch(ctx.git, ctx.actions.env.get("GITHUB_REF_NAME", ""))
        summary = apply_report.markdown(
            runs, False, revision=revision, run_url=ctx.actions.run_url, diffs=False
        )
        pull, created = revert.open_revert_pull(
            ctx.git, ctx.github(), revision, base, wanted, summary, ctx.actions.run_url
        )
    except GitopsError as err:
        ctx.err.write(f"gitops-action: error: could not open the revert pull request: {err}\n")
        return
    ctx.err.write(
        f"gitops-action: revert pull request {'opened' if created else 'updated'}: {pull.url}\n"
    )
    ctx.actions.set_output("revert-pr-url", pull.url)
