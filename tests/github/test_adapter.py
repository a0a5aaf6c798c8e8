"""The GitHub adapter against the OpenAPI-checked fake: retries (5xx, rate limits, dropped
connections) with a recorded sleep, writes never repeated, refusals as one clear message."""

from __future__ import annotations

import dataclasses

import pytest

from gitops_action.adapters.actions import ActionsEnv
from gitops_action.adapters.github import NO_PACING, GitHubClient
from gitops_action.adapters.github_retry import GITHUB_RETRY, wait_for
from gitops_action.errors import GitHubError
from gitops_action.report.comments import sync_comments
from gitops_action.report.markdown import marker
from tests.ghfake import GitHubFake

REPO = "octo-org/app"
COMMENTS = f"/repos/{REPO}/issues/1/comments"
BODY = marker("staging", 1) + "\n### plan\n"


class Sleeps(list[float]):
    """The sleep the adapter is given: records instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def slept() -> Sleeps:
    return Sleeps()


def client(
    github: GitHubFake,
    slept: Sleeps,
    *,
    token: str | None = None,
    repo: str = REPO,
    api_url: str | None = None,
) -> GitHubClient:
    return GitHubClient(
        repo,
        token or github.token,
        api_url or github.api_url,
        pacing=NO_PACING,
        retry=dataclasses.replace(GITHUB_RETRY, sleep=slept),
    )


def statuses(github: GitHubFake, method: str, path: str) -> list[int]:
    return [r.status for r in github.requests if r.method == method and r.path == path]


def test_a_5xx_on_create_is_retried_and_exactly_one_comment_is_created(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject("POST", COMMENTS, 502)
    synced = sync_comments(client(github, slept), 1, "staging", [BODY], post=True)
    [comment] = github.state.comments(REPO, 1)
    assert comment.body == BODY and synced.url.endswith(f"#issuecomment-{comment.id}")
    assert statuses(github, "POST", COMMENTS) == [502, 201]
    assert slept == [1.0]


def test_a_comment_github_wrote_despite_a_5xx_is_not_posted_twice(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject("POST", COMMENTS, 502)

    def github_wrote_it_after_all(seconds: float) -> None:
        slept.append(seconds)
        github.state.add_comment(REPO, 1, BODY, "octocat")

    adapter = GitHubClient(
        REPO,
        github.token,
        github.api_url,
        pacing=NO_PACING,
        retry=dataclasses.replace(GITHUB_RETRY, sleep=github_wrote_it_after_all),
    )
    made = adapter.create_comment(1, BODY)
    [comment] = github.state.comments(REPO, 1)
    assert made.id == comment.id
    assert statuses(github, "POST", COMMENTS) == [502]


def test_5xx_answers_are_retried_with_doubling_waits_then_named(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject("GET", COMMENTS, 503, times=None)
    with pytest.raises(GitHubError) as failed:
        client(github, slept).comments(1)
    assert str(failed.value) == (
        f"GitHub refused to list the comments on {REPO}#1 (503 Service Unavailable): GitHub "
        "kept failing (5 tries); re-run the job later (on github.com: https://www.githubstatus.com)"
    )
    assert slept == [1.0, 2.0, 4.0, 8.0]
    assert len(statuses(github, "GET", COMMENTS)) == 5


def test_a_secondary_rate_limit_waits_as_long_as_retry_after_says(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject_secondary_rate_limit("POST", COMMENTS, retry_after=7)
    client(github, slept).create_comment(1, BODY)
    assert slept == [7.0]
    assert statuses(github, "POST", COMMENTS) == [403, 201]
    assert len(github.state.comments(REPO, 1)) == 1
    # No look for the comment in between: a rate-limited write was certainly not done.
    assert github.count("GET", COMMENTS) == 0


def test_a_429_is_retried_after_retry_after(github: GitHubFake, slept: Sleeps) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject("GET", COMMENTS, 429, headers={"Retry-After": "2"})
    assert client(github, slept).comments(1) == []
    assert slept == [2.0]


def test_a_rate_limit_asking_for_longer_than_the_cap_fails_without_waiting(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject_secondary_rate_limit("POST", COMMENTS, retry_after=120)
    with pytest.raises(
        GitHubError, match="GitHub asked to wait 120 s more before trying to comment"
    ):
        client(github, slept).create_comment(1, BODY)
    assert slept == []
    assert github.state.comments(REPO, 1) == []


def test_the_total_wait_is_capped_across_retries(github: GitHubFake, slept: Sleeps) -> None:
    github.state.add_pull(REPO, "feature")
    github.inject_secondary_rate_limit("GET", COMMENTS, times=None, retry_after=25)
    with pytest.raises(GitHubError, match=r"past the 60 s this run waits \(waited 50 s\)"):
        client(github, slept).comments(1)
    assert slept == [25.0, 25.0]


def test_primary_rate_limits_wait_for_the_reset() -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"}
    message = "API rate limit exceeded for installation ID 1."
    assert wait_for(403, headers, message, now=lambda: 1000.0) == 31.0
    assert wait_for(403, {}, "Resource not accessible by integration") is None
    assert wait_for(422, {}, "Validation Failed") is None
    secondary = "You have exceeded a secondary rate limit. Please wait a few minutes"
    assert wait_for(403, {}, secondary) == 60.0


def test_a_dropped_connection_is_retried_then_named_with_the_api_url(
    github: GitHubFake, slept: Sleeps
) -> None:
    nowhere = "http://127.0.0.1:9/api/v3"
    with pytest.raises(GitHubError) as failed:
        client(github, slept, api_url=nowhere).comments(1)
    message = str(failed.value)
    assert message.startswith(
        f"cannot reach GitHub at {nowhere} to list the comments on {REPO}#1 (5 tries): "
    )
    assert message.endswith(
        "check GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3) and the network"
    )
    assert slept == [1.0, 2.0, 4.0, 8.0]


def test_a_token_without_pull_requests_write_is_told_which_permission_to_add(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.add_token("ro", "github-actions[bot]", {"pull-requests": "read"}, installation=True)
    github.state.add_pull(REPO, "feature")
    comment = github.state.add_comment(REPO, 1, BODY, "github-actions[bot]")
    with pytest.raises(GitHubError) as failed:
        client(github, slept, token="ro").update_comment(1, comment.id, BODY + "new")
    first, second = str(failed.value).splitlines()
    assert first == (
        f"GitHub refused to update comment {comment.id} on {REPO}#1 (403 Resource not "
        "accessible by integration): the workflow's token needs 'pull-requests: write' — add "
        "'permissions: pull-requests: write' to the job"
    )
    assert "from a fork" in second and "--no-comment" in second
    assert slept == []
    assert github.count("PATCH", "*") == 1


def test_a_token_without_issues_write_is_told_about_issues(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.add_token("ro", "github-actions[bot]", {"issues": "read"}, installation=True)
    github.state.add_issue(REPO, "Drift detected in staging")
    with pytest.raises(GitHubError, match="needs 'issues: write' — add 'permissions: issues"):
        client(github, slept, token="ro").create_comment(1, "drift changed", pull=False)


def test_a_bad_token_is_told_to_pass_github_token(github: GitHubFake, slept: Sleeps) -> None:
    github.state.add_pull(REPO, "feature")
    with pytest.raises(GitHubError) as failed:
        client(github, slept, token="expired").comments(1)
    assert str(failed.value) == (
        f"GitHub refused to list the comments on {REPO}#1 (401 Bad credentials): the token is "
        "missing, wrong or expired; pass a valid one as the action's github-token input "
        "(or GITHUB_TOKEN)"
    )
    assert slept == []


def test_a_repository_that_is_not_there_blames_github_repository(
    github: GitHubFake, slept: Sleeps
) -> None:
    with pytest.raises(GitHubError) as failed:
        client(github, slept, repo="octo-org/typo").create_comment(1, BODY)
    assert str(failed.value) == (
        "GitHub refused to comment on octo-org/typo#1 (404 Not Found): repository "
        "octo-org/typo not found: GITHUB_REPOSITORY is wrong, or the token has no access to it "
        "(a private repository, or a token made for another one)"
    )


def test_a_pull_request_that_is_not_there_is_named(github: GitHubFake, slept: Sleeps) -> None:
    with pytest.raises(
        GitHubError, match=rf"read pull request on {REPO}#7 \(404 Not Found\): it does not exist"
    ):
        client(github, slept).pull(7)


def test_a_comment_already_gone_counts_as_deleted(github: GitHubFake, slept: Sleeps) -> None:
    github.state.add_pull(REPO, "feature")
    comment = github.state.add_comment(REPO, 1, BODY)
    github.state.delete_comment(REPO, comment.id)
    client(github, slept).delete_comment(1, comment.id)
    assert statuses(github, "DELETE", f"/repos/{REPO}/issues/comments/{comment.id}") == [404]


def test_pull_requests_are_found_opened_and_edited(github: GitHubFake, slept: Sleeps) -> None:
    adapter = client(github, slept)
    branch = "gitops-action/revert/abc123"
    assert adapter.find_pull(branch, "main") is None
    made = adapter.create_pull(branch, "main", "Revert abc123", "apply failed")
    assert (made.number, made.title, made.body, made.state) == (
        1,
        "Revert abc123",
        "apply failed",
        "open",
    )
    assert made.url == f"{github.html_url}/{REPO}/pull/1"
    assert (made.head_ref, made.base_ref, made.head_repo, made.base_repo) == (
        branch,
        "main",
        REPO,
        REPO,
    )
    assert adapter.find_pull(branch, "main") == made
    edited = adapter.update_pull(1, "Revert abc123 (again)", "apply failed twice")
    assert (edited.number, edited.title, edited.body) == (
        1,
        "Revert abc123 (again)",
        "apply failed twice",
    )
    read = adapter.pull(1)
    assert (read.head_sha, read.base_sha) == (made.head_sha, made.base_sha) and len(
        read.head_sha
    ) == 40
    assert github.count("POST", f"/repos/{REPO}/pulls") == 1


def test_a_pull_request_github_opened_despite_a_5xx_is_not_opened_twice(
    github: GitHubFake, slept: Sleeps
) -> None:
    github.inject("POST", f"/repos/{REPO}/pulls", 502)
    made = client(github, slept).create_pull("fix", "main", "Fix", "")
    assert made.number == 1
    assert statuses(github, "POST", f"/repos/{REPO}/pulls") == [502, 201]
    assert len(github.state.pulls(REPO)) == 1


def test_the_adapter_is_built_from_the_actions_environment(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    github.state.add_comment(REPO, 1, BODY, "github-actions[bot]")
    env = {**github.env(), "GITHUB_TOKEN": "", "INPUT_GITHUB-TOKEN": github.token}
    adapter = GitHubClient.from_env(ActionsEnv.load(env), pacing=NO_PACING)
    assert (adapter.repository, adapter.api_url) == (REPO, github.api_url)
    [comment] = adapter.comments(1)
    assert (comment.body, comment.user) == (BODY, "github-actions[bot]")
    assert comment.url == f"{github.html_url}/{REPO}/pull/1#issuecomment-{comment.id}"
    assert [r.path for r in github.requests] == [COMMENTS]  # lazy: no GET of the repository


def test_no_token_or_no_repository_is_named_before_any_request(github: GitHubFake) -> None:
    with pytest.raises(GitHubError, match="no GitHub token: set GITHUB_TOKEN"):
        GitHubClient.from_env(ActionsEnv.load({**github.env(), "GITHUB_TOKEN": ""}))
    with pytest.raises(GitHubError, match="GITHUB_REPOSITORY is '', not owner/name"):
        GitHubClient.from_env(ActionsEnv.load({**github.env(), "GITHUB_REPOSITORY": ""}))
    assert github.requests == []
