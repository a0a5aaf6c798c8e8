"""This project's own workflow that uses the action on examples/repo (.github/workflows/
examples.yml), run by act as GitHub would run it on a pull request to this repository: the
action of the pull request's own commit (`uses: ./`), kubectl and helm from the runner."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from gitops_action.render.tools import find_tool
from tests.action.act import ACTION_FILES, ROOT, Act, with_probes
from tests.action.flows import TOKEN, fake_env
from tests.ghfake import GitHubFake
from tests.github.helpers import REPO, PullRequest
from tests.support import Repo

pytestmark = pytest.mark.slow

STAGING = "examples/repo/deploy/overlays/staging/kustomization.yaml"


def this_project(repo: Repo) -> str:
    """The files of this repository that the workflow reads, committed on `main`."""
    for name in (*ACTION_FILES, "examples/repo"):
        source, target = ROOT / name, repo.root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return repo.commit("gitops-action")


def test_the_examples_workflow_validates_and_plans_examples_repo_with_the_action_itself(
    act: Act, repo: Repo, github: GitHubFake
) -> None:
    helm = find_tool("helm")
    if helm is None:
        pytest.skip("helm not found: run tools/ensure-helm (make test does)")
    base = this_project(repo)
    repo.git("checkout", "-q", "-b", "feature")
    text = (repo.root / STAGING).read_text(encoding="utf-8")
    repo.write({STAGING: text.replace("newTag: 1.5.0", "newTag: 1.6.0")})
    issue = github.state.add_pull(REPO, "feature", "main", title="web 1.6.0 in staging")
    pull = PullRequest(repo, github, issue.number, base, repo.commit("web 1.6.0 in staging"))
    github.add_token(
        TOKEN, "github-actions[bot]", {"contents": "read", "pull-requests": "write"},
        installation=True,
    )  # fmt: skip
    workflow = (ROOT / ".github" / "workflows" / "examples.yml").read_text(encoding="utf-8")

    result = act.run(
        repo.root,
        with_probes(workflow),
        "pull_request",
        pull.event(),
        secrets={"GITHUB_TOKEN": TOKEN},
        env=fake_env(github),
        tools=(Path(sys.executable).parent / "kubectl", Path(helm[1])),
    )

    assert result.code == 0, result.log
    job = result.job("plan")
    assert job.steps["validate"]["outcome"] == "success"
    report = job.report
    assert [t["name"] for t in report["targets"]] == [
        "platform", "web-staging", "web-production", "cache-staging", "jobs",
    ]  # fmt: skip
    changed = {t["name"]: t["summary"]["update"] for t in report["targets"]}
    assert changed == {
        "platform": 0, "web-staging": 1, "web-production": 0, "cache-staging": 0, "jobs": 0,
    }  # fmt: skip
    [comment] = github.state.comments(REPO, pull.number)
    assert comment.body.startswith("<!-- gitops-action:plan target=web-staging part=1 -->")
    assert "ghcr.io/example/web:1.5.0" in comment.body and "1.6.0" in comment.body
