"""What the act tests of the four flows share: a GitOps repository with a real bare `origin`
that backs the fake GitHub's pull requests, the workflow token of each example workflow, the
events GitHub sends, merges as GitHub makes them, and kubectl on the control plane."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.action.act import Act, ActResult, example_workflow
from tests.cluster.controlplane import ControlPlane
from tests.ghfake import GitHubFake
from tests.github.helpers import REPO
from tests.support import Repo, kubectl

TOKEN = "ghs_workflowtokenforthefake0001"
"""The job's GITHUB_TOKEN: act's `github.token`, with the example workflow's permissions."""
PERMISSIONS = {
    "pull-request.yml": {"contents": "read", "pull-requests": "write"},
    "push-main.yml": {"contents": "write", "pull-requests": "write"},
    "schedule-verify.yml": {"contents": "write", "issues": "write", "pull-requests": "write"},
}
"""Each example workflow's `permissions:` (act ignores them; the fake's token carries them)."""
NO_COMMIT = "0" * 40


def fake_env(github: GitHubFake) -> dict[str, str]:
    return {
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": github.html_url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_REPOSITORY_OWNER": REPO.split("/")[0],
    }


def run_example(
    act: Act,
    github: GitHubFake,
    repo: Repo,
    name: str,
    event_name: str,
    event: Mapping[str, Any],
    *,
    secrets: Mapping[str, str] | None = None,
    extra: str = "",
) -> ActResult:
    """Example workflow ``name`` as it is, on ``event``, with its workflow token."""
    github.add_token(TOKEN, "github-actions[bot]", PERMISSIONS[name], installation=True)
    return act.run(
        repo.root,
        example_workflow(name, extra),
        event_name,
        event,
        secrets={"GITHUB_TOKEN": TOKEN, **(secrets or {})},
        env=fake_env(github),
    )


def push_event(before: str, after: str, message: str = "") -> dict[str, Any]:
    """The payload of a push to main, as GitHub sends it."""
    return {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "head_commit": {"id": after, "message": message},
        "repository": {"full_name": REPO, "default_branch": "main"},
    }


SCHEDULE_EVENT = {"schedule": "17 * * * *"}


def bare(origin: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(origin), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@dataclass
class Origin:
    """The repository under test with a real bare ``origin`` that the fake's pull requests
    read their branches from (a push moves a pull request's head, as on GitHub)."""

    repo: Repo
    github: GitHubFake
    path: Path

    @classmethod
    def create(cls, repo: Repo, github: GitHubFake, tmp_path: Path) -> Origin:
        path = tmp_path / "origin.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
        repo.git("remote", "add", "origin", str(path))
        github.use_git(path)
        return cls(repo, github, path)

    def main(self) -> str:
        return bare(self.path, "rev-parse", "refs/heads/main")

    def push_main(self) -> str:
        self.repo.git("push", "-q", "origin", "main")
        return self.main()

    def merge(self, branch: str, number: int, *, fast_forward: bool = False) -> str:
        """Merge ``branch`` of origin into main as GitHub's merge button does, push main, and
        mark pull request ``number`` merged by that commit."""
        self.repo.git("checkout", "-q", "main")
        self.repo.git("fetch", "-q", "origin", branch)
        if fast_forward:
            self.repo.git("merge", "-q", "--ff-only", "FETCH_HEAD")
        else:
            message = f"Merge pull request #{number} from {branch}"
            self.repo.git("merge", "-q", "--no-ff", "-m", message, "FETCH_HEAD")
        sha = self.push_main()
        self.github.state.merge_pull(REPO, number, merge_commit_sha=sha)
        return sha


def kubectl_edit(plane: ControlPlane, namespace: str, what: str, old: str, new: str) -> None:
    """``kubectl edit`` as a person would, the editor replacing ``old`` with ``new``."""
    kubectl(
        plane.kubeconfig, namespace, "edit", what, env={"KUBE_EDITOR": f"sed -i s/{old}/{new}/"}
    )
