"""A stateful fake of GitHub's REST API, every request and response checked against GitHub's
published OpenAPI description (npm `@octokit/openapi`, installed by tools/ensure-openapi).

Use the `github` fixture (tests/ghfake/fixtures.py), or `GitHubFake()` as a context manager.
"""

from .dispatch import Recorded, Violation
from .errors import ApiError, Invalid, NotFound
from .faults import Fault
from .model import Comment, Issue, Label, PullFields, Repo, Token, User
from .server import GitHubFake
from .state import State

__all__ = [
    "ApiError",
    "Comment",
    "Fault",
    "GitHubFake",
    "Invalid",
    "Issue",
    "Label",
    "NotFound",
    "PullFields",
    "Recorded",
    "Repo",
    "State",
    "Token",
    "User",
    "Violation",
]
