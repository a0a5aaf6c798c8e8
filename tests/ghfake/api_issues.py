"""Handlers for issues, issue comments and labels, with GitHub's filters and rules."""

from __future__ import annotations

from typing import Any

from . import render_issues
from .api import Call, Handler, Reply, sort_key
from .errors import ApiError
from .model import Issue
from .openapi import OperationKey
from .state import now

R = "/repos/{owner}/{repo}"


def _names(labels: list[Any]) -> list[str]:
    # Labels may be given as names or as objects with a name.
    return [str(x["name"]) if isinstance(x, dict) else str(x) for x in labels]


def list_issues(call: Call) -> Reply:
    call.need("issues", "read", alt="pull-requests")
    repo, q = call.repo(), call.query
    found = call.state.numbered(repo.full_name, q.get("state", "open"))
    if "labels" in q:
        wanted = {n.strip().lower() for n in q["labels"].split(",") if n.strip()}
        found = [i for i in found if wanted <= {n.lower() for n in i.labels}]
    if "creator" in q:
        found = [i for i in found if i.user.lower() == q["creator"].lower()]
    if "since" in q:
        found = [i for i in found if i.updated_at >= q["since"]]
    if q.get("sort") == "comments":
        found.sort(key=lambda i: (len(call.state.comments(repo.full_name, i.number)), i.number))
    else:
        found.sort(key=sort_key(q.get("sort", "created")))
    if q.get("direction", "desc") == "desc":
        found.reverse()
    return call.page([render_issues.issue(call.rd, repo, i) for i in found])


def create_issue(call: Call) -> Reply:
    call.need("issues", "write")
    repo, body = call.repo(), call.body
    labels = _names(body.get("labels", []))
    title = str(body["title"])
    issue = call.state.add_issue(
        repo.full_name, title, body.get("body"), labels=labels, user=call.token.login
    )
    return call.created(render_issues.issue(call.rd, repo, issue))


def get_issue(call: Call) -> Reply:
    call.need("issues", "read", alt="pull-requests")
    return Reply(200, render_issues.issue(call.rd, call.repo(), call.issue()))


def update_issue(call: Call) -> Reply:
    repo, issue, body = call.repo(), call.issue(), call.body
    call.need_for(issue, "write")
    if body.get("title") is not None:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = body["body"]
    if "state" in body:
        call.state.set_state(issue, body["state"], body.get("state_reason"), call.token.login)
    if "labels" in body:
        call.state.set_labels(repo.full_name, issue, _names(body["labels"] or []))
    issue.updated_at = now()
    return Reply(200, render_issues.issue(call.rd, repo, issue))


def list_comments(call: Call) -> Reply:
    issue = call.issue()
    call.need_for(issue, "read")
    repo, since = call.repo(), call.query.get("since", "")
    found = [c for c in call.state.comments(repo.full_name, issue.number) if c.updated_at >= since]
    return call.page([call.rd.comment(repo, c) for c in found])


def create_comment(call: Call) -> Reply:
    repo, issue = call.repo(), call.issue()
    call.need_for(issue, "write")
    comment = call.state.add_comment(
        repo.full_name, issue.number, call.body["body"], call.token.login
    )
    return call.created(call.rd.comment(repo, comment))


def _comment_issue(call: Call) -> tuple[Any, Issue]:
    repo = call.repo()
    comment = call.state.comment(repo.full_name, call.params["comment_id"])
    return comment, call.state.issue(repo.full_name, comment.issue_number)


def get_comment(call: Call) -> Reply:
    comment, issue = _comment_issue(call)
    call.need_for(issue, "read")
    return Reply(200, call.rd.comment(call.repo(), comment))


def update_comment(call: Call) -> Reply:
    comment, issue = _comment_issue(call)
    call.need_for(issue, "write")
    comment.body, comment.updated_at = call.body["body"], now()
    return Reply(200, call.rd.comment(call.repo(), comment))


def delete_comment(call: Call) -> Reply:
    comment, issue = _comment_issue(call)
    call.need_for(issue, "write")
    call.state.delete_comment(call.repo().full_name, comment.id)
    return Reply(204)


def list_labels(call: Call) -> Reply:
    repo = call.repo()
    labels = sorted(repo.labels.values(), key=lambda label: label.name.lower())
    return call.page([call.rd.label(repo, label) for label in labels])


def create_label(call: Call) -> Reply:
    call.need("issues", "write", alt="pull-requests")
    repo, body = call.repo(), call.body
    label = call.state.add_label(
        repo.full_name, body["name"], body.get("color", "ededed"), body.get("description")
    )
    return call.created(call.rd.label(repo, label))


def get_label(call: Call) -> Reply:
    repo = call.repo()
    label = repo.labels.get(str(call.params["name"]).lower())
    if label is None:
        raise ApiError(404, "Not Found")
    return Reply(200, call.rd.label(repo, label))


def _label_body(body: Any) -> list[str]:
    # Described as {"labels": [...]}; GitHub also takes a bare list or a single string.
    labels = body.get("labels", []) if isinstance(body, dict) else body
    return _names([labels] if isinstance(labels, str) else list(labels or []))


def issue_labels(call: Call) -> Reply:
    """GET, POST (add) and PUT (replace) /issues/{n}/labels: the labels afterwards."""
    repo, issue = call.repo(), call.issue()
    call.need_for(issue, "read" if call.op.method == "GET" else "write")
    if call.op.method == "POST":
        call.state.set_labels(repo.full_name, issue, issue.labels + _label_body(call.body))
    elif call.op.method == "PUT":
        call.state.set_labels(repo.full_name, issue, _label_body(call.body))
    labels = call.rd.labels(repo, issue.labels)
    return call.page(labels) if call.op.method == "GET" else Reply(200, labels)


def remove_label(call: Call) -> Reply:
    repo, issue = call.repo(), call.issue()
    call.need_for(issue, "write")
    name = str(call.params["name"]).lower()
    if name not in {n.lower() for n in issue.labels}:
        raise ApiError(404, "Label does not exist")
    call.state.set_labels(repo.full_name, issue, [n for n in issue.labels if n.lower() != name])
    return Reply(200, call.rd.labels(repo, issue.labels))


ROUTES: dict[OperationKey, Handler] = {
    ("GET", f"{R}/issues"): list_issues,
    ("POST", f"{R}/issues"): create_issue,
    ("GET", f"{R}/issues/{{issue_number}}"): get_issue,
    ("PATCH", f"{R}/issues/{{issue_number}}"): update_issue,
    ("GET", f"{R}/issues/{{issue_number}}/comments"): list_comments,
    ("POST", f"{R}/issues/{{issue_number}}/comments"): create_comment,
    ("GET", f"{R}/issues/comments/{{comment_id}}"): get_comment,
    ("PATCH", f"{R}/issues/comments/{{comment_id}}"): update_comment,
    ("DELETE", f"{R}/issues/comments/{{comment_id}}"): delete_comment,
    ("GET", f"{R}/labels"): list_labels,
    ("POST", f"{R}/labels"): create_label,
    ("GET", f"{R}/labels/{{name}}"): get_label,
    ("GET", f"{R}/issues/{{issue_number}}/labels"): issue_labels,
    ("POST", f"{R}/issues/{{issue_number}}/labels"): issue_labels,
    ("PUT", f"{R}/issues/{{issue_number}}/labels"): issue_labels,
    ("DELETE", f"{R}/issues/{{issue_number}}/labels/{{name}}"): remove_label,
}
