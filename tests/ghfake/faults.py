"""Injected failures: the next N matching requests get a chosen status, headers and body.

Bodies default to GitHub's own: a 403 secondary rate limit with `Retry-After`, a 429, and the
5xx messages its front end sends. Faults are checked in the order they were injected.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from http import HTTPStatus
from typing import Any

SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID "
    "0000:0000:0000000:0000000:00000000."
)
RATE_LIMIT_DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)


@dataclass
class Fault:
    """`times=None` fails every matching request until `fake.clear_faults()`."""

    method: str  # "GET", or "*" for any
    path_glob: str  # below the API prefix, fnmatch-style: "/repos/*/issues/*/comments"
    status: int
    times: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # JSON value, or str/bytes sent as they are; None: GitHub's message
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and fnmatchcase(path, self.path_glob)

    def payload(self) -> Any:
        if self.body is not None:
            return self.body
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        return {
            "message": phrase,
            "documentation_url": "https://docs.github.com/rest",
            "status": str(self.status),
        }


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first live fault matching the request, counted as used."""
        with self._lock:
            for fault in self._faults:
                live = fault.times is None or fault.hits < fault.times
                if live and fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


def secondary_rate_limit(method: str, path_glob: str, times: int | None, retry_after: int) -> Fault:
    """GitHub's 403 for too many writes too fast: retry after `Retry-After` seconds."""
    body = {"message": SECONDARY_RATE_LIMIT, "documentation_url": RATE_LIMIT_DOCS}
    return Fault(method, path_glob, 403, times, {"Retry-After": str(retry_after)}, body)
