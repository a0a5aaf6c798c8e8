"""One request in, one response out: match, validate, authenticate, handle, validate again.

Every request is matched to an operation of GitHub's OpenAPI description and checked (path
and query parameters, JSON body); every response is checked too (status described for the
operation, content type, body against that status's schema). A mismatch on either side is
recorded as a violation and answered with an error, so the caller notices as well.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from .api import Call, Handler, Reply
from .errors import ApiError, Invalid, NotFound
from .faults import Faults
from .model import Token
from .openapi import Operation, Spec
from .render import Renderer
from .state import State
from .validate import Checker

API_PREFIX = "/api/v3"
JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Violation:
    """A request or response that GitHub's description does not allow."""

    side: str  # "request" or "response"
    method: str
    path: str
    operation: str | None
    problems: tuple[str, ...]

    def __str__(self) -> str:
        where = f" ({self.operation})" if self.operation else ""
        return f"{self.side} {self.method} {self.path}{where}: " + "; ".join(self.problems)


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it, and the status it answered."""

    method: str
    path: str  # below the API prefix
    query: dict[str, str]
    body: Any
    status: int
    operation: str | None
    fault: bool


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def _error(status: int, message: str, doc_url: str, errors: list[Any] | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "documentation_url": doc_url}
    if errors is not None:
        body["errors"] = errors
    body["status"] = str(status)
    return Reply(status, body)


class Dispatcher:
    def __init__(
        self,
        spec: Spec,
        checker: Checker,
        routes: Mapping[Any, Handler],
        *,
        state: State,
        renderer: Renderer,
        faults: Faults,
    ) -> None:
        self.spec, self.checker, self.routes = spec, checker, routes
        self.state, self.renderer, self.faults = state, renderer, faults
        self.requests: list[Recorded] = []
        self.violations: list[Violation] = []
        self._lock = threading.Lock()

    def handle(self, method: str, target: str, headers: Mapping[str, str], raw: bytes) -> Response:
        """Answers `method target` (target: path and query); `headers` named in lower case."""
        path, _, query_string = target.partition("?")
        if not path.startswith(API_PREFIX + "/"):
            # The web host (html_url): nothing is served there, and it is no API violation.
            return Response(404, {"Content-Type": "text/plain"}, b"Not Found")
        path = path[len(API_PREFIX) :]
        raw_query = parse_qsl(query_string, keep_blank_values=True)
        body, problems = _json(raw)
        match = self.spec.match(method, path)
        if match is None:
            return self._unmatched(method, path, dict(raw_query), body)
        op, raw_params = match
        path_params = {k: unquote(v) for k, v in raw_params.items()}
        params, path_problems = self.checker.coerce_params(op, "path", path_params)
        query, query_problems = self.checker.coerce_params(op, "query", dict(raw_query))
        if not problems:
            problems = self.checker.request_body(op, body, headers.get("content-type", ""))
        problems = [*problems, *path_problems, *query_problems]
        if problems:
            self._violate("request", method, path, op.operation_id, problems)
        fault = self.faults.take(method, path)
        token = self._token(headers)
        if fault is not None:
            reply = Reply(fault.status, fault.payload(), dict(fault.headers))
        elif isinstance(token, Reply):
            reply = token
        elif problems:
            reply = _invalid(op, problems)
        else:
            call = Call(self.state, self.renderer, token, op, path, params, query, raw_query, body)
            reply = self._run(call)
        response = self._encode(reply)
        # A raw (non-JSON) injected body, like a proxy's HTML 502, is exempt from the schemas.
        if not (fault and isinstance(fault.body, (str, bytes))):
            response = self._check(method, path, op, response)
        self._record(
            Recorded(
                method,
                path,
                dict(raw_query),
                body,
                response.status,
                op.operation_id,
                fault is not None,
            )
        )
        return response

    def _token(self, headers: Mapping[str, str]) -> Token | Reply:
        auth = headers.get("authorization", "")
        if not auth:
            return _error(401, "Requires authentication", "https://docs.github.com/rest")
        scheme, _, secret = auth.partition(" ")
        token = self.state.tokens.get(secret.strip())
        if scheme.lower() not in ("token", "bearer") or token is None:
            return _error(401, "Bad credentials", "https://docs.github.com/rest")
        return token

    def _run(self, call: Call) -> Reply:
        doc = call.op.doc_url
        try:
            with self.state.lock:
                return self.routes[(call.op.method, call.op.template)](call)
        except ApiError as e:
            reply = _error(e.status, e.message, doc, e.errors)
            reply.headers.update(e.headers)
            return reply
        except NotFound:
            return _error(404, "Not Found", doc)
        except Invalid as e:
            return _error(422, "Validation Failed", doc, [e.error])
        except Exception as e:
            # A bug in the fake: fail the test with where it happened, not a dropped connection.
            where = traceback.extract_tb(e.__traceback__)[-1]
            crash = f"the fake crashed: {e!r} at {Path(where.filename).name}:{where.lineno}"
            self._violate("response", call.op.method, call.path, call.op.operation_id, [crash])
            return _error(500, f"ghfake crashed: {e!r}", doc)

    def _encode(self, reply: Reply) -> Response:
        headers = {
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": f"GHFAKE:{time.monotonic_ns():x}",
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": "1",
            "X-RateLimit-Resource": "core",
        }
        if reply.body is None:
            body = b""
        elif isinstance(reply.body, (str, bytes)):
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            headers["Content-Type"] = "text/html; charset=utf-8"
        else:
            body = json.dumps(reply.body).encode()
            headers["Content-Type"] = JSON_TYPE
        headers.update(reply.headers)
        return Response(reply.status, headers, body)

    def _check(self, method: str, path: str, op: Operation, response: Response) -> Response:
        content_type = response.headers.get("Content-Type", "")
        problems = self.checker.response(op, response.status, content_type, response.body)
        if not problems:
            return response
        self._violate("response", method, path, op.operation_id, problems)
        message = "ghfake: its response broke GitHub's OpenAPI description (see the violations)"
        return self._encode(_error(500, message, op.doc_url))

    def _unmatched(self, method: str, path: str, query: dict[str, str], body: Any) -> Response:
        described = self.spec.described(method, path)
        if described:
            problem = "GitHub describes it, but the fake does not serve it (add it)"
            reply = _error(
                501, f"ghfake does not serve {described}", "https://docs.github.com/rest"
            )
        else:
            problem = "no operation of GitHub's OpenAPI description has this method and path"
            reply = _error(404, "Not Found", "https://docs.github.com/rest")
        self._violate("request", method, path, described, [problem])
        response = self._encode(reply)
        self._record(Recorded(method, path, query, body, response.status, described, False))
        return response

    def _violate(
        self, side: str, method: str, path: str, name: str | None, problems: list[str]
    ) -> None:
        with self._lock:
            self.violations.append(Violation(side, method, path, name, tuple(problems)))

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)


def _invalid(op: Operation, problems: list[str]) -> Reply:
    if any(p.startswith("Problems parsing JSON") for p in problems):
        return _error(400, "Problems parsing JSON", op.doc_url)
    return _error(422, "Invalid request.\n\n" + "\n".join(problems), op.doc_url)


def _json(raw: bytes) -> tuple[Any, list[str]]:
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError as e:
        return None, [f"Problems parsing JSON: {e}"]
