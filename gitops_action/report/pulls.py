"""The tool's own pull requests: a bot branch pushed to ``origin`` and one pull request from it.

A branch is ours (``gitops-action/...``): each run force-pushes it, and its pull request is
found by branch and updated rather than opened again, so there is never a second one. Pushing
uses whatever credentials the checkout configured (actions/checkout persists them); no token
is ever put in a git command here.
"""

from __future__ import annotations

from ..errors import GitError
from ..ports import GitHub, PullRef, Repository


def base_branch(repo: Repository, ref_name: str) -> str:
    """The branch the run is about (``GITHUB_REF_NAME`` in Actions: the pushed branch, the
    default branch on a schedule; else the checkout's): pull requests go into it."""
    branch = ref_name or repo.current_branch()
    if not branch:
        raise GitError(
            "cannot tell which branch this run is about (a detached checkout outside GitHub "
            "Actions): set GITHUB_REF_NAME to the branch the pull request should go into"
        )
    return branch


def push_and_propose(
    github: GitHub,
    repo: Repository,
    commit: str,
    branch: str,
    base: str,
    title: str,
    body: str,
) -> tuple[PullRef, bool]:
    """Point ``branch`` at ``commit`` and open (or update) its pull request into ``base``;
    ``(pull, created)``."""
    repo.push_branch(commit, branch)
    existing = github.find_pull(branch, base)
    if existing is not None:
        return github.update_pull(existing.number, title, body), False
    return github.create_pull(branch, base, title, body), True


def proposed(github: GitHub, branch: str, base: str, marker: str) -> PullRef | None:
    """The open pull request from ``branch`` when its body already carries ``marker`` (the
    same target and fingerprint: nothing to push again); else ``None``."""
    existing = github.find_pull(branch, base)
    if existing is not None and marker in existing.body:
        return existing
    return None


def withdraw(github: GitHub, branch: str, base: str, comment: str) -> PullRef | None:
    """Close the open pull request from ``branch`` with a comment saying why; ``None`` when
    there is none."""
    existing = github.find_pull(branch, base)
    if existing is None:
        return None
    github.create_comment(existing.number, comment)
    return github.close_pull(existing.number)
