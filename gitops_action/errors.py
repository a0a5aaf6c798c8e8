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
    """The API server answered with an error status (``status``, ``reason``, the Status body).

    Raised as one of the subclasses below when the status says what happened, so callers
    catch ``NotFound`` or ``Conflict`` instead of probing status codes; ``api_error`` picks it.
    """

    status_code = 0
    retry_after: float | None = None
    """Seconds the server asked us to wait before trying again (``Retry-After``)."""

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

    def with_message(self, message: str) -> ApiError:
        """The same error (same type, status and body) saying ``message`` instead."""
        return type(self)(self.status, self.reason, message, self.body)


class Unauthorized(ApiError):
    """401: the credentials were not accepted."""

    status_code = 401


class Forbidden(ApiError):
    """403: the identity lacks a permission (RBAC) or admission refused it."""

    status_code = 403


class NotFound(ApiError):
    """404: the object, or the namespace it would live in, does not exist."""

    status_code = 404

    @property
    def namespace_missing(self) -> bool:
        """The object's Namespace does not exist (not the object itself)."""
        return self.details_kind == "namespaces"


class Conflict(ApiError):
    """409: fields owned by other managers, or the object changed under a write."""

    status_code = 409

    @property
    def field_owners(self) -> bool:
        """A server-side apply ownership conflict (not a stale resourceVersion)."""
        return any(
            c.get("type") == "FieldManagerConflict" or "conflict with" in str(c.get("message", ""))
            for c in self.causes
        )


class Gone(ApiError):
    """410: a LIST continue token or watch resourceVersion expired."""

    status_code = 410


class Invalid(ApiError):
    """422: the object does not validate (a field's value, or an immutable field changed)."""

    status_code = 422

    @property
    def immutable_fields(self) -> list[str]:
        return [str(c.get("field")) for c in self.causes if "immutable" in str(c.get("message"))]


class TooManyRequests(ApiError):
    """429: the server asks us to slow down (API priority and fairness)."""

    status_code = 429


class ServerError(ApiError):
    """5xx: the server (or what is in front of it) failed; trying again may help."""


_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status_code: cls
    for cls in (Unauthorized, Forbidden, NotFound, Conflict, Gone, Invalid, TooManyRequests)
}


def api_error(status: int, reason: str, message: str, body: Mapping[str, Any]) -> ApiError:
    """The typed error for an HTTP status of the API server."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(status, reason, message, body)


class Unreachable(ClusterError):
    """The API server could not be reached, after retries."""

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent
        """A try may have reached the server before its connection broke; ``False`` when no
        try ever got a connection, so a write was certainly not carried out."""
