"""The stale-run guard: an apply never moves a target back to an older commit.

Workflow runs can queue and finish out of order: if the run of merge B finished first, the
delayed run of merge A (an ancestor of B) would roll the cluster back to A. The inventory
records the commit last applied; we refuse a commit that is its ancestor, unless forced.

Re-applying the recorded commit is fine (idempotent), and so is any descendant of it. A commit
that neither descends from the recorded one nor precedes it (history rewritten, or a different
branch applied) is allowed with a warning: it cannot be a stale run of the same branch. When
ancestry cannot be decided, because the clone is shallow or the recorded commit is unknown
here, we refuse and say how to fix it: a guard that guesses is no guard.
"""

from __future__ import annotations

from ..errors import GitopsError
from ..ports import Repository


class StaleRevision(GitopsError):
    """The commit to apply is older than the one the cluster already runs."""


def check(history: Repository, target: str, recorded: str, head: str, *, force: bool) -> list[str]:
    """Raise ``StaleRevision`` for a stale or undecidable apply; return warnings otherwise."""
    if not recorded or recorded == head:
        return []
    short, now = recorded[:12], head[:12]
    if force:
        return [f"--force: applied over the recorded revision {short} without checking ancestry"]
    known = history.has_commit(recorded)
    if known and history.is_ancestor(recorded, head):
        return []
    if known and history.is_ancestor(head, recorded):
        raise StaleRevision(
            f"target {target}: refusing to apply {now}: it is an ancestor of {short}, which "
            "this target already runs (a stale, queued run would roll the cluster back). "
            "Nothing was written. To roll back on purpose, revert in Git (a new commit); "
            "or pass --force."
        )
    if history.is_shallow():
        raise StaleRevision(
            f"target {target}: cannot tell whether {now} is older than the recorded revision "
            f"{short}: this clone is shallow. Check out with 'fetch-depth: 0' "
            "(actions/checkout), or pass --force to skip the check. Nothing was written."
        )
    if not known:
        raise StaleRevision(
            f"target {target}: the recorded revision {short} is not in this clone, so "
            f"whether {now} is older cannot be told: fetch it (git fetch origin), or pass "
            "--force if history was rewritten. Nothing was written."
        )
    return [
        f"the recorded revision {short} is neither an ancestor nor a descendant of {now} "
        "(history rewritten, or applied from another branch): applied anyway"
    ]
