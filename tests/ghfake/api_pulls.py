"""Handlers for pull requests, the repository and the authenticated user."""

from __future__ import annotations

from . import render_issues
from .api import Call, Handler, Reply, sort_key
from .errors import ApiError, Invalid
from .openapi import OperationKey
from .state import now

R = "/repos/{owner}/{repo}"


def get_user(call: Call) -> Reply:
    if call.token.installation:
        # GitHub refuses GET /user to a GITHUB_TOKEN: it is no user's token.
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(200, call.rd.private_user(call.state.add_user(call.token.login)))


def get_repo(call: Call) -> Reply:
    return Reply(200, call.rd.repo(call.repo(), call.token, full=True))


def list_pulls(call: Call) -> Reply:
    call.need("pull-requests", "read")
    repo, q = call.repo(), call.query
    found = call.state.pulls(repo.full_name, q.get("state", "open"))
    owner, colon, ref = str(q.get("head", "")).partition(":")
    # GitHub ignores a head filter without the "owner:" part, as do we.
    if colon:
        found = [
            i
            for i in found
            if i.pull and i.pull.head_ref == ref and i.pull.head_owner.lower() == owner.lower()
        ]
    if "base" in q:
        found = [i for i in found if i.pull and i.pull.base_ref == q["base"]]
    order = q.get("sort", "created")
    found.sort(key=sort_key(order))
    if q.get("direction", "desc" if order == "created" else "asc") == "desc":
        found.reverse()
    for issue in found:
        call.state.refresh_pull(repo, issue)
    return call.page([render_issues.pull(call.rd, repo, i, simple=True) for i in found])


def create_pull(call: Call) -> Reply:
    call.need("pull-requests", "write")
    repo, body = call.repo(), call.body
    if "issue" in body:
        raise ApiError(422, "ghfake does not convert issues to pull requests")
    for required in ("head", "base", "title"):
        if required not in body:
            raise Invalid("PullRequest", required, "missing_field")
    pull = call.state.add_pull(
        repo.full_name,
        body["head"],
        body["base"],
        title=body["title"],
        body=body.get("body"),
        user=call.token.login,
        draft=bool(body.get("draft")),
    )
    assert pull.pull is not None
    pull.pull.maintainer_can_modify = bool(body.get("maintainer_can_modify"))
    return call.created(render_issues.pull(call.rd, repo, pull))


def get_pull(call: Call) -> Reply:
    call.need("pull-requests", "read")
    repo, issue = call.repo(), call.issue()
    if issue.pull is None:
        raise ApiError(404, "Not Found")
    call.state.refresh_pull(repo, issue)
    return Reply(200, render_issues.pull(call.rd, repo, issue))


def update_pull(call: Call) -> Reply:
    call.need("pull-requests", "write")
    repo, issue, body = call.repo(), call.issue(), call.body
    if issue.pull is None:
        raise ApiError(404, "Not Found")
    if "title" in body:
        issue.title = body["title"]
    if "body" in body:
        issue.body = body["body"]
    if "base" in body:
        issue.pull.base_ref = body["base"]
    if "maintainer_can_modify" in body:
        issue.pull.maintainer_can_modify = body["maintainer_can_modify"]
    if "state" in body:
        call.state.set_state(issue, body["state"], None, call.token.login)
    issue.updated_at = now()
    call.state.refresh_pull(repo, issue)
    return Reply(200, render_issues.pull(call.rd, repo, issue))


def commit_pulls(call: Call) -> Reply:
    """The merged pull requests whose merge made the commit or whose head it is; for a commit
    no merge brought in, the open ones whose head it is (as GitHub answers for its branch)."""
    call.need("pull-requests", "read")
    repo, sha = call.repo(), call.params["commit_sha"]
    pulls = [i for i in call.state.pulls(repo.full_name) if i.pull is not None]
    merged = [
        i
        for i in pulls
        if i.pull and i.pull.merged_at and sha in (i.pull.merge_commit_sha, i.pull.head_sha)
    ]
    found = merged or [i for i in pulls if i.state == "open" and i.pull and i.pull.head_sha == sha]
    return call.page([render_issues.pull(call.rd, repo, i, simple=True) for i in found])


ROUTES: dict[OperationKey, Handler] = {
    ("GET", "/user"): get_user,
    ("GET", R): get_repo,
    ("GET", f"{R}/pulls"): list_pulls,
    ("POST", f"{R}/pulls"): create_pull,
    ("GET", f"{R}/pulls/{{pull_number}}"): get_pull,
    ("PATCH", f"{R}/pulls/{{pull_number}}"): update_pull,
    ("GET", f"{R}/commits/{{commit_sha}}/pulls"): commit_pulls,
}
