"""``gitops-action plan`` on a pull request, end to end: a real git repository, the CLI, and the
OpenAPI-checked fake GitHub. ``--no-live``: the comment lifecycle needs no cluster."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.ghfake import GitHubFake
from tests.github.helpers import REPO, configmap, errors, open_pull, said, secret
from tests.support import Repo

STAGING = "deploy/staging/cm.yaml"
WRITES = ("POST", "PATCH", "DELETE")


def writes(github: GitHubFake) -> int:
    return sum(github.count(method, "*") for method in WRITES)


def pull_request(repo: Repo, github: GitHubFake) -> Any:
    return open_pull(
        repo,
        github,
        {STAGING: configmap("web", color="blue")},
        {STAGING: configmap("web", color="green")},
    )


def test_plan_on_a_pull_request_comments_once_per_changed_target(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    result = run_cli(repo.root, "plan", "--no-live", env=pull.env())
    assert result.code == 0, said(result)
    [comment] = github.state.comments(REPO, pull.number)
    lines = comment.body.splitlines()
    assert lines[:2] == [
        "<!-- gitops-action:plan target=staging part=1 -->",
        "### gitops-action plan · `staging`",
    ]
    assert "| `staging` | 0 | 1 | 0 | 0 | 0 |" in lines
    assert "-  color: blue" in lines and "+  color: green" in lines
    assert lines[-1] == (
        f"<sub>revision `{pull.head[:12]}` · base `{pull.base[:12]}` · "
        f"[workflow run]({github.html_url}/{REPO}/actions/runs/4242) · gitops-action</sub>"
    )
    url = f"{github.html_url}/{REPO}/pull/{pull.number}#issuecomment-{comment.id}"
    assert pull.outputs()["comment-url"] == url
    assert f"plan comment for staging: created: {url}" in said(result)
    # prod has no changes: no comment for it, and nothing was written but the one comment.
    assert writes(github) == 1


def test_a_second_push_updates_the_comment_in_place(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0
    [first] = github.state.comments(REPO, pull.number)
    first_id, first_body = first.id, first.body
    pull.push({STAGING: configmap("web", color="red")})
    result = run_cli(repo.root, "plan", "--no-live", env=pull.env())
    assert result.code == 0, said(result)
    [comment] = github.state.comments(REPO, pull.number)
    assert comment.id == first_id and comment.body != first_body
    assert "+  color: red" in comment.body and "color: green" not in comment.body
    assert f"revision `{pull.head[:12]}`" in comment.body
    assert github.count("POST", "*") == 1
    assert github.count("PATCH", f"/repos/{REPO}/issues/comments/{first_id}") == 1
    assert "plan comment for staging: updated" in said(result)


def test_running_again_on_the_same_commit_writes_nothing(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0
    before = writes(github)
    again = run_cli(repo.root, "plan", "--no-live", env=pull.env())
    assert again.code == 0, said(again)
    assert writes(github) == before == 1
    assert "plan comment for staging: unchanged" in said(again)


def test_a_pull_request_that_undoes_its_changes_says_no_changes_in_the_same_comment(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0
    [first] = github.state.comments(REPO, pull.number)
    first_id = first.id
    pull.push({STAGING: configmap("web", color="blue")})
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0
    [comment] = github.state.comments(REPO, pull.number)
    assert comment.id == first_id
    assert "No changes: the desired state of `staging` matches the base ref" in comment.body
    assert "<details>" not in comment.body
    assert github.count("POST", "*") == 1


def test_no_comment_off_pull_requests_or_with_no_comment(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    assert run_cli(repo.root, "plan", "--no-live", "--no-comment", env=pull.env()).code == 0
    push = pull.env(GITHUB_EVENT_NAME="push")
    assert run_cli(repo.root, "plan", "--no-live", "--base-ref", pull.base, env=push).code == 0
    no_token = pull.env(GITHUB_TOKEN="")
    assert run_cli(repo.root, "plan", "--no-live", env=no_token).code == 0
    assert github.requests == []
    assert "comment-url" not in pull.outputs()
    assert pull.outputs()["changes"] == "true"


def test_comment_without_a_pull_request_fails_clearly(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    env = pull.env(GITHUB_EVENT_NAME="push", GITHUB_EVENT_PATH=str(pull.tmp / "none.json"))
    result = run_cli(repo.root, "plan", "--no-live", "--comment", "--base-ref", pull.base, env=env)
    assert result.code == 1
    assert errors(result) == (
        "gitops-action: error: --comment needs a pull request: run plan on a pull_request event "
        "(GITHUB_EVENT_PATH names it), or pass --no-comment\n"
    )


def test_a_token_without_pull_requests_write_exits_1_naming_the_permission(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    github.add_token(
        "read-only", "github-actions[bot]", {"pull-requests": "read"}, installation=True
    )
    pull = pull_request(repo, github)
    result = run_cli(repo.root, "plan", "--no-live", env=pull.env(GITHUB_TOKEN="read-only"))
    assert result.code == 1
    assert errors(result).splitlines()[0] == (
        f"gitops-action: error: GitHub refused to comment on {REPO}#{pull.number} (403 Resource "
        "not accessible by integration): the workflow's token needs 'pull-requests: write' — "
        "add 'permissions: pull-requests: write' to the job"
    )
    assert "Traceback" not in said(result)
    assert github.state.comments(REPO, pull.number) == []
    # The plan itself was published before the comment failed.
    assert "gitops-action plan · `staging`" in (pull.tmp / "summary.md").read_text()


def test_a_bad_token_exits_1_saying_to_pass_github_token(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    result = run_cli(repo.root, "plan", "--no-live", env=pull.env(GITHUB_TOKEN="revoked"))
    assert result.code == 1
    assert errors(result) == (
        f"gitops-action: error: GitHub refused to list the comments on {REPO}#{pull.number} "
        "(401 Bad credentials): the token is missing, wrong or expired; pass a valid one as the "
        "action's github-token input (or GITHUB_TOKEN)\n"
    )


def test_secret_values_never_reach_github(repo: Repo, github: GitHubFake, run_cli: Any) -> None:
    values = ["hunter2-before", "correct-horse-after", "tr0ub4dor-third"]
    pull = open_pull(
        repo,
        github,
        {"deploy/staging/db.yaml": secret("db", password=values[0])},
        {"deploy/staging/db.yaml": secret("db", password=values[1])},
    )
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0
    pull.push({"deploy/staging/db.yaml": secret("db", password=values[2])})
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0

    [comment] = github.state.comments(REPO, pull.number)
    assert "Secret keys changed (changed: password)" in comment.body
    sent = [json.dumps(r.body) for r in github.requests if r.body is not None]
    assert len(sent) == 2  # created, then updated
    for value in values:
        encoded = base64.b64encode(value.encode()).decode()
        for text in [*sent, comment.body]:
            assert value not in text
            assert encoded not in text


def test_each_changed_target_gets_its_own_comment_from_one_listing(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = open_pull(
        repo,
        github,
        {STAGING: configmap("web", color="blue")},
        {
            STAGING: configmap("web", color="green"),
            "deploy/prod/cm.yaml": configmap("web", tier="gold"),
        },
    )
    result = run_cli(repo.root, "plan", "--no-live", env=pull.env())
    assert result.code == 0, said(result)
    staging, prod = github.state.comments(REPO, pull.number)
    assert staging.body.startswith("<!-- gitops-action:plan target=staging part=1 -->\n")
    assert prod.body.startswith("<!-- gitops-action:plan target=prod part=1 -->\n")
    assert github.count("GET", f"/repos/{REPO}/issues/{pull.number}/comments") == 1
    assert pull.outputs()["comment-url"].endswith(f"#issuecomment-{staging.id}")


def test_a_pull_request_from_a_fork_is_not_commented_on_by_default(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = pull_request(repo, github)
    pull.head_repo = "someone/app-fork"
    result = run_cli(repo.root, "plan", "--no-live", env=pull.env())
    assert result.code == 0, said(result)
    assert "no plan comment: on a pull request from a fork" in said(result)
    assert github.requests == []
