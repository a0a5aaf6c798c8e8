"""The fake GitHub: a threaded HTTP server on 127.0.0.1, GHES-style under /api/v3.

    with GitHubFake() as fake:  # in tests: the `github` fixture
        gh = Github(auth=Auth.Token(fake.token), base_url=fake.api_url)  # or fake.client()
        gh.get_repo(fake.repo).create_issue("hello")
        assert fake.count("POST", "/repos/octo-org/app/issues") == 1

The web host (`html_url`, `GITHUB_SERVER_URL`) is the same origin without the prefix.
"""

from __future__ import annotations

import threading
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import api_issues, api_pulls, openapi
from .dispatch import API_PREFIX, Dispatcher, Recorded, Violation
from .faults import Fault, Faults, secondary_rate_limit
from .model import Token
from .render import Renderer
from .state import State
from .validate import Checker

if TYPE_CHECKING:
    from github import Github

ROUTES = {**api_pulls.ROUTES, **api_issues.ROUTES}
DEFAULT_REPO = "octo-org/app"
DEFAULT_TOKEN = "ghfake-token-octocat"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: PyGithub reuses its connection
    # Headers and body leave in two writes; with Nagle on, each response would wait for the
    # client's delayed ACK (40-200 ms).
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        # Header names are case-insensitive; curl and octokit send them in lower case.
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.fake.dispatcher.handle(self.command, self.path, headers, raw)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is fake.requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: GitHubFake


class GitHubFake:
    """A stateful, OpenAPI-checked GitHub REST API; `reset()` gives a fresh one."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.spec = openapi.load(tuple(ROUTES))
        self.checker = Checker(self.spec)
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self.port: int = self._server.server_address[1]
        self.html_url = f"http://{host}:{self.port}"
        self.api_url = f"{self.html_url}{API_PREFIX}"
        self.repo = DEFAULT_REPO
        self.token = DEFAULT_TOKEN
        self.reset()
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def reset(self) -> None:
        """Forget everything; then one org repo `octo-org/app` and one all-powerful token."""
        self.state = State()
        self.state.add_token(self.token, "octocat")
        self.state.add_repo(self.repo)
        self.faults = Faults()
        renderer = Renderer(self.state, self.api_url, self.html_url)
        self.dispatcher = Dispatcher(
            self.spec, self.checker, ROUTES, state=self.state, renderer=renderer, faults=self.faults
        )

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> GitHubFake:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # Seeding

    def add_token(
        self,
        value: str,
        login: str | None = None,
        permissions: dict[str, str] | None = None,
        *,
        installation: bool = False,
    ) -> Token:
        """E.g. a GITHUB_TOKEN for plan: add_token("t", "github-actions[bot]",
        {"pull-requests": "write", "contents": "read"}, installation=True)."""
        return self.state.add_token(value, login, permissions, installation=installation)

    def use_git(self, git_dir: str | Path, repo: str | None = None) -> None:
        """Back a repository's pull requests by a real bare repository's branches."""
        self.state.repo(repo or self.repo).git_dir = Path(git_dir)

    # Faults

    def inject(
        self,
        method: str,
        path_glob: str,
        status: int,
        *,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Fault:
        """The next `times` requests matching `method` ("*": any) and `path_glob` (below
        /api/v3, fnmatch) get `status`; `body` None: GitHub's message for it."""
        return self.faults.add(Fault(method, path_glob, status, times, headers or {}, body))

    def inject_secondary_rate_limit(
        self,
        method: str = "*",
        path_glob: str = "*",
        *,
        times: int | None = 1,
        retry_after: int = 1,
    ) -> Fault:
        return self.faults.add(secondary_rate_limit(method, path_glob, times, retry_after))

    def clear_faults(self) -> None:
        self.faults.clear()

    # What happened

    @property
    def requests(self) -> list[Recorded]:
        return list(self.dispatcher.requests)

    @property
    def violations(self) -> list[Violation]:
        return list(self.dispatcher.violations)

    def take_violations(self) -> list[Violation]:
        """The violations so far, forgotten: for tests that provoke them on purpose."""
        taken, self.dispatcher.violations = self.dispatcher.violations, []
        return taken

    def count(self, method: str = "*", path_glob: str = "*") -> int:
        """How many requests matched `method` ("*": any) and `path_glob` (fnmatch)."""
        return sum(
            1
            for r in self.dispatcher.requests
            if method in ("*", r.method) and fnmatchcase(r.path, path_glob)
        )

    # Clients

    def env(self, repo: str | None = None, token: str | None = None) -> dict[str, str]:
        """The environment a workflow step sees, pointed at the fake."""
        return {
            "GITHUB_API_URL": self.api_url,
            "GITHUB_SERVER_URL": self.html_url,
            "GITHUB_REPOSITORY": repo or self.repo,
            "GITHUB_REPOSITORY_OWNER": (repo or self.repo).split("/")[0],
            "GITHUB_TOKEN": token or self.token,
        }

    def client(self, token: str | None = None, **kwargs: Any) -> Github:
        """A PyGithub client for this fake. PyGithub's own pacing (0.25 s between requests,
        1 s between writes) is off unless kwargs set it; kwargs also take e.g. retry=None."""
        from github import Auth, Github

        kwargs.setdefault("seconds_between_requests", 0)
        kwargs.setdefault("seconds_between_writes", 0)
        return Github(auth=Auth.Token(token or self.token), base_url=self.api_url, **kwargs)
