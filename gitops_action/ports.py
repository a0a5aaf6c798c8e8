"""Ports: what the engine needs from the outside world, as ``typing.Protocol``s.

The engine (plan, apply, verify) talks to these; ``adapters/`` implement them with real I/O,
and only ``cli`` builds adapters. Tests use the real adapters against real parts (a control
plane, a contract-checked GitHub fake, real git), not mocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .models import KubeObject


@dataclass(frozen=True)
class ApiResource:
    """One kind as the API server serves it (from discovery)."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: frozenset[str] = frozenset()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str = "", name: str = "") -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        scope = f"/namespaces/{namespace}" if self.namespaced and namespace else ""
        return f"{base}{scope}/{self.plural}" + (f"/{name}" if name else "")


class Cluster(Protocol):
    """A Kubernetes API server, as the engine uses it."""

    @property
    def default_namespace(self) -> str: ...

    def resource(self, api_version: str, kind: str) -> ApiResource | None:
        """The served resource for this apiVersion and kind; ``None`` when not served."""

    def resources(self) -> Sequence[ApiResource]:
        """Every served kind, at its preferred version (for inventories and orphans)."""

    def refresh_discovery(self) -> None: ...

    def list(
        self, resource: ApiResource, namespace: str = "", label_selector: str = ""
    ) -> list[KubeObject]:
        """Every object of a kind (in a namespace), paged under the hood."""

    def get(self, resource: ApiResource, namespace: str, name: str) -> KubeObject | None: ...

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        """Server-side apply with field manager ``gitops-action``; the server's result."""

    def delete(
        self,
        resource: ApiResource,
        namespace: str,
        name: str,
        *,
        dry_run: bool = False,
        resource_version: str = "",
    ) -> bool:
        """Delete (background propagation); ``False`` if it was already gone.
        ``resource_version``: only that version of it (``Conflict`` if it changed since)."""

    def create(self, obj: KubeObject, resource: ApiResource) -> KubeObject:
        """Create ``obj`` (field manager ``gitops-action``); ``Conflict`` if it exists."""

    def update(self, obj: KubeObject, resource: ApiResource) -> KubeObject:
        """Replace the object with ``obj``, which carries the ``metadata.resourceVersion`` it
        was read at: ``Conflict`` if it changed since (compare and swap)."""


@dataclass(frozen=True)
class Comment:
    """An issue or pull request comment, as the engine sees it."""

    id: int
    body: str
    url: str
    """Where people read it (``html_url``)."""
    user: str
    """The author's login; a workflow's ``GITHUB_TOKEN`` writes as ``github-actions[bot]``."""


@dataclass(frozen=True)
class PullRef:
    """A pull request: its number, where to read it, and both ends."""

    number: int
    url: str
    state: str = "open"
    title: str = ""
    body: str = ""
    head_ref: str = ""
    head_sha: str = ""
    head_repo: str = ""
    """Full name of the repository the head branch lives in; ``""`` when that fork is gone."""
    base_ref: str = ""
    base_sha: str = ""
    base_repo: str = ""
    merged: bool = False
    merge_commit_sha: str = ""
    """The commit the merge made (the merge, squash or last rebased commit); ``""`` if none."""


@dataclass(frozen=True)
class IssueRef:
    """An issue, as the engine sees it."""

    number: int
    url: str
    title: str = ""
    body: str = ""
    state: str = "open"
    user: str = ""
    """Who opened it (the login)."""
    labels: tuple[str, ...] = ()


class GitHub(Protocol):
    """One repository's issues, comments and pull requests on GitHub (or GitHub Enterprise).

    ``number`` is an issue or pull request number; ``pull`` says which, so that a refusal
    names the permission the workflow lacks (``pull-requests`` or ``issues``).
    """

    @property
    def repository(self) -> str:
        """``owner/name``."""

    def comments(self, number: int, *, pull: bool = True) -> list[Comment]:
        """Every comment of the issue or pull request, oldest first (all pages)."""

    def create_comment(self, number: int, body: str, *, pull: bool = True) -> Comment: ...

    def update_comment(
        self, number: int, comment_id: int, body: str, *, pull: bool = True
    ) -> Comment: ...

    def delete_comment(self, number: int, comment_id: int, *, pull: bool = True) -> None:
        """Delete a comment; one that is already gone counts as deleted."""

    def pull(self, number: int) -> PullRef: ...

    def find_pull(self, head_branch: str, base: str) -> PullRef | None:
        """The open pull request from this repository's ``head_branch`` into ``base``."""

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRef: ...

    def pulls_of_commit(self, sha: str) -> list[PullRef]:
        """The pull requests GitHub associates with a commit: the merged one that brought it
        into the default branch, else open ones that contain it."""

    def update_pull(self, number: int, title: str, body: str) -> PullRef: ...

    def close_pull(self, number: int) -> PullRef: ...

    def identity(self) -> str:
        """The login the token writes as (``github-actions[bot]`` for a workflow's token)."""

    def issues(self, label: str, state: str = "open") -> list[IssueRef]:
        """Issues (not pull requests) with ``label``, newest first; ``state``: open, closed, all."""

    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> IssueRef: ...

    def update_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
    ) -> IssueRef: ...


class Repository(Protocol):
    """The git repository the desired state comes from (``adapters.git.Git``)."""

    @property
    def root(self) -> Path: ...

    def head(self) -> str: ...

    def resolve(self, ref: str) -> str:
        """The commit ``ref`` names, or an error that says how to fetch it."""

    def worktree(self, ref: str) -> AbstractContextManager[Path]:
        """A temporary detached checkout of ``ref``, removed afterwards."""

    def changed_since(self, commit: str) -> set[str]:
        """Paths that differ between ``commit`` and the working tree (untracked included)."""

    def uncommitted_files(self) -> list[str]: ...

    def has_commit(self, sha: str) -> bool: ...

    def is_ancestor(self, older: str, newer: str) -> bool: ...

    def is_shallow(self) -> bool: ...

    def current_branch(self) -> str:
        """The checked-out branch; ``""`` on a detached HEAD."""

    def subject(self, sha: str) -> str: ...

    def revert(self, sha: str, message: str) -> str:
        """A new commit on top of ``sha`` that reverts it; returns its sha."""

    def commit_files(self, base: str, files: Mapping[str, str | None], message: str) -> str:
        """A new commit on top of ``base`` writing ``files`` (``None``: delete); its sha."""

    def push_branch(self, commit: str, branch: str, remote: str = "origin") -> None: ...


class Runtime(Protocol):
    """Where the command runs: the GitHub Actions event and environment, the job summary and
    step outputs (``adapters.actions.ActionsEnv``); outside Actions, all of it empty."""

    @property
    def env(self) -> Mapping[str, str]: ...

    @property
    def event(self) -> Mapping[str, Any]: ...

    @property
    def event_name(self) -> str: ...

    @property
    def token(self) -> str: ...

    @property
    def pull_request(self) -> Mapping[str, Any]: ...

    @property
    def pull_number(self) -> int | None: ...

    @property
    def base_sha(self) -> str: ...

    @property
    def base_ref(self) -> str: ...

    @property
    def run_url(self) -> str: ...

    def write_summary(self, markdown: str) -> None: ...

    def set_output(self, name: str, value: str) -> None: ...
