"""pytest plugin: `github`, a fresh fake GitHub for each test, on one server per session.

Registered from tests/conftest.py. A test that sent GitHub a request its OpenAPI description
does not allow, or got a response that breaks it, errors at teardown with the list; a test
that provokes violations on purpose takes them with `github.take_violations()`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from .dispatch import Violation
from .server import GitHubFake


def violation_report(violations: list[Violation]) -> str:
    """The violations, each once, with how often it happened."""
    counts = Counter(str(v) for v in violations)
    lines = [f"  - {text}" + (f" (x{n})" if n > 1 else "") for text, n in counts.items()]
    return (
        f"the GitHub fake saw {len(violations)} request(s) or response(s) outside GitHub's "
        "OpenAPI description:\n" + "\n".join(lines)
    )


def fail_on_violations(fake: GitHubFake) -> None:
    violations = fake.take_violations()
    if violations:
        pytest.fail(violation_report(violations), pytrace=False)


@pytest.fixture(scope="session")
def github_server() -> Iterator[GitHubFake]:
    """The server behind `github`; use `github` unless state should outlive one test."""
    fake = GitHubFake()
    yield fake
    fake.close()


@pytest.fixture
def github(github_server: GitHubFake) -> Iterator[GitHubFake]:
    """A fake GitHub with repo `octo-org/app` and an all-permissions token: `.api_url`,
    `.env()`, `.client()`, `.state`, `.requests`, `.count()`, `.inject()`."""
    github_server.reset()
    yield github_server
    fail_on_violations(github_server)
