"""The reviewed plan is what merges: what apply renders on a push, next to what was reviewed.

Part 1 of each plan comment records the fingerprint of the target's desired state it showed
(``markdown.REVIEWED_RE``, ``core.desired``). On a push, the merged pull request is the one
GitHub associates with the commit (``GET /repos/{o}/{r}/commits/{sha}/pulls``: the one whose
merge made it, else any merged one); its plan comments are ours only when the token's own
identity wrote them, as for the sticky comment itself. A fingerprint that differs means that
what merges is not what was reviewed: main moved after the last plan (a merge without the
base updated), or another pull request changed the target in between. The comparison is data
(``ReviewedPlan``); ``reviewed-plan: refuse`` turns a difference into a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import ReviewedPlan
from ..ports import GitHub, PullRef
from .comments import marker_of
from .markdown import REVIEWED_RE


def merged_pull(github: GitHub, sha: str) -> PullRef | None:
    """The pull request whose merge made ``sha``, else a merged one that brought it in;
    ``None`` for a direct push."""
    merged = [p for p in github.pulls_of_commit(sha) if p.merged]
    exact = [p for p in merged if p.merge_commit_sha == sha]
    found = exact or merged
    return found[0] if found else None


def reviewed_fingerprints(github: GitHub, number: int) -> dict[str, str]:
    """Each target's fingerprint recorded in our plan comments on pull request ``number``."""
    me = github.identity().lower()
    found: dict[str, str] = {}
    for comment in github.comments(number):
        if comment.user.lower() != me or marker_of(comment.body) is None:
            continue  # someone else's text, or not a plan comment: never trusted
        for match in REVIEWED_RE.finditer(comment.body):
            found.setdefault(match["target"], match["fingerprint"])
    return found


def compare(
    github: GitHub, sha: str, fingerprints: Mapping[str, str]
) -> tuple[PullRef | None, dict[str, ReviewedPlan]]:
    """The merged pull request of ``sha`` and, per target, what it reviewed next to
    ``fingerprints`` (what apply renders)."""
    pull = merged_pull(github, sha)
    reviewed = reviewed_fingerprints(github, pull.number) if pull else {}
    number = pull.number if pull else None
    plans = {n: ReviewedPlan(number, fp, reviewed.get(n, "")) for n, fp in fingerprints.items()}
    return pull, plans


def sentence(target: str, plan: ReviewedPlan, revision: str) -> str:
    """What the comparison says about one target, in one line."""
    if plan.pull is None:
        return (
            f"target {target}: no merged pull request has commit {revision[:12]} (a direct "
            "push): no reviewed plan to compare with"
        )
    if plan.matches is None:
        return f"target {target}: pull request #{plan.pull} has no plan of it to compare with"
    if plan.matches:
        return f"target {target}: applying the plan reviewed on #{plan.pull} ({plan.fingerprint})"
    return (
        f"target {target}: what this commit applies ({plan.fingerprint}) is not the plan "
        f"reviewed on pull request #{plan.pull} ({plan.reviewed}): main moved after its last "
        "plan, or another pull request changed the target"
    )


def refusal(target: str, plan: ReviewedPlan) -> str:
    """The one line of a ``reviewed-plan: refuse`` refusal."""
    return (
        f"target {target}: reviewed-plan: refuse: pull request #{plan.pull} reviewed "
        f"{plan.reviewed}, but this commit renders {plan.fingerprint}; nothing was written. "
        "Plan the target as main is now in a new pull request and merge that, or set "
        "reviewed-plan: warn"
    )


def reviewed_json(plan: ReviewedPlan) -> dict[str, Any]:
    """The ``reviewed`` field of a target in the JSON report (additive)."""
    out: dict[str, Any] = {
        "pull": plan.pull,
        "matches": plan.matches,
        "fingerprint": plan.fingerprint,
    }
    if plan.reviewed:
        out["reviewed_fingerprint"] = plan.reviewed
    return out


def markdown(plans: Mapping[str, ReviewedPlan], revision: str, urls: Mapping[int, str]) -> str:
    """The job summary's section: one line per target. Target names are ``[a-z0-9-]``."""
    icons = {True: "✅", False: "⚠️", None: "➖"}
    lines = ["#### Reviewed plan", ""]
    for name, plan in plans.items():
        text = sentence(name, plan, revision).removeprefix(f"target {name}: ")
        if plan.pull is not None and plan.pull in urls:
            text = text.replace(f"#{plan.pull}", f"[#{plan.pull}]({urls[plan.pull]})", 1)
        lines.append(f"- {icons[plan.matches]} `{name}`: {text}")
    return "\n".join(lines) + "\n"
