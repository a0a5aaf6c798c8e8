"""GitHub's JSON for issues and pull requests (which are issues with more fields)."""

from __future__ import annotations

from .model import Issue, Repo
from .render import Obj, Renderer, node_id


def issue(rd: Renderer, r: Repo, i: Issue) -> Obj:
    api = f"{rd.api}/repos/{r.full_name}/issues/{i.number}"
    obj: Obj = {
        "id": i.id,
        "node_id": node_id("Issue", i.id),
        "url": api,
        "repository_url": f"{rd.api}/repos/{r.full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "timeline_url": f"{api}/timeline",
        "html_url": rd.html_issue(r, i),
        "number": i.number,
        "state": i.state,
        "state_reason": i.state_reason,
        "title": i.title,
        "body": i.body,
        "user": rd.user(i.user),
        "labels": rd.labels(r, i.labels),
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": i.locked,
        "active_lock_reason": None,
        "comments": len(rd.state.comments(r.full_name, i.number)),
        "closed_at": i.closed_at,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "closed_by": rd.user(i.closed_by) if i.closed_by else None,
        "author_association": rd.association(r, i.user),
        "performed_via_github_app": None,
        "reactions": rd.reactions(api),
    }
    if i.pull:
        html = rd.html_issue(r, i)
        obj["draft"] = i.pull.draft
        obj["pull_request"] = {
            "url": f"{rd.api}/repos/{r.full_name}/pulls/{i.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": i.pull.merged_at,
        }
    return obj


def pull(rd: Renderer, r: Repo, i: Issue, simple: bool = False) -> Obj:
    """A pull request: `simple` for the list (pull-request-simple), else the full object."""
    p = i.pull
    assert p is not None, f"#{i.number} is an issue, not a pull request"
    repo_api = f"{rd.api}/repos/{r.full_name}"
    api, html = f"{repo_api}/pulls/{i.number}", rd.html_issue(r, i)
    links = {
        "self": api,
        "html": html,
        "issue": f"{repo_api}/issues/{i.number}",
        "comments": f"{repo_api}/issues/{i.number}/comments",
        "review_comments": f"{api}/comments",
        "review_comment": f"{repo_api}/pulls/comments{{/number}}",
        "commits": f"{api}/commits",
        "statuses": f"{repo_api}/statuses/{p.head_sha}",
    }
    repo_obj = rd.repo(r)

    def side(ref: str, sha: str) -> Obj:
        return {
            "label": f"{p.head_owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": rd.user(r.owner),
            "repo": repo_obj,
        }

    obj: Obj = {
        "url": api,
        "id": p.id,
        "node_id": node_id("PullRequest", p.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": links["issue"],
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": i.number,
        "state": i.state,
        "locked": i.locked,
        "title": i.title,
        "user": rd.user(i.user),
        "body": i.body,
        "labels": rd.labels(r, i.labels),
        "milestone": None,
        "active_lock_reason": None,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "closed_at": i.closed_at,
        "merged_at": p.merged_at,
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": side(p.head_ref, p.head_sha),
        "base": side(p.base_ref, p.base_sha),
        "_links": {k: {"href": v} for k, v in links.items()},
        "author_association": rd.association(r, i.user),
        "auto_merge": None,
        "draft": p.draft,
    }
    obj["base"]["label"] = f"{r.owner}:{p.base_ref}"
    if simple:
        return obj
    merged = p.merged_at is not None
    obj.update(
        merged=merged,
        mergeable=None if merged or i.state == "closed" else True,
        rebaseable=None if merged or i.state == "closed" else True,
        mergeable_state="unknown" if merged or i.state == "closed" else "clean",
        merged_by=rd.user(p.merged_by) if p.merged_by else None,
        comments=len(rd.state.comments(r.full_name, i.number)),
        review_comments=0,
        maintainer_can_modify=p.maintainer_can_modify,
        commits=p.commits,
        additions=p.additions,
        deletions=p.deletions,
        changed_files=p.changed_files,
    )
    return obj
