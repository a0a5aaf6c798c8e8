"""The fake's state and GitHub's rules for changing it, shared by the API and by tests.

Tests read and seed it directly (`fake.state.comments("octo-org/app", 1)`,
`fake.state.add_pull("octo-org/app", "feature")`); the HTTP handlers call the same methods, so
a seeded pull request obeys the same rules as one opened through the API.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from . import gitrepo
from .errors import Invalid, NotFound
from .model import (
    ALL_PERMISSIONS,
    LEVELS,
    SCOPES,
    Comment,
    Issue,
    Label,
    PullFields,
    Repo,
    Token,
    User,
)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class State:
    """Everything the fake remembers; one lock makes each API call atomic."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.all_comments: dict[int, Comment] = {}
        self.default_login = "octocat"

    # Users, tokens, repositories

    def add_user(self, login: str, type: str = "User", name: str | None = None) -> User:
        if login.lower() not in self.users:
            self.users[login.lower()] = User(login, next(self._ids), type, name)
        return self.users[login.lower()]

    def add_token(
        self,
        value: str,
        login: str | None = None,
        permissions: dict[str, str] | None = None,
        *,
        installation: bool = False,
    ) -> Token:
        """A token; `permissions` as a workflow's, e.g. {"issues": "read"} (others: none)."""
        for scope, level in (permissions or {}).items():
            if scope not in SCOPES or level not in LEVELS:
                raise ValueError(f"permission {scope}: {level}: use {SCOPES} and {list(LEVELS)}")
        user = self.add_user(login or self.default_login, "Bot" if installation else "User")
        perms = (
            dict(ALL_PERMISSIONS) if permissions is None else {"metadata": "read", **permissions}
        )
        self.tokens[value] = Token(value, user.login, perms, installation)
        return self.tokens[value]

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        git_dir: Path | None = None,
        private: bool = False,
        description: str | None = None,
    ) -> Repo:
        owner, name = full_name.split("/")
        self.add_user(owner, "Organization")
        repo = Repo(
            next(self._ids),
            owner,
            name,
            now(),
            default_branch,
            private,
            description,
            Path(git_dir) if git_dir else None,
        )
        self.repos[full_name.lower()] = repo
        return repo

    def repo(self, full_name: str) -> Repo:
        try:
            return self.repos[full_name.lower()]
        except KeyError:
            raise NotFound(full_name) from None

    # Labels

    def add_label(
        self, repo: str, name: str, color: str = "ededed", description: str | None = None
    ) -> Label:
        labels = self.repo(repo).labels
        if name.lower() in labels:
            raise Invalid("Label", "name", "already_exists")
        labels[name.lower()] = Label(next(self._ids), name, color.lstrip("#"), description)
        return labels[name.lower()]

    def _label_names(self, repo: str, names: Iterable[str]) -> list[str]:
        # As on GitHub, naming a label that does not exist yet creates it.
        labels = self.repo(repo).labels
        for name in names:
            if name.lower() not in labels:
                self.add_label(repo, name)
        return list(dict.fromkeys(labels[n.lower()].name for n in names))

    # Issues and pull requests

    def issue(self, repo: str, number: int) -> Issue:
        try:
            return self.repo(repo).issues[number]
        except KeyError:
            raise NotFound(f"{repo}#{number}") from None

    def issues(self, repo: str, state: str = "all") -> list[Issue]:
        """The issues of a repository (not its pull requests), by number."""
        return [i for i in self.numbered(repo, state) if not i.is_pull]

    def pulls(self, repo: str, state: str = "all") -> list[Issue]:
        """The pull requests of a repository (issues with `.pull` set), by number."""
        return [i for i in self.numbered(repo, state) if i.is_pull]

    def numbered(self, repo: str, state: str) -> list[Issue]:
        issues = sorted(self.repo(repo).issues.values(), key=lambda i: i.number)
        return [i for i in issues if state in ("all", i.state)]

    def add_issue(
        self,
        repo: str,
        title: str,
        body: str | None = None,
        *,
        labels: Iterable[str] = (),
        user: str | None = None,
    ) -> Issue:
        r = self.repo(repo)
        stamp = now()
        number = len(r.issues) + 1
        issue = Issue(
            number,
            next(self._ids),
            title,
            body,
            user or self.default_login,
            stamp,
            stamp,
            labels=self._label_names(repo, labels),
        )
        r.issues[number] = issue
        return issue

    def set_state(self, issue: Issue, state: str, reason: str | None, user: str) -> None:
        if state == issue.state:
            return
        if issue.pull and issue.pull.merged_at and state == "open":
            raise Invalid("PullRequest", "state", "custom", "cannot reopen a merged pull request")
        issue.state = state
        issue.closed_at = now() if state == "closed" else None
        issue.closed_by = user if state == "closed" else None
        issue.state_reason = reason or ("completed" if state == "closed" else "reopened")
        if issue.pull:
            issue.state_reason = None

    def set_labels(self, repo: str, issue: Issue, names: Iterable[str]) -> None:
        issue.labels = self._label_names(repo, names)
        issue.updated_at = now()

    def add_pull(
        self,
        repo: str,
        head: str,
        base: str | None = None,
        *,
        title: str | None = None,
        body: str | None = None,
        user: str | None = None,
        draft: bool = False,
        head_sha: str | None = None,
        base_sha: str | None = None,
    ) -> Issue:
        """Opens a pull request like POST /pulls: 422 (Invalid) for what GitHub refuses."""
        r = self.repo(repo)
        owner, _, ref = head.rpartition(":")
        base = base or r.default_branch
        if owner and owner.lower() != r.owner.lower():
            raise Invalid("PullRequest", "head", "invalid")
        head_sha, base_sha = self._branch_shas(r, ref, base, head_sha, base_sha)
        for other in self.pulls(repo, "open"):
            assert other.pull
            if (other.pull.head_ref, other.pull.base_ref) == (ref, base):
                message = f"A pull request already exists for {r.owner}:{ref}."
                raise Invalid("PullRequest", None, "custom", message)
        issue = self.add_issue(repo, title or ref, body, user=user)
        issue.pull = PullFields(next(self._ids), ref, head_sha, r.owner, base, base_sha, draft)
        self.refresh_pull(r, issue)
        return issue

    def _branch_shas(
        self, r: Repo, head: str, base: str, head_sha: str | None, base_sha: str | None
    ) -> tuple[str, str]:
        if r.git_dir is None:
            return head_sha or _fake_sha(head), base_sha or _fake_sha(base)
        return gitrepo.pull_branches(r.git_dir, head, base)

    def refresh_pull(self, r: Repo, issue: Issue) -> None:
        """Reads an open pull request's branches again, as GitHub does after a push."""
        if r.git_dir is not None and issue.pull is not None and issue.state == "open":
            gitrepo.refresh(r.git_dir, issue.pull)

    def merge_pull(
        self, repo: str, number: int, merge_commit_sha: str | None = None, user: str | None = None
    ) -> Issue:
        """Marks a pull request merged (the git side is the test's business)."""
        issue = self.issue(repo, number)
        if issue.pull is None:
            raise NotFound(f"{repo}#{number} is not a pull request")
        self.set_state(issue, "closed", None, user or self.default_login)
        issue.pull.merged_at = issue.closed_at
        issue.pull.merged_by = user or self.default_login
        issue.pull.merge_commit_sha = merge_commit_sha or _fake_sha(f"merge-{number}")
        return issue

    # Comments

    def comments(self, repo: str, issue_number: int) -> list[Comment]:
        """The comments of an issue or pull request, oldest first."""
        self.issue(repo, issue_number)
        return [
            c
            for c in self.all_comments.values()
            if c.repo.lower() == repo.lower() and c.issue_number == issue_number
        ]

    def comment(self, repo: str, comment_id: int) -> Comment:
        found = self.all_comments.get(comment_id)
        if found is None or found.repo.lower() != repo.lower():
            raise NotFound(f"comment {comment_id}")
        return found

    def add_comment(
        self, repo: str, issue_number: int, body: str, user: str | None = None
    ) -> Comment:
        issue = self.issue(repo, issue_number)
        stamp = now()
        login, full_name = user or self.default_login, self.repo(repo).full_name
        comment = Comment(next(self._ids), full_name, issue_number, body, login, stamp, stamp)
        self.all_comments[comment.id] = comment
        issue.updated_at = stamp
        return comment

    def delete_comment(self, repo: str, comment_id: int) -> None:
        del self.all_comments[self.comment(repo, comment_id).id]


def _fake_sha(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()
