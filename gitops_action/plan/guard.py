"""The ``pull_request_target`` guard: no cluster credentials next to a pull request's code.

A ``pull_request_target`` workflow runs with the base repository's secrets and a write token,
even for a pull request from a fork. That is safe only while the checkout is the base branch.
Once the pull request's head is checked out, whatever it contains (a kustomize plugin, a Helm
chart, a script a later step runs) runs where the cluster credentials are, so a plan with a
cluster refuses to start there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import GitopsError


def refuse_untrusted_checkout(
    event_name: str, event: Mapping[str, Any], head: str, run_sha: str = ""
) -> None:
    """Raise when ``event_name`` is ``pull_request_target`` and the checkout at ``head`` is
    the pull request's code: its head commit, or, for a pull request from another repository
    (a fork), anything but the base commit (``pull_request.base.sha``, or ``run_sha``, the
    ``GITHUB_SHA`` of the run, which on this event is the base branch's latest commit).
    A merge commit of a pull request from this same repository passes: only people with write
    access push branches here."""
    if event_name != "pull_request_target":
        return
    pr = event.get("pull_request")
    if not isinstance(pr, Mapping):
        return
    head_sha, head_repo = _end(pr, "head")
    base_sha, base_repo = _end(pr, "base")
    number = pr.get("number", "?")
    if head and head == head_sha:
        why = f"the pull request's head commit {head[:12]} is checked out"
    elif head_repo != base_repo and head not in (base_sha, run_sha):
        source = f"from {head_repo}" if head_repo else "from a fork that no longer exists"
        why = (
            f"the pull request comes {source} and the checkout ({head[:12]}) is not the base "
            f"commit {base_sha[:12]}"
        )
    else:
        return
    raise GitopsError(
        f"refusing to plan against the cluster on pull_request_target (#{number}): {why}, so "
        "code from the pull request (from a fork, anyone's) would run with the cluster "
        "credentials and the repository's secrets and write token.\n"
        "Plan pull requests on the pull_request event instead (forks then get no secrets); or "
        "check out the base branch (actions/checkout without ref:); or pass --no-live to plan "
        "without the cluster."
    )


def _end(pr: Mapping[str, Any], side: str) -> tuple[str, str]:
    """``(sha, repository full name)`` of the pull request's ``head`` or ``base``."""
    end = pr.get(side)
    if not isinstance(end, Mapping):
        return "", ""
    repo = end.get("repo")
    name = repo.get("full_name", "") if isinstance(repo, Mapping) else ""
    return str(end.get("sha") or ""), str(name or "")
