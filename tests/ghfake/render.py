"""Turns state records into GitHub's JSON, with absolute URLs on the fake's own host.

PyGithub follows `url`, `issue_url`, `comments_url` and the rest instead of building paths, so
every URL points back at the fake: API URLs under `api`, web URLs (`html_url`) under `html`.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlsplit

from .model import Comment, Issue, Label, Repo, Token, User
from .state import State

Obj = dict[str, Any]
_REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")


def node_id(kind: str, id: int) -> str:
    # GitHub's legacy global ids: base64 of "<len>:<Type><id>", e.g. MDU6SXNzdWUx for Issue 1.
    return base64.b64encode(f"0{len(kind)}:{kind}{id}".encode()).decode()


class Renderer:
    def __init__(self, state: State, api: str, html: str) -> None:
        self.state = state
        self.api = api
        self.html = html
        self.host = urlsplit(html).netloc

    def user(self, login: str) -> Obj:
        u = self.state.add_user(login)
        api = f"{self.api}/users/{quote(u.login)}"
        return {
            "login": u.login,
            "id": u.id,
            "node_id": node_id(u.type, u.id),
            "avatar_url": f"{self.html}/avatars/u/{u.id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self.html}/{quote(u.login)}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": u.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def private_user(self, u: User) -> Obj:
        """GET /user: the private view, which carries fields the public one may not."""
        counts = dict.fromkeys(
            ("public_repos", "public_gists", "followers", "following", "private_gists"), 0
        )
        more = dict.fromkeys(
            ("total_private_repos", "owned_private_repos", "disk_usage", "collaborators"), 0
        )
        nothing = dict.fromkeys(("company", "blog", "location", "hireable", "bio"), None)
        return {
            **self.user(u.login),
            **counts,
            **more,
            **nothing,
            "user_view_type": "private",
            "name": u.name,
            "email": u.email,
            "twitter_username": None,
            "created_at": u.created_at,
            "updated_at": u.created_at,
            "two_factor_authentication": True,
        }

    def repo(self, r: Repo, token: Token | None = None, full: bool = False) -> Obj:
        api, html = f"{self.api}/repos/{r.full_name}", f"{self.html}/{r.full_name}"
        templated = {
            "archive": "/{archive_format}{/ref}", "assignees": "/assignees{/user}",
            "blobs": "/git/blobs{/sha}", "branches": "/branches{/branch}",
            "collaborators": "/collaborators{/collaborator}", "comments": "/comments{/number}",
            "commits": "/commits{/sha}", "compare": "/compare/{base}...{head}",
            "contents": "/contents/{+path}", "git_commits": "/git/commits{/sha}",
            "git_refs": "/git/refs{/sha}", "git_tags": "/git/tags{/sha}",
            "issue_comment": "/issues/comments{/number}",
            "issue_events": "/issues/events{/number}", "issues": "/issues{/number}",
            "keys": "/keys{/key_id}", "labels": "/labels{/name}",
            "milestones": "/milestones{/number}",
            "notifications": "/notifications{?since,all,participating}",
            "pulls": "/pulls{/number}", "releases": "/releases{/id}",
            "statuses": "/statuses/{sha}", "trees": "/git/trees{/sha}",
        }  # fmt: skip
        plain = ("contributors", "deployments", "downloads", "events", "forks", "hooks",
                 "languages", "merges", "stargazers", "subscribers", "subscription", "tags",
                 "teams")  # fmt: skip
        open_count = sum(1 for i in r.issues.values() if i.state == "open")
        write = token is not None and token.allows("contents", "write")
        obj: Obj = {
            "id": r.id, "node_id": node_id("Repository", r.id), "name": r.name,
            "full_name": r.full_name, "owner": self.user(r.owner), "private": r.private,
            "html_url": html, "description": r.description, "fork": False, "url": api,
            **{f"{k}_url": api + v for k, v in templated.items()},
            **{f"{k}_url": f"{api}/{k}" for k in plain},
            "git_url": f"git://{self.host}/{r.full_name}.git",
            "ssh_url": f"git@{self.host}:{r.full_name}.git", "clone_url": f"{html}.git",
            "svn_url": html, "mirror_url": None, "homepage": None, "language": None,
            "forks_count": 0, "forks": 0, "stargazers_count": 0, "watchers_count": 0,
            "watchers": 0, "size": 0, "default_branch": r.default_branch,
            "open_issues_count": open_count, "open_issues": open_count, "is_template": False,
            "topics": [], "has_issues": True, "has_projects": True, "has_wiki": True,
            "has_pages": False, "has_downloads": True, "has_discussions": False,
            "archived": False, "disabled": False,
            "visibility": "private" if r.private else "public",
            "pushed_at": r.created_at, "created_at": r.created_at, "updated_at": r.created_at,
            "permissions": {"admin": write, "maintain": write, "push": write,
                            "triage": write, "pull": True},
            "allow_forking": True, "web_commit_signoff_required": False, "license": None,
        }  # fmt: skip
        if full:
            obj.update(network_count=0, subscribers_count=0, allow_merge_commit=True,
                       allow_squash_merge=True, allow_rebase_merge=True, allow_auto_merge=False,
                       delete_branch_on_merge=False)  # fmt: skip
        return obj

    def label(self, r: Repo, label: Label) -> Obj:
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.api}/repos/{r.full_name}/labels/{quote(label.name)}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def labels(self, r: Repo, names: list[str]) -> list[Obj]:
        return [self.label(r, r.labels[n.lower()]) for n in names]

    def association(self, r: Repo, login: str) -> str:
        if login.lower() == r.owner.lower():
            return "OWNER"
        return "NONE" if self.state.add_user(login).type == "Bot" else "MEMBER"

    def reactions(self, url: str) -> Obj:
        return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(_REACTIONS, 0)}

    def comment(self, r: Repo, c: Comment) -> Obj:
        issue = r.issues[c.issue_number]
        url = f"{self.api}/repos/{r.full_name}/issues/comments/{c.id}"
        return {
            "id": c.id,
            "node_id": node_id("IssueComment", c.id),
            "url": url,
            "html_url": f"{self.html_issue(r, issue)}#issuecomment-{c.id}",
            "body": c.body,
            "user": self.user(c.user),
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "issue_url": f"{self.api}/repos/{r.full_name}/issues/{issue.number}",
            "author_association": self.association(r, c.user),
            "performed_via_github_app": None,
            "reactions": self.reactions(url),
        }

    def html_issue(self, r: Repo, issue: Issue) -> str:
        kind = "pull" if issue.is_pull else "issues"
        return f"{self.html}/{r.full_name}/{kind}/{issue.number}"
