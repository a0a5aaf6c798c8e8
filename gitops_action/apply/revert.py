"""The failure revert pull request: put Git back on the last state the cluster ran well.

When a commit fails to apply (rejected, or unhealthy) and its target says
``revert-on-failure: pr``, we commit ``git revert -m 1 <merge>`` (a plain revert for a
non-merge commit) on top of it, push it to ``gitops-action/revert/<sha>`` on ``origin``, and
open a pull request into the branch that was applied, with the failure summary as its body.
Merging it runs ``plan`` and ``apply`` like any change. A second failure of the same commit
force-pushes the branch and edits the pull request: never a second one.

Pushing uses whatever credentials the checkout configured (actions/checkout persists them);
no token is ever put in a git command here.
"""

from __future__ import annotations

from ..ports import GitHub, PullRef, Repository
from ..report.pulls import push_and_propose

BRANCH_PREFIX = "gitops-action/revert/"
_TITLE_SUBJECT = 60


def branch_for(sha: str) -> str:
    return f"{BRANCH_PREFIX}{sha[:12]}"


def open_revert_pull(
    git: Repository,
    github: GitHub,
    sha: str,
    base: str,
    targets: list[str],
    summary: str,
    run_url: str = "",
) -> tuple[PullRef, bool]:
    """Push the revert branch and open (or update) its pull request; ``(pull, created)``."""
    short, names = sha[:12], ", ".join(targets)
    subject = git.subject(sha)
    if len(subject) > _TITLE_SUBJECT:
        subject = subject[: _TITLE_SUBJECT - 1] + "…"
    title = f'Revert "{subject}": apply to {names} failed'
    message = (
        f'Revert "{git.subject(sha)}"\n\n'
        f"This reverts commit {sha}, which gitops-action could not apply to {names}.\n"
    )
    run = f" ([workflow run]({run_url}))" if run_url else ""
    body = (
        f"Applying `{short}` to {_code_list(targets)} failed{run}. This pull request reverts "
        "it, so that Git returns to the last state the cluster ran well: merging it applies "
        "that state again. Close it to fix forward instead.\n\n"
        f"{summary}"
    )
    commit = git.revert(sha, message)
    return push_and_propose(github, git, commit, branch_for(sha), base, title, body)


def _code_list(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)
