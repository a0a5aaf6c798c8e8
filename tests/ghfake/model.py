"""The records the fake keeps: users, tokens, repositories, labels, issues, pulls, comments.

Plain mutable dataclasses; `state.State` owns them and applies GitHub's rules. As on GitHub, a
pull request is an issue with pull request fields, and both share one number sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Workflow `permissions:` names and levels, as a GITHUB_TOKEN is granted them.
SCOPES = ("contents", "issues", "pull-requests", "metadata")
LEVELS = {"none": 0, "read": 1, "write": 2}
ALL_PERMISSIONS = {scope: "write" for scope in SCOPES}


@dataclass
class User:
    login: str
    id: int
    type: str = "User"  # "User", "Bot" or "Organization"
    name: str | None = None
    email: str | None = None
    created_at: str = "2020-01-01T00:00:00Z"


@dataclass
class Token:
    value: str
    login: str
    permissions: dict[str, str] = field(default_factory=lambda: dict(ALL_PERMISSIONS))
    # An installation token (GITHUB_TOKEN) cannot read GET /user.
    installation: bool = False

    def allows(self, scope: str, level: str) -> bool:
        return LEVELS[self.permissions.get(scope, "none")] >= LEVELS[level]


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None
    default: bool = False


@dataclass
class Comment:
    id: int
    repo: str  # full name, "octo-org/app"
    issue_number: int
    body: str
    user: str
    created_at: str
    updated_at: str


@dataclass
class PullFields:
    id: int  # a pull request's id differs from its issue's id, as on GitHub
    head_ref: str
    head_sha: str
    head_owner: str
    base_ref: str
    base_sha: str
    draft: bool = False
    maintainer_can_modify: bool = False
    merged_at: str | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    commits: int = 0
    additions: int = 0
    deletions: int = 0
    changed_files: int = 0


@dataclass
class Issue:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    closed_at: str | None = None
    closed_by: str | None = None
    locked: bool = False
    pull: PullFields | None = None

    @property
    def is_pull(self) -> bool:
        return self.pull is not None


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    created_at: str
    default_branch: str = "main"
    private: bool = False
    description: str | None = None
    # A real bare repository: pull requests then check their branches and read their shas.
    git_dir: Path | None = None
    issues: dict[int, Issue] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # by lower-cased name

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"
