"""The fake holds both sides to GitHub's OpenAPI description, and fails like GitHub does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from github import BadCredentialsException, GithubException, UnknownObjectException

from tests.ghfake import GitHubFake, openapi
from tests.ghfake.fixtures import fail_on_violations
from tests.ghfake.render import Renderer

REPO = "octo-org/app"


def _call(
    fake: GitHubFake, method: str, path: str, token: str | None = None, **kwargs: Any
) -> requests.Response:
    headers = {"Authorization": f"token {token or fake.token}"}
    return requests.request(method, f"{fake.api_url}{path}", headers=headers, timeout=10, **kwargs)


def test_a_comment_without_body_is_a_violation_answered_422(github: GitHubFake) -> None:
    github.state.add_issue(REPO, "x")
    answer = _call(github, "POST", f"/repos/{REPO}/issues/1/comments", json={"text": "hi"})
    assert answer.status_code == 422
    [violation] = github.take_violations()
    assert violation.side == "request" and violation.operation == "issues/create-comment"
    assert "'body' is a required property" in str(violation)
    assert github.state.comments(REPO, 1) == []


def test_a_path_github_does_not_describe_is_a_violation_answered_404(github: GitHubFake) -> None:
    assert _call(github, "GET", f"/repos/{REPO}/no-such-thing").status_code == 404
    [violation] = github.take_violations()
    assert "no operation of GitHub's OpenAPI description" in str(violation)


def test_a_described_operation_the_fake_lacks_is_named(github: GitHubFake) -> None:
    assert _call(github, "GET", f"/repos/{REPO}/branches").status_code == 501
    [violation] = github.take_violations()
    assert violation.operation == "repos/list-branches"
    assert "the fake does not serve it" in str(violation)


def test_a_mistyped_or_unknown_query_parameter_is_a_violation(github: GitHubFake) -> None:
    _call(github, "GET", f"/repos/{REPO}/issues", params={"per_page": "many", "labelz": "x"})
    problems = " ".join(str(v) for v in github.take_violations())
    assert "per_page='many'" in problems
    assert "'labelz' is not described" in problems


def test_a_response_missing_a_required_field_is_caught(
    github: GitHubFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_comment = Renderer.comment

    def without_html_url(self: Renderer, *args: Any) -> dict[str, Any]:
        obj = render_comment(self, *args)
        del obj["html_url"]
        return obj

    monkeypatch.setattr(Renderer, "comment", without_html_url)
    issue = github.client(retry=None).get_repo(REPO).create_issue("x")
    with pytest.raises(GithubException) as broken:
        issue.create_comment("hello")
    assert broken.value.status == 500
    [violation] = github.take_violations()
    assert violation.side == "response"
    assert "response 201 /: 'html_url' is a required property" in str(violation)


def test_a_crash_in_the_fake_is_a_violation_answered_500(
    github: GitHubFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any) -> list[dict[str, Any]]:
        raise KeyError("no such label")

    monkeypatch.setattr(Renderer, "labels", crash)
    github.state.add_issue(REPO, "x")
    answer = _call(github, "GET", f"/repos/{REPO}/issues/1")
    assert answer.status_code == 500
    [violation] = github.take_violations()
    assert "the fake crashed: KeyError('no such label') at test_contract.py" in str(violation)


def test_violations_fail_the_test_at_teardown_with_a_list(github: GitHubFake) -> None:
    _call(github, "DELETE", f"/repos/{REPO}")
    _call(github, "DELETE", f"/repos/{REPO}")
    with pytest.raises(pytest.fail.Exception) as failed:
        fail_on_violations(github)
    assert "saw 2 request(s)" in str(failed.value)
    assert f"request DELETE /repos/{REPO} (repos/delete)" in str(failed.value)
    assert "(x2)" in str(failed.value)


def test_unknown_token_answers_401_bad_credentials(github: GitHubFake) -> None:
    answer = _call(github, "GET", f"/repos/{REPO}", token="nope")
    assert answer.status_code == 401
    assert answer.json()["message"] == "Bad credentials"
    assert answer.json()["documentation_url"].startswith("https://docs.github.com/")
    with pytest.raises(BadCredentialsException):
        github.client("nope").get_repo(REPO)


def test_unknown_repository_answers_404(github: GitHubFake) -> None:
    with pytest.raises(UnknownObjectException) as missing:
        github.client().get_repo("octo-org/missing")
    assert missing.value.data["message"] == "Not Found"


def test_a_token_without_issues_write_gets_403_as_github_token_does(github: GitHubFake) -> None:
    github.add_token("plan", "github-actions[bot]", {"pull-requests": "write"}, installation=True)
    github.state.add_issue(REPO, "an issue")
    pull = github.state.add_pull(REPO, "feature", title="a pull request")
    answer = _call(github, "POST", f"/repos/{REPO}/issues/1/comments", "plan", json={"body": "x"})
    assert answer.status_code == 403
    assert answer.json()["message"] == "Resource not accessible by integration"
    # Commenting on a pull request needs only pull-requests: write.
    comment = github.client("plan").get_repo(REPO).get_pull(pull.number).create_issue_comment("y")
    assert comment.user.login == "github-actions[bot]" and comment.user.type == "Bot"
    assert comment.author_association == "NONE"
    with pytest.raises(GithubException) as refused:
        github.client("plan").get_user().login  # noqa: B018
    assert refused.value.status == 403


def test_an_injected_502_is_retried_by_pygithub_and_then_succeeds(github: GitHubFake) -> None:
    github.state.add_issue(REPO, "x")
    github.inject("GET", f"/repos/{REPO}/issues/1", 502)
    assert github.client().get_repo(REPO).get_issue(1).title == "x"
    statuses = [r.status for r in github.requests if r.path.endswith("/issues/1")]
    assert statuses == [502, 200]


def test_an_injected_proxy_page_is_sent_as_is_and_not_validated(github: GitHubFake) -> None:
    github.inject("GET", "/repos/*", 502, times=2, body="<html>Bad gateway</html>")
    assert _call(github, "GET", f"/repos/{REPO}").text == "<html>Bad gateway</html>"
    assert _call(github, "GET", f"/repos/{REPO}").status_code == 502
    assert _call(github, "GET", f"/repos/{REPO}").status_code == 200


def test_a_secondary_rate_limit_sends_retry_after_and_pygithub_waits(github: GitHubFake) -> None:
    github.state.add_issue(REPO, "x")
    github.inject_secondary_rate_limit("POST", "/repos/*/issues/*/comments", times=2)
    raw = _call(github, "POST", f"/repos/{REPO}/issues/1/comments", json={"body": "a"})
    assert (raw.status_code, raw.headers["Retry-After"]) == (403, "1")
    assert raw.json()["message"].startswith("You have exceeded a secondary rate limit")
    started = time.monotonic()
    github.client().get_repo(REPO).get_issue(1).create_comment("b")
    assert time.monotonic() - started >= 1
    assert [c.body for c in github.state.comments(REPO, 1)] == ["b"]


def test_the_extracted_description_loads_from_the_cache(github: GitHubFake) -> None:
    keys = tuple(github.spec.operations)
    openapi.load.cache_clear()
    spec = openapi.load(keys)
    assert (spec.version, set(spec.operations)) == (github.spec.version, set(keys))


def test_extraction_keeps_served_operations_and_the_schemas_they_reach(
    github: GitHubFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "npm").symlink_to(openapi.cache_dir() / "npm")
    monkeypatch.setenv("GITOPS_ACTION_CACHE", str(tmp_path))
    keys = (("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),)
    spec = openapi.load.__wrapped__(keys)
    [extracted] = (tmp_path / "openapi").iterdir()
    assert extracted.name.startswith(f"ghfake-{spec.version}-")
    assert [op.operation_id for op in spec.operations.values()] == ["issues/get-comment"]
    schemas = set(spec.document["components"]["schemas"])
    assert {"issue-comment", "nullable-simple-user", "reaction-rollup", "basic-error"} <= schemas
    assert "pull-request" not in schemas
    assert extracted.stat().st_size < 250_000  # of 13 MB
    assert spec.described("GET", "/repos/o/r/pulls/1") == "pulls/get"
