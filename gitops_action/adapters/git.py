"""The git adapter: the real ``git`` binary, never the user's checkout disturbed.

Other refs are rendered from a temporary detached worktree that is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..errors import GitError

_ENV = {
    # Never prompt, never page, never read the user's global hooks or templates.
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
}


class Git:
    """A repository on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def discover(cls, path: Path) -> Git:
        start = path if path.is_dir() else path.parent
        try:
            top = _run(start, "rev-parse", "--show-toplevel")
        except GitError:
            raise GitError(
                f"{start}: not inside a git repository; run gitops-action from a checkout "
                "(actions/checkout) or pass --config PATH inside one"
            ) from None
        return cls(Path(top))

    def run(self, *args: str, check: bool = True) -> str:
        return _run(self.root, *args, check=check)

    def head(self) -> str:
        return self.run("rev-parse", "HEAD")

    def resolve(self, ref: str) -> str:
        """The commit ``ref`` names, or an error that says how to fetch it."""
        sha = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        if sha:
            return sha
        hint = (
            " This clone is shallow: check out with 'fetch-depth: 0' (actions/checkout) or "
            f"run 'git fetch origin {ref.removeprefix('origin/')}'."
            if self.is_shallow()
            else f" Fetch it first: git fetch origin {ref.removeprefix('origin/')}"
        )
        raise GitError(f"{self.root}: git ref {ref!r} not found.{hint}")

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository", check=False) == "true"

    def is_ancestor(self, older: str, newer: str) -> bool:
        result = subprocess.run(
            ["git", "merge-base", "--is-ancestor", older, newer],
            cwd=self.root,
            env={**os.environ, **_ENV},
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    @contextmanager
    def worktree(self, ref: str) -> Iterator[Path]:
        """A detached worktree of ``ref`` in a temporary folder, removed on exit."""
        sha = self.resolve(ref)
        parent = Path(tempfile.mkdtemp(prefix="gitops-action-"))
        path = parent / "tree"
        try:
            self.run("worktree", "add", "--detach", "--quiet", str(path), sha)
            yield path
        finally:
            self.run("worktree", "remove", "--force", str(path), check=False)
            shutil.rmtree(parent, ignore_errors=True)
            self.run("worktree", "prune", check=False)

    # -- for apply: history checks and the failure revert ----------------------------------

    def has_commit(self, sha: str) -> bool:
        """Whether the commit is in this clone (a shallow clone may lack older ones)."""
        return bool(self.run("rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}", check=False))

    def uncommitted_files(self) -> list[str]:
        """Files that differ from HEAD (staged or not) and untracked files not ignored, relative
        to the root. Plain path lists, which survive ``run``'s stripping of the output (a
        porcelain status line starts with a meaningful space)."""
        changed = self.run("diff", "--name-only", "HEAD", "--")
        untracked = self.run("ls-files", "--others", "--exclude-standard", "--full-name")
        return sorted({line for line in (*changed.splitlines(), *untracked.splitlines()) if line})

    def changed_since(self, commit: str) -> set[str]:
        """Paths (relative to the root) that differ between ``commit`` and the working tree:
        tracked changes either way, and untracked files that are not ignored."""
        changed = self.run("diff", "--name-only", "--no-renames", "-z", commit, "--")
        untracked = self.run("ls-files", "--others", "--exclude-standard", "--full-name", "-z")
        return {p for p in (*changed.split("\0"), *untracked.split("\0")) if p}

    def current_branch(self) -> str:
        """The checked-out branch; ``""`` on a detached HEAD."""
        return self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)

    def parents(self, sha: str) -> list[str]:
        return self.run("rev-list", "--parents", "-n", "1", sha).split()[1:]

    def subject(self, sha: str) -> str:
        return self.run("log", "-1", "--format=%s", sha)

    def revert(self, sha: str, message: str) -> str:
        """A new commit on top of ``sha`` that reverts it (``-m 1`` for a merge commit), made
        in a temporary worktree; returns its sha. The user's checkout is not touched."""
        mainline = ["-m", "1"] if len(self.parents(sha)) > 1 else []
        identity = self._identity()
        with self.worktree(sha) as tree:
            _run(tree, *identity, "revert", "--no-commit", *mainline, sha)
            _run(tree, *identity, "commit", "--quiet", "-m", message)
            return _run(tree, "rev-parse", "HEAD")

    def commit_files(self, base: str, files: Mapping[str, str | None], message: str) -> str:
        """A new commit on top of ``base`` that writes ``files`` (path relative to the root:
        text, or ``None`` to delete), made in a temporary worktree; returns its sha. The
        user's checkout is not touched."""
        identity = self._identity()
        with self.worktree(base) as tree:
            for name, text in files.items():
                path = tree / name
                if text is None:
                    path.unlink(missing_ok=True)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
            _run(tree, "add", "--all")
            _run(tree, *identity, "commit", "--quiet", "--allow-empty", "-m", message)
            return _run(tree, "rev-parse", "HEAD")

    def _identity(self) -> list[str]:
        """``-c`` options naming a committer when the checkout has none: a CI checkout has no
        identity; commit as the Actions bot, as GitHub does."""
        if self.run("config", "user.email", check=False):
            return []
        return [
            "-c", "user.name=github-actions[bot]",
            "-c", "user.email=41898282+github-actions[bot]@users.noreply.github.com",
        ]  # fmt: skip

    def push_branch(self, commit: str, branch: str, remote: str = "origin") -> None:
        """Point ``branch`` on ``remote`` at ``commit``, replacing whatever it held (the branch
        is ours: a bot branch rewritten on every run). Credentials are the checkout's."""
        self.run("push", "--force", "--quiet", remote, f"{commit}:refs/heads/{branch}")


def _run(cwd: Path, *args: str, check: bool = True) -> str:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env={**os.environ, **_ENV},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; install git") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"{cwd}: 'git {' '.join(args)}' timed out after 300 s") from None
    if result.returncode != 0 and check:
        message = result.stderr.strip() or result.stdout.strip()
        raise GitError(f"{cwd}: 'git {' '.join(args)}' failed: {message}")
    return result.stdout.strip() if result.returncode == 0 else ""
