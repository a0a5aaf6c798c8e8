"""The fake behaves like GitHub for PyGithub: issues, comments, labels, pull requests, paging."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests
from github import GithubException

from tests.ghfake import GitHubFake

REPO = "octo-org/app"


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def bare_repo(tmp_path: Path) -> Path:
    """A bare repository with `main`, and `feature` one commit ahead of it."""
    bare, work = tmp_path / "app.git", tmp_path / "work"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    _git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "a.yaml").write_text("a: 1\n")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "base")
    _git(work, "checkout", "-q", "-b", "feature")
    (work / "a.yaml").write_text("a: 2\nb: 3\n")
    _git(work, "commit", "-q", "-am", "change")
    _git(work, "push", "-q", str(bare), "main", "feature")
    return bare


def test_repository_and_authenticated_user_are_served(github: GitHubFake) -> None:
    gh = github.client()
    repo = gh.get_repo(REPO)
    assert (repo.full_name, repo.default_branch, repo.owner.type) == (REPO, "main", "Organization")
    assert repo.url == f"{github.api_url}/repos/{REPO}"
    assert gh.get_user().login == "octocat"


def test_issue_comments_can_be_created_listed_edited_and_deleted(github: GitHubFake) -> None:
    issue = github.client().get_repo(REPO).create_issue("Drift detected in staging", "table")
    first = issue.create_comment("first")
    second = issue.create_comment("second")
    first.edit("first, edited")
    assert [c.body for c in issue.get_comments()] == ["first, edited", "second"]
    second.delete()
    assert [c.body for c in github.state.comments(REPO, issue.number)] == ["first, edited"]
    assert first.html_url == f"{github.html_url}/{REPO}/issues/1#issuecomment-{first.id}"
    assert github.count("DELETE", "/repos/octo-org/app/issues/comments/*") == 1


def test_pull_request_comments_go_through_the_issues_api(github: GitHubFake) -> None:
    pull = github.client().get_repo(REPO).create_pull("main", "feature", title="Plan", body="b")
    comment = pull.create_issue_comment("<!-- gitops-action:plan target=staging part=1 -->")
    assert [c.id for c in pull.get_issue_comments()] == [comment.id]
    assert github.count("POST", "/repos/*/issues/*/comments") == 1
    assert comment.html_url.startswith(f"{github.html_url}/{REPO}/pull/{pull.number}#")


def test_issues_are_filtered_by_labels_creator_and_state(github: GitHubFake) -> None:
    repo = github.client().get_repo(REPO)
    drift = repo.create_issue("Drift detected in staging", labels=["gitops-drift", "staging"])
    repo.create_issue("Unrelated", labels=["staging"])
    github.state.add_issue(REPO, "By someone else", labels=["gitops-drift"], user="hubot")
    # PyGithub annotates creator as NamedUser, but sends a login string as it is.
    wanted = repo.get_issues(labels=["gitops-drift"], creator="octocat")  # type: ignore[arg-type]
    assert [i.number for i in wanted] == [drift.number]
    assert [i.number for i in repo.get_issues(labels=["GITOPS-DRIFT"])] == [3, 1]
    drift.edit(state="closed")
    assert [i.number for i in repo.get_issues(labels=["gitops-drift"], state="closed")] == [1]
    assert github.requests[-1].query == {"state": "closed", "labels": "gitops-drift"}


def test_closing_and_reopening_an_issue_sets_reason_and_times(github: GitHubFake) -> None:
    issue = github.client().get_repo(REPO).create_issue("Drift detected in prod")
    assert (issue.state, issue.state_reason) == ("open", None)
    assert issue.closed_at is None
    issue.edit(state="closed", state_reason="completed", body="gone")
    assert (issue.state, issue.state_reason, issue.body) == ("closed", "completed", "gone")
    assert issue.closed_at is not None
    assert issue.closed_by is not None and issue.closed_by.login == "octocat"
    issue.edit(state="open")
    assert (issue.state, issue.state_reason) == ("open", "reopened")
    assert issue.closed_at is None


def test_issues_and_pull_requests_share_one_number_sequence(github: GitHubFake) -> None:
    repo = github.client().get_repo(REPO)
    assert repo.create_issue("one").number == 1
    assert repo.create_pull("main", "fix", title="two").number == 2
    assert repo.create_issue("three").number == 3
    listed = {i.number: i.pull_request is not None for i in repo.get_issues()}
    assert listed == {3: False, 2: True, 1: False}


def test_labels_are_created_listed_added_and_removed(github: GitHubFake) -> None:
    repo = github.client().get_repo(REPO)
    repo.create_label("gitops-drift", "d73a4a", "The cluster differs from Git")
    assert repo.get_label("gitops-drift").description == "The cluster differs from Git"
    with pytest.raises(GithubException) as exists:
        repo.create_label("gitops-drift", "d73a4a")
    assert exists.value.status == 422
    issue = repo.create_issue("x")
    issue.add_to_labels("gitops-drift", "needs triage")
    assert [label.name for label in repo.get_labels()] == ["gitops-drift", "needs triage"]
    issue.remove_from_labels("needs triage")
    assert github.state.issue(REPO, issue.number).labels == ["gitops-drift"]


def test_pull_requests_are_filtered_by_owner_qualified_head_and_base(github: GitHubFake) -> None:
    repo = github.client().get_repo(REPO)
    revert = repo.create_pull("main", "gitops-action/revert-drift/staging", title="Revert")
    other = repo.create_pull("main", "feature", title="Feature")
    head = "octo-org:gitops-action/revert-drift/staging"
    assert [p.number for p in repo.get_pulls(head=head)] == [revert.number]
    assert [p.number for p in repo.get_pulls(head=head, base="release")] == []
    # As on GitHub, a head without its "owner:" is no filter at all.
    unqualified = repo.get_pulls(head="gitops-action/revert-drift/staging")
    assert [p.number for p in unqualified] == [other.number, revert.number]


def test_pull_request_edits_change_title_body_and_state(github: GitHubFake) -> None:
    repo = github.client().get_repo(REPO)
    pull = repo.create_pull("main", "feature", title="Old", body="old", draft=True)
    pull.edit(title="New", body="new")
    again = repo.get_pull(pull.number)
    assert (again.title, again.body, again.draft, again.merged) == ("New", "new", True, False)
    pull.edit(state="closed")
    assert [p.number for p in repo.get_pulls(state="closed")] == [pull.number]
    assert repo.get_pulls(state="open").totalCount == 0


def test_a_second_open_pull_request_for_the_same_branches_is_refused(github: GitHubFake) -> None:
    repo = github.client().get_repo(REPO)
    repo.create_pull("main", "feature", title="one")
    with pytest.raises(GithubException) as refused:
        repo.create_pull("main", "feature", title="two")
    assert refused.value.status == 422
    assert "already exists" in refused.value.data["errors"][0]["message"]


def test_pull_requests_read_branches_from_a_real_bare_repository(
    github: GitHubFake, bare_repo: Path
) -> None:
    github.use_git(bare_repo)
    repo = github.client().get_repo(REPO)
    pull = repo.create_pull("main", "feature", title="Change a")
    assert pull.head.sha == _git(bare_repo, "rev-parse", "feature")
    assert pull.base.sha == _git(bare_repo, "rev-parse", "main")
    assert (pull.commits, pull.additions, pull.deletions, pull.changed_files) == (1, 2, 1, 1)
    with pytest.raises(GithubException) as missing:
        repo.create_pull("main", "no-such-branch", title="x")
    assert missing.value.status == 422
    assert missing.value.data["errors"] == [
        {"resource": "PullRequest", "field": "head", "code": "invalid"}
    ]
    with pytest.raises(GithubException) as empty:
        repo.create_pull("feature", "main", title="nothing to merge")
    assert "No commits between feature and main" in str(empty.value.data)


def test_the_pull_requests_of_a_commit_are_the_merged_one_else_open_ones_with_that_head(
    github: GitHubFake,
) -> None:
    repo = github.client(lazy=True).get_repo(REPO)  # lazy: no GET of the commit itself
    merged = github.state.add_pull(REPO, "feature", title="Merged", head_sha="a" * 40)
    github.state.merge_pull(REPO, merged.number, merge_commit_sha="b" * 40)
    github.state.add_pull(REPO, "other", title="Open", head_sha="c" * 40)
    by_merge = repo.get_commit("b" * 40).get_pulls()
    assert [(p.number, p.merge_commit_sha) for p in by_merge] == [(merged.number, "b" * 40)]
    assert [p.merged_at is not None for p in by_merge] == [True]
    assert [p.title for p in repo.get_commit("a" * 40).get_pulls()] == ["Merged"]
    assert [p.title for p in repo.get_commit("c" * 40).get_pulls()] == ["Open"]
    assert list(repo.get_commit("d" * 40).get_pulls()) == []


def test_comments_are_paged_with_link_headers_past_one_hundred(github: GitHubFake) -> None:
    issue = github.state.add_issue(REPO, "Long thread")
    for n in range(130):
        github.state.add_comment(REPO, issue.number, f"comment {n}")
    listed = github.client(per_page=100).get_repo(REPO).get_issue(issue.number).get_comments()
    assert [c.body for c in listed] == [f"comment {n}" for n in range(130)]
    assert github.count("GET", "/repos/octo-org/app/issues/1/comments") == 2
    url = f"{github.api_url}/repos/{REPO}/issues/1/comments"
    auth = {"Authorization": f"Bearer {github.token}"}
    first = requests.get(url, headers=auth, timeout=10)
    assert len(first.json()) == 30
    assert first.links["next"]["url"] == f"{url}?page=2"
    assert first.links["last"]["url"] == f"{url}?page=5"
    capped = requests.get(url, params={"per_page": 500, "page": 2}, headers=auth, timeout=10)
    assert len(capped.json()) == 30
    assert capped.links["prev"]["url"] == f"{url}?per_page=500&page=1"
    assert "next" not in capped.links


def test_env_points_a_workflow_at_the_fake(github: GitHubFake) -> None:
    env = github.env()
    assert env["GITHUB_API_URL"] == f"http://127.0.0.1:{github.port}/api/v3"
    assert env["GITHUB_SERVER_URL"] == f"http://127.0.0.1:{github.port}"
    assert (env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"]) == (REPO, github.token)
