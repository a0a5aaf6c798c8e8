"""The fake's errors, each answered in GitHub's JSON shape by the dispatcher."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Any status, as {"message", "documentation_url", "status"} (and "errors" if given)."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class NotFound(LookupError):
    """Answered 404 Not Found."""


class Invalid(ValueError):
    """Answered 422 Validation Failed, with one error entry in GitHub's shape."""

    def __init__(
        self,
        resource: str,
        field: str | None = None,
        code: str = "invalid",
        message: str | None = None,
    ) -> None:
        super().__init__(message or f"{resource}.{field} {code}")
        self.error: dict[str, str] = {"resource": resource, "code": code}
        if field:
            self.error["field"] = field
        if message:
            self.error["message"] = message
