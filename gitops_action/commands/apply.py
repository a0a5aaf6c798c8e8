"""``gitops-action apply``: render the commit, check every target, then apply them in turn.

All targets are checked (stale-run guard, dry-runs, prune plan) before any is written, so one
bad object anywhere writes nothing anywhere. Targets are then applied one after the other in
the configuration's order; the first that fails stops the rest (a later target is usually a
later stage: production after staging).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..apply import report as apply_report
from ..apply import revert
from ..apply.engine import Settings, TargetApply
from ..errors import ClusterError, GitError, GitopsError
from ..models import Report, ResourceKey
from ..report import json as json_report
from . import Context
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
    settings = Settings(
        revision=revision,
        dry_run=options.dry_run,
        prune=options.prune,
        wait=options.wait,
        timeout=options.timeout,
        force=options.force,
    )
    runs = [
        TargetApply(ctx.cluster(t), t, rendered[t.name].manifests, settings, ctx.git)
        for t in ctx.targets
    ]
    for target_run in runs:
        target_run.prepare()
    refuse_shared_objects(runs)
    reached = len(runs)
    if not any(r.failed for r in runs) and not options.dry_run:
        for index, target_run in enumerate(runs):
            try:
                target_run.execute()
            except ClusterError as err:  # e.g. unreachable while waiting or pruning
                target_run.fail(f"target {target_run.target.name}: {err}", revertable=False)
            if target_run.failed:
                reached = index + 1
                break
    for skipped in runs[reached:]:
        skipped.progress.errors.append(
            f"target {skipped.target.name}: not applied: an earlier target failed"
        )
    failed = any(r.failed for r in runs)
    report = Report("apply", revision, tuple(apply_report.target_report(r) for r in runs))
    publish(ctx, runs, report, options, reached)
    if failed and not options.dry_run:
        open_revert(ctx, runs, revision, reached)
    return 1 if failed else 0


def refuse_shared_objects(runs: list[TargetApply]) -> None:
    """An object in two targets would flip between their ApplySets on every apply."""
    owner: dict[ResourceKey, str] = {}
    for target_run in runs:
        for key in target_run.manifests:
            first = owner.setdefault(key, target_run.target.name)
            if first != target_run.target.name:
                target_run.fail(
                    f"{target_run.manifests[key].describe()}: also defined by target {first}: "
                    "an object belongs to one target; remove it from one of them",
                    revertable=True,
                )


def publish(
    ctx: Context, runs: list[TargetApply], report: Report, options: ApplyOptions, reached: int
) -> None:
    """Terminal text, ``--output-json``, the job summary and the step outputs."""
    ctx.out.write(apply_report.text(runs, options.dry_run, reached))
    if options.dry_run:
        ctx.out.write("dry run: nothing was written\n")
    for target_run in runs:
        for notice in target_run.progress.notices:
            ctx.err.write(f"gitops-action: warning: {notice}\n")
    if options.output_json:
        write_output(options.output_json, json_report.dumps(report), "--output-json")
        ctx.actions.set_output("report", str(options.output_json))
    summary = apply_report.markdown(
        runs, options.dry_run, reached, revision=report.revision, run_url=ctx.actions.run_url
    )
    ctx.actions.write_summary(summary)
    if options.dry_run:
        changed = report.has_changes
    else:
        changed = any(r.progress.applied or r.progress.pruned for r in runs)
    ctx.actions.set_output("changes", "true" if changed else "false")


def open_revert(ctx: Context, runs: list[TargetApply], revision: str, reached: int) -> None:
    """The revert pull request, for targets that ask for one and failed because of the
    commit's content (not a guard's refusal or an unreachable cluster, which a revert would
    not fix). Its own failure is reported, and the apply still fails."""
    wanted = [
        r.target.name
        for r in runs
        if r.failed and r.progress.revertable and r.target.revert_on_failure == "pr"
    ]
    if not wanted:
        return
    try:
        if ctx.github is None:
            raise GitopsError("no GitHub connection is configured")
        base = revert.applied_branch(ctx.git, ctx.actions.env.get("GITHUB_REF_NAME", ""))
        summary = apply_report.markdown(
            runs, False, reached, revision=revision, run_url=ctx.actions.run_url, diffs=False
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
