"""``gitops-action plan``: render head and base, diff, and publish the report."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Target, load_config
from ..core.desired import desired_fingerprint
from ..core.review import review
from ..errors import ConfigError, GitError, GitHubError, RenderError
from ..models import Report
from ..plan.guard import refuse_untrusted_checkout
from ..plan.live import live_plans
from ..plan.offline import offline_plan
from ..render import Rendered, render_target, unchanged_inputs
from ..report import json as json_report
from ..report.comments import sync_comments
from ..report.markdown import PlanContext, comment_parts, plan_markdown
from ..report.text import report_text
from . import Context
from .output import write_output


@dataclass(frozen=True)
class PlanOptions:
    base_ref: str | None = None
    live: bool | None = None
    comment: bool | None = None
    output_md: Path | None = None
    output_json: Path | None = None
    exit_code: bool = False


def base_ref(ctx: Context, requested: str | None) -> str:
    """``--base-ref``, else the pull request's base commit, else ``origin/$GITHUB_BASE_REF``."""
    if requested:
        return requested
    if ctx.actions.base_sha:
        return ctx.actions.base_sha
    if ctx.actions.base_ref:
        return f"origin/{ctx.actions.base_ref}"
    raise GitError(
        "plan needs a base to compare with: pass --base-ref REF (for example origin/main), "
        "or run it on a pull_request event"
    )


def render_all(
    ctx: Context, targets: Sequence[Target], root: Path, label: str, *, warn: bool = True
) -> dict[str, Rendered]:
    """Each target rendered at ``root``; any error stops the command. Warnings (a renderer's
    stderr: kustomize's deprecated ``vars``, helm's) are said, once (``warn``), never fatal."""
    out: dict[str, Rendered] = {}
    for target in targets:
        rendered = render_target(target, root)
        try:
            rendered.raise_for_errors()
        except RenderError as err:
            raise RenderError(f"target {target.name} at {label}: {err}") from None
        if warn:
            for finding in rendered.findings:
                if finding.severity == "warning":
                    ctx.err.write(f"gitops-action: warning: target {target.name}: {finding}\n")
        out[target.name] = rendered
    return out


def run(ctx: Context, options: PlanOptions) -> int:
    ref = base_ref(ctx, options.base_ref)
    base_sha = ctx.git.resolve(ref)
    revision = ctx.git.head()
    live = ctx.connect is not None if options.live is None else options.live
    if live:  # before anything runs with the cluster credentials
        refuse_untrusted_checkout(
            ctx.actions.event_name,
            ctx.actions.event,
            revision,
            ctx.actions.env.get("GITHUB_SHA", ""),
        )
    head = render_all(ctx, ctx.targets, ctx.config.root, "HEAD")
    base = render_base(ctx, head, base_sha, ref)
    if live:
        targets = live_plans(
            [
                (ctx.cluster(t), t, head[t.name].manifests, base[t.name].manifests)
                for t in ctx.targets
            ]
        )
    else:
        targets = [
            offline_plan(t, head[t.name].manifests, base[t.name].manifests) for t in ctx.targets
        ]
    targets = [review(t, c.review_ignore) for t, c in zip(targets, ctx.targets, strict=True)]
    report = Report(
        command="plan", revision=revision, targets=tuple(targets), base_revision=base_sha
    )
    shown = f"`{ref}` (`{base_sha[:12]}`)" if ref != base_sha else f"`{base_sha[:12]}`"
    baseline = f"the base ref {shown}"
    plan_ctx = PlanContext(
        baseline="the live cluster" if live else baseline,
        revision=revision,
        base_revision=base_sha,
        run_url=ctx.actions.run_url,
        fingerprints={t.name: desired_fingerprint(head[t.name].manifests) for t in ctx.targets},
    )
    publish(ctx, report, plan_ctx, options)
    publish_comments(ctx, report, plan_ctx, options)
    if report.has_errors:
        return 1
    return 2 if options.exit_code and report.has_changes else 0


def render_base(
    ctx: Context, head: Mapping[str, Rendered], base_sha: str, ref: str
) -> dict[str, Rendered]:
    """Each target at the base ref, in a temporary worktree, with the base's own settings of
    it (``.gitops.yaml`` at the base: a pull request may change a target's namespace or
    values). A target whose settings and inputs (every file and folder its render read,
    links included) are the same at both ends renders the same, so its head render is
    reused."""
    prefix = _relative_root(ctx).as_posix()
    changed = [
        p if prefix == "." else p.removeprefix(f"{prefix}/")
        for p in ctx.git.changed_since(base_sha)
        if prefix == "." or p.startswith(f"{prefix}/")
    ]
    config_name = ctx.config.path.resolve().relative_to(ctx.config.root).as_posix()
    out: dict[str, Rendered] = {}
    with contextlib.ExitStack() as stack:
        tree: Path | None = None
        settings = {t.name: t for t in ctx.targets}
        if config_name in changed:
            tree = stack.enter_context(ctx.git.worktree(base_sha))
            settings = _base_settings(ctx, tree / prefix / config_name, tree / prefix)
        stale: list[Target] = []
        for target in ctx.targets:
            before = settings.get(target.name)
            if before is None:  # a target new in head: nothing at the base
                out[target.name] = Rendered(target, (), ())
            elif _same(before, target) and unchanged_inputs(head[target.name], changed):
                out[target.name] = head[target.name]
            else:
                stale.append(before)
        if stale:
            tree = tree or stack.enter_context(ctx.git.worktree(base_sha))
            out.update(render_all(ctx, stale, tree / prefix, f"base {ref}", warn=False))
    return out


def _base_settings(ctx: Context, path: Path, root: Path) -> dict[str, Target]:
    """The targets as the base's ``.gitops.yaml`` has them; the head's where the base has no
    readable one (it is the head's that the pull request is about)."""
    if not path.is_file():
        return {t.name: t for t in ctx.targets}
    try:
        return {t.name: t for t in load_config(path, root).targets}
    except ConfigError:
        return {t.name: t for t in ctx.targets}


def _same(one: Target, other: Target) -> bool:
    """The same settings (where they are written in the file aside)."""
    return dataclasses.replace(one, source=None) == dataclasses.replace(other, source=None)


def _relative_root(ctx: Context) -> Path:
    """Where the configuration's root sits inside the repository (usually the top)."""
    return ctx.config.root.relative_to(ctx.git.root)


def publish(ctx: Context, report: Report, plan_ctx: PlanContext, options: PlanOptions) -> None:
    """Terminal text, ``--output-md``/``--output-json``, the job summary and step outputs."""
    ctx.out.write(report_text(report))
    summary = bool(ctx.actions.env.get("GITHUB_STEP_SUMMARY"))
    markdown = plan_markdown(report, plan_ctx) if options.output_md or summary else ""
    if options.output_md:
        write_output(options.output_md, markdown, "--output-md")
    if options.output_json:
        write_output(options.output_json, json_report.dumps(report), "--output-json")
        ctx.actions.set_output("report", str(options.output_json))
    if summary:
        ctx.actions.write_summary(markdown)
    ctx.actions.set_output("changes", "true" if report.has_changes else "false")


COMMENT_EVENTS = ("pull_request", "pull_request_target")


def comment_pull(ctx: Context, options: PlanOptions) -> int | None:
    """The pull request to comment on; ``None`` for no comment. ``--comment`` insists (and
    fails when it cannot); by default, comment on a pull request event with a token, except
    from a fork on ``pull_request``, where GitHub's token is read-only."""
    number = ctx.actions.pull_number
    if options.comment is False:
        return None
    if options.comment is None:
        wanted = ctx.actions.event_name in COMMENT_EVENTS and bool(ctx.actions.token)
        if not (wanted and number is not None and ctx.github is not None):
            return None
        if ctx.actions.event_name == "pull_request" and _from_fork(ctx):
            ctx.err.write(
                "gitops-action: no plan comment: on a pull request from a fork GitHub gives "
                "the workflow a read-only token; the plan is in the job summary\n"
            )
            return None
        return number
    if number is None:
        raise GitHubError(
            "--comment needs a pull request: run plan on a pull_request event "
            "(GITHUB_EVENT_PATH names it), or pass --no-comment"
        )
    if ctx.github is None:
        raise GitHubError("--comment: no GitHub connection configured; pass --no-comment")
    return number


def _from_fork(ctx: Context) -> bool:
    def repo(side: str) -> object:
        end = ctx.actions.pull_request.get(side)
        found = end.get("repo") if isinstance(end, dict) else None
        return found.get("full_name") if isinstance(found, dict) else None

    return repo("head") != repo("base")


def publish_comments(
    ctx: Context, report: Report, plan_ctx: PlanContext, options: PlanOptions
) -> None:
    """The sticky comment of each target on the pull request, and output ``comment-url``
    (the first target's part 1). Quiet: a target that never had changes gets no comment."""
    number = comment_pull(ctx, options)
    if number is None or ctx.github is None:
        return
    github = ctx.github()
    existing = github.comments(number)  # once for all targets: each touches only its own
    urls: list[str] = []
    for target in report.targets:
        news = bool(target.changed or target.errors or any(r.error for r in target.resources))
        parts = comment_parts(target, plan_ctx)
        synced = sync_comments(github, number, target.name, parts, post=news, existing=existing)
        if synced.url:
            urls.append(synced.url)
            ctx.err.write(
                f"gitops-action: plan comment for {target.name}: {synced.outcome}: {synced.url}\n"
            )
    if urls:
        ctx.actions.set_output("comment-url", urls[0])
