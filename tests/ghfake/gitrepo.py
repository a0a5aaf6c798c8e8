"""Reads branches and commit counts from a real bare repository, for pull requests.

With a bare repository configured, opening a pull request checks its branches as GitHub does,
and reading one shows the branches' current commits (a push moves `head.sha`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import Invalid
from .model import PullFields


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def branches(git_dir: Path) -> dict[str, str]:
    """Branch name to commit sha, in one call however many branches there are."""
    out = _git(git_dir, "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads")
    if out.returncode != 0:
        raise RuntimeError(f"git for-each-ref in {git_dir}: {out.stderr.strip()}")
    return dict(line.rsplit(" ", 1) for line in out.stdout.splitlines() if line)


def is_ancestor(git_dir: Path, ancestor: str, descendant: str) -> bool:
    return _git(git_dir, "merge-base", "--is-ancestor", ancestor, descendant).returncode == 0


def diffstat(git_dir: Path, base: str, head: str) -> tuple[int, int, int, int]:
    """(commits, additions, deletions, changed files) of head since its merge base with base."""
    count = _git(git_dir, "rev-list", "--count", f"{base}..{head}").stdout.strip()
    numstat = _git(git_dir, "diff", "--numstat", f"{base}...{head}").stdout.splitlines()
    additions = deletions = 0
    for line in numstat:
        added, deleted, _ = line.split("\t", 2)
        # Binary files show "-": GitHub counts them as changed with no lines.
        additions += int(added) if added.isdigit() else 0
        deletions += int(deleted) if deleted.isdigit() else 0
    return int(count or 0), additions, deletions, len(numstat)


def pull_branches(git_dir: Path, head: str, base: str) -> tuple[str, str]:
    """The commits of a new pull request's head and base; 422 where GitHub refuses one."""
    refs = branches(git_dir)
    if head not in refs:
        raise Invalid("PullRequest", "head", "invalid")
    if base not in refs:
        raise Invalid("PullRequest", "base", "invalid")
    if is_ancestor(git_dir, refs[head], refs[base]):
        raise Invalid("PullRequest", None, "custom", f"No commits between {base} and {head}")
    return refs[head], refs[base]


def refresh(git_dir: Path, pull: PullFields) -> None:
    """Reads an open pull request's branches again, as GitHub does after a push."""
    refs = branches(git_dir)
    pull.head_sha = refs.get(pull.head_ref, pull.head_sha)
    pull.base_sha = refs.get(pull.base_ref, pull.base_sha)
    stats = diffstat(git_dir, pull.base_sha, pull.head_sha)
    pull.commits, pull.additions, pull.deletions, pull.changed_files = stats
