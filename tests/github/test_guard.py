"""The pull_request_target guard: no plan against the cluster next to a pull request's code."""

from __future__ import annotations

from typing import Any

import pytest

from gitops_action.errors import GitopsError
from gitops_action.plan.guard import refuse_untrusted_checkout
from tests.ghfake import GitHubFake
from tests.github.helpers import configmap, errors, open_pull, said
from tests.support import Repo

HEAD, BASE, TIP, MERGE = "h" * 40, "b" * 40, "t" * 40, "m" * 40


def event(head_repo: str | None = "octo-org/app") -> dict[str, Any]:
    return {
        "pull_request": {
            "number": 7,
            "head": {"sha": HEAD, "repo": {"full_name": head_repo} if head_repo else None},
            "base": {"sha": BASE, "repo": {"full_name": "octo-org/app"}},
        }
    }


@pytest.mark.parametrize(
    ("head_repo", "checkout"),
    [
        ("octo-org/app", HEAD),  # the head branch, even from this repository
        ("fork/app", HEAD),
        ("fork/app", MERGE),  # refs/pull/7/merge of a fork: its code, merged
        (None, MERGE),  # the fork was deleted
    ],
)
def test_pull_request_target_with_the_pull_requests_code_checked_out_is_refused(
    head_repo: str | None, checkout: str
) -> None:
    with pytest.raises(GitopsError) as refused:
        refuse_untrusted_checkout("pull_request_target", event(head_repo), checkout, TIP)
    first, second = str(refused.value).splitlines()
    assert first.startswith("refusing to plan against the cluster on pull_request_target (#7): ")
    assert first.endswith(
        "code from the pull request (from a fork, anyone's) would run with the cluster "
        "credentials and the repository's secrets and write token."
    )
    assert "pull_request event" in second and "check out the base branch" in second
    assert "--no-live" in second


@pytest.mark.parametrize(
    ("event_name", "head_repo", "checkout"),
    [
        ("pull_request_target", "fork/app", BASE),  # actions/checkout without ref:
        ("pull_request_target", "fork/app", TIP),  # GITHUB_SHA: the base branch moved on
        ("pull_request_target", "octo-org/app", MERGE),  # a branch of this repository, merged
        ("pull_request", "fork/app", HEAD),  # forks get no secrets on pull_request
        ("push", "fork/app", HEAD),
    ],
)
def test_a_trusted_checkout_or_another_event_passes(
    event_name: str, head_repo: str, checkout: str
) -> None:
    refuse_untrusted_checkout(event_name, event(head_repo), checkout, TIP)


def test_the_cli_refuses_a_live_plan_of_a_fork_on_pull_request_target_and_allows_no_live(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = open_pull(
        repo,
        github,
        {"deploy/staging/cm.yaml": configmap("web", a="1")},
        {"deploy/staging/cm.yaml": configmap("web", a="2")},
    )
    pull.event_name, pull.head_repo = "pull_request_target", "mallory/app"

    refused = run_cli(repo.root, "plan", "--live", env=pull.env())
    assert refused.code == 1
    assert errors(refused).startswith(
        "gitops-action: error: refusing to plan against the cluster on pull_request_target (#1)"
    )
    assert "Traceback" not in said(refused)
    assert said(refused) == errors(refused) and github.requests == []

    offline = run_cli(repo.root, "plan", "--no-live", env=pull.env())
    assert offline.code == 0, said(offline)
    assert len(github.state.comments("octo-org/app", pull.number)) == 1


def test_the_cli_passes_the_guard_when_the_base_is_checked_out(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    pull = open_pull(
        repo,
        github,
        {"deploy/staging/cm.yaml": configmap("web", a="1")},
        {"deploy/staging/cm.yaml": configmap("web", a="2")},
    )
    pull.event_name, pull.head_repo = "pull_request_target", "mallory/app"
    repo.git("checkout", "-q", "main")
    no_cluster = {"KUBECONFIG": "", "HOME": str(pull.tmp)}
    result = run_cli(repo.root, "plan", "--live", env=pull.env(GITHUB_SHA=pull.base, **no_cluster))
    # Past the guard, the plan needs a cluster, and there is none here.
    assert "refusing" not in said(result)
    assert "no cluster configured" in errors(result)
