"""``gitops-action targets``: the targets as JSON, for a job matrix (fan-out across runners).

``--matrix`` prints ``{"include": [{"name", "context", "path"}, ...]}``, the shape a job's
``strategy.matrix`` takes, and sets the step output ``matrix`` (compact, so a workflow can test
for ``{"include":[]}``). ``--changed-since REF`` keeps the targets whose inputs changed
(``render.changed``). On a pull request it also keeps the targets that already have a plan
comment there: a push that undoes a target's change must still turn its comment into "no
changes". Why each target is listed goes to stderr, one line each.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import Target
from ..errors import GitError, GitHubError
from ..render.changed import Touched, touched_targets
from ..report.comments import marker_of
from . import Context
from .plan import COMMENT_EVENTS

NO_COMMIT = "0" * 40
"""``github.event.before`` of a push that created the branch: there is nothing before it."""


@dataclass(frozen=True)
class TargetsOptions:
    matrix: bool = False
    changed_since: str | None = None


def run(ctx: Context, options: TargetsOptions) -> int:
    listed = _selected(ctx, options.changed_since)
    rows = [{"name": t.name, "context": t.context, "path": t.path} for t in listed]
    document: object = {"include": rows} if options.matrix else rows
    ctx.out.write(json.dumps(document, indent=2) + "\n")
    if options.matrix:
        ctx.actions.set_output("matrix", json.dumps(document, separators=(",", ":")))
    return 0


def _selected(ctx: Context, ref: str | None) -> tuple[Target, ...]:
    if not ref:
        return ctx.targets
    if ref.strip("0") == "":
        return _every(ctx, f"--changed-since {ref}: no commit before this push")
    try:
        base = ctx.git.resolve(ref)
    except GitError as err:
        return _every(ctx, f"--changed-since: {err}")
    touched = touched_targets(ctx.config, ctx.targets, ctx.git, base)
    try:
        touched += _commented(ctx, ctx.targets, {t.target.name for t in touched})
    except GitHubError as err:
        return _every(ctx, f"cannot tell which targets have a plan comment: {err}")
    names = {t.target.name for t in touched}
    for item in touched:
        ctx.err.write(f"gitops-action: target {item.target.name}: {item.why}\n")
    if not touched:
        ctx.err.write(f"gitops-action: no target's inputs changed since {ref}\n")
    return tuple(t for t in ctx.targets if t.name in names)


def _every(ctx: Context, why: str) -> tuple[Target, ...]:
    """Every target, saying why: when in doubt, list (an unchanged target applies nothing)."""
    ctx.err.write(f"gitops-action: warning: {why}; listing every target\n")
    return ctx.targets


def _commented(ctx: Context, targets: Sequence[Target], listed: set[str]) -> list[Touched]:
    """Targets not ``listed`` yet that have a plan comment of ours on the pull request."""
    number = ctx.actions.pull_number
    wanted = ctx.actions.event_name in COMMENT_EVENTS and bool(ctx.actions.token)
    if not wanted or number is None or ctx.github is None:
        return []
    github = ctx.github()
    me = github.identity().lower()
    found = {
        marker[0]
        for comment in github.comments(number)
        if comment.user.lower() == me and (marker := marker_of(comment.body)) is not None
    }
    why = f"it has a plan comment on #{number} to keep true"
    return [Touched(t, why) for t in targets if t.name in found and t.name not in listed]
