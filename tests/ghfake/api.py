"""What every handler shares: the call it answers, its reply, errors, permissions, paging."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .errors import ApiError
from .model import Issue, Repo, Token
from .openapi import Operation
from .render import Obj, Renderer
from .state import State

PER_PAGE_DEFAULT = 30
PER_PAGE_MAX = 100


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON value; None for no body (204)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One authenticated request matched to its operation, parameters already typed."""

    state: State
    rd: Renderer
    token: Token
    op: Operation
    path: str  # below the API prefix, e.g. /repos/octo-org/app/issues
    params: dict[str, Any]
    query: dict[str, Any]
    raw_query: list[tuple[str, str]]
    body: Any

    def repo(self) -> Repo:
        return self.state.repo(f"{self.params['owner']}/{self.params['repo']}")

    def issue(self) -> Issue:
        number = self.params.get("issue_number") or self.params["pull_number"]
        return self.state.issue(self.repo().full_name, int(number))

    def need(self, scope: str, level: str, *, alt: str | None = None) -> None:
        """403 as GitHub answers a token without the permission (alt: either one will do)."""
        if self.token.allows(scope, level) or (alt and self.token.allows(alt, level)):
            return
        who = "integration" if self.token.installation else "personal access token"
        raise ApiError(403, f"Resource not accessible by {who}")

    def need_for(self, issue: Issue, level: str) -> None:
        # Commenting on or labelling a pull request is allowed with either permission.
        if issue.is_pull:
            self.need("pull-requests", level, alt="issues")
        else:
            self.need("issues", level)

    def created(self, body: Obj) -> Reply:
        return Reply(201, body, {"Location": str(body["url"])})

    def page(self, items: list[Obj]) -> Reply:
        """One page of `items` with GitHub's Link header (rel next, last, first, prev)."""
        per_page = self.query.get("per_page", PER_PAGE_DEFAULT)
        per_page = PER_PAGE_DEFAULT if per_page < 1 else min(per_page, PER_PAGE_MAX)
        page = max(self.query.get("page", 1), 1)
        last = max(1, math.ceil(len(items) / per_page))
        links: dict[str, int] = {}
        if page < last:
            links.update(next=page + 1, last=last)
        if page > 1:
            links.update(first=1, prev=min(page - 1, last))
        kept = [(k, v) for k, v in self.raw_query if k != "page"]
        header = ", ".join(
            f'<{self.rd.api}{self.path}?{urlencode([*kept, ("page", str(n))])}>; rel="{rel}"'
            for rel, n in links.items()
        )
        chunk = items[(page - 1) * per_page : page * per_page]
        return Reply(200, chunk, {"Link": header} if header else {})


Handler = Callable[[Call], Reply]


def sort_key(order: str) -> Callable[[Issue], Any]:
    if order == "updated":
        return lambda i: (i.updated_at, i.number)
    return lambda i: (i.created_at, i.number)
