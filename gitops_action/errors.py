"""One exception root, caught in one place (``cli.main``).

Every message names where the problem is (``path:line:column``, or the object and its
target) and what to do next; ``cli.main`` prints it as ``gitops-action: error: ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class GitopsError(Exception):
    """An error the user can act on; exit code 1, no traceback."""


class ConfigError(GitopsError):
    """``.gitops.yaml`` is missing, malformed or inconsistent."""


class ManifestError(GitopsError):
    """A manifest could not be read or parsed (syntax, encoding, size)."""


class RenderError(GitopsError):
    """A renderer (kustomize, helm, jinja2) failed."""


class GitError(GitopsError):
    """A git operation failed or the repository is not in the state required."""


class ClusterError(GitopsError):
    """The Kubernetes API refused or could not be reached."""


class GitHubError(GitopsError):
    """The GitHub API refused or could not be reached."""


class ApiError(ClusterError):
    """The API server answered with an error status (``status``, ``reason``, the Status body)."""

    def __init__(self, status: int, reason: str, message: str, body: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.body = body

    @property
    def causes(self) -> list[Mapping[str, Any]]:
        details = self.body.get("details")
        return list(details.get("causes") or []) if isinstance(details, Mapping) else []

    @property
    def details_kind(self) -> str:
        details = self.body.get("details")
        return str(details.get("kind", "")) if isinstance(details, Mapping) else ""


class Unreachable(ClusterError):
    """The API server could not be reached, after retries."""
