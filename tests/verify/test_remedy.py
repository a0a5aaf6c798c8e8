"""verify's remedies on real parts: the drift issue's whole life and both pull requests on the
OpenAPI-checked GitHub fake, branches pushed to a real bare repository, drift made with the
real kubectl on the control plane, and the merge of each pull request carried through."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ghfake import GitHubFake
from tests.manifests import configmap, deployment, dump, secret
from tests.site import Site

pytestmark = pytest.mark.cluster

PASSWORD = "never-in-an-issue-or-pull-request"
APP = f"""\
# The web app. Replicas are reviewed by the platform team.
{dump(configmap("settings", color="blue"))}---
{dump(deployment("web", replicas=2))}---
# Credentials for the database (rotated by hand).
{dump(secret("credentials", password=PASSWORD))}"""


def bare(path: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "--git-dir", str(path), *args], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.fixture
def origin(site: Site, tmp_path: Path, github: GitHubFake) -> Path:
    """`main` applied to the cluster and pushed to a bare `origin` backing the fake's pulls."""
    path = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    site.configure(wait=False)
    site.commit({"deploy/app.yaml": APP}, msg="the app")
    site.repo.git("remote", "add", "origin", str(path))
    site.repo.git("push", "-q", "origin", "main")
    github.use_git(path)
    result = site.apply()
    assert result.code == 0, result.out + result.err
    return path


def verify(site: Site, github: GitHubFake, mode: str) -> tuple[int, str, str]:
    env = {**github.env(), "GITHUB_REF_NAME": "main"}
    result = site.run(
        site.repo.root, "--kubeconfig", str(site.control_plane.kubeconfig),
        "verify", "--on-drift", mode, env=env,
    )  # fmt: skip
    return result.code, result.out, result.err


def writes(github: GitHubFake) -> int:
    return sum(1 for r in github.requests if r.method in ("POST", "PATCH", "PUT", "DELETE"))


def test_the_drift_issue_opens_updates_closes_and_a_new_drift_opens_a_new_one(
    site: Site, origin: Path, github: GitHubFake
) -> None:
    repo = github.repo
    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"red"}}')

    code, _, err = verify(site, github, "issue")

    assert code == 0, err
    [issue] = github.state.issues(repo)
    assert issue.title == "Drift detected in app" and issue.labels == ["gitops-drift"]
    assert (
        "| <code>ConfigMap/" in issue.body
        and "| drifted | <code>kubectl-patch (Update)" in issue.body
    )
    assert "-  color: red\n+  color: blue\n" in issue.body
    assert "drift fingerprint `" in issue.body
    assert "drift issue opened for app" in err

    before = writes(github)
    assert verify(site, github, "issue")[0] == 0
    assert writes(github) == before, "the same drift writes nothing"

    site.kubectl("scale", "deployment/web", "--replicas=5")
    assert verify(site, github, "issue")[0] == 0
    [issue] = github.state.issues(repo)
    assert "Deployment/" in issue.body and issue.state == "open"
    [comment] = github.state.comments(repo, issue.number)
    assert "- new: <code>Deployment/" in comment.body and "(drifted)" in comment.body
    assert "- resolved: none" in comment.body

    assert site.apply().code == 0  # Git's version back
    assert verify(site, github, "issue")[0] == 0
    [issue] = github.state.issues(repo)
    assert issue.state == "closed"
    assert github.state.comments(repo, issue.number)[-1].body.startswith("✅ The drift is gone")

    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"x"}}')
    assert verify(site, github, "issue")[0] == 0
    first, second = github.state.issues(repo)
    assert (first.state, second.state) == ("closed", "open")
    assert f"The previous drift of this target was #{first.number}." in second.body
    everything = json.dumps([i.body for i in github.state.issues(repo)]) + json.dumps(
        [c.body for i in github.state.issues(repo) for c in github.state.comments(repo, i.number)]
    )
    assert PASSWORD not in everything


def test_an_issue_someone_else_wrote_with_the_marker_is_never_touched(
    site: Site, origin: Path, github: GitHubFake
) -> None:
    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"red"}}')
    assert verify(site, github, "issue")[0] == 0
    [ours] = github.state.issues(github.repo)
    forged = github.state.add_issue(
        github.repo, "Drift detected in app", ours.body, labels=["gitops-drift"], user="mallory"
    )
    assert site.apply().code == 0

    assert verify(site, github, "issue")[0] == 0

    assert github.state.issue(github.repo, ours.number).state == "closed"
    assert github.state.issue(github.repo, forged.number).state == "open"
    assert github.state.comments(github.repo, forged.number) == []


def test_the_revert_pull_request_records_the_drift_and_merging_it_puts_git_back(
    site: Site, origin: Path, github: GitHubFake
) -> None:
    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"red"}}')
    rotated = json.dumps({"stringData": {"password": "rotated-by-hand-not-in-git"}})
    site.kubectl("patch", "secret/credentials", "--type=merge", "-p", rotated)

    code, _, err = verify(site, github, "revert-pr")

    assert code == 0, err
    [pull] = github.state.pulls(github.repo)
    assert pull.pull is not None
    assert (pull.pull.head_ref, pull.pull.base_ref) == ("gitops-action/revert-drift/app", "main")
    assert pull.title == "Revert drift in app"
    assert "-  color: red\n+  color: blue\n" in pull.body
    branch = "refs/heads/gitops-action/revert-drift/app"
    files = bare(origin, "diff", "--name-only", f"main..{branch}")
    assert files == ".gitops/resync/app.yaml"
    recorded = bare(origin, "show", f"{branch}:.gitops/resync/app.yaml")
    assert "status: drifted" in recorded and "kubectl-patch (Update)" in recorded
    for secret_value in (PASSWORD, "rotated-by-hand-not-in-git"):
        assert secret_value not in recorded + pull.body

    before = writes(github)
    assert verify(site, github, "revert-pr")[0] == 0
    assert writes(github) == before, "the same drift rewrites nothing"

    # The pull request is merged; the push to main applies, and the cluster is Git's again.
    site.repo.git("fetch", "-q", "origin", "gitops-action/revert-drift/app")
    site.repo.git("merge", "-q", "--no-ff", "-m", "Merge revert drift", "FETCH_HEAD")
    github.state.merge_pull(github.repo, pull.number)
    applied = site.apply()
    assert applied.code == 0, applied.out + applied.err
    assert site.get("ConfigMap", "settings")["data"] == {"color": "blue"}  # type: ignore[index]
    assert verify(site, github, "revert-pr")[0] == 0
    assert site.inventory_parent() is not None


def test_the_adopt_pull_request_makes_git_say_what_the_cluster_holds_keeping_comments(
    site: Site, origin: Path, github: GitHubFake
) -> None:
    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"red"}}')
    site.kubectl("scale", "deployment/web", "--replicas=3")
    rotated = json.dumps({"stringData": {"password": "rotated-by-hand-not-in-git"}})
    site.kubectl("patch", "secret/credentials", "--type=merge", "-p", rotated)

    code, _, err = verify(site, github, "adopt-pr")

    assert code == 0, err
    [pull] = github.state.pulls(github.repo)
    assert pull.title == "Adopt drift in app"
    branch = "refs/heads/gitops-action/adopt-drift/app"
    diff = bare(origin, "diff", f"main..{branch}")
    changed = [line for line in diff.splitlines()[4:] if line[:1] in "-+"]
    assert changed == ["-  color: blue", "+  color: red", "-  replicas: 2", "+  replicas: 3"], diff
    assert "-  color: blue\n+  color: red\n" in diff
    assert "-  replicas: 2\n+  replicas: 3\n" in diff
    edited = bare(origin, "show", f"{branch}:deploy/app.yaml")
    assert edited.startswith("# The web app. Replicas are reviewed by the platform team.\n")
    assert "# Credentials for the database (rotated by hand).\n" in edited
    assert "rotated-by-hand-not-in-git" not in edited + pull.body
    assert "Secret/" in pull.body and "values are never written here" in pull.body

    site.repo.git("fetch", "-q", "origin", "gitops-action/adopt-drift/app")
    site.repo.git("merge", "-q", "--ff-only", "FETCH_HEAD")
    github.state.merge_pull(github.repo, pull.number)
    out = site.tmp / "after.json"
    result = site.run(
        site.repo.root, "--kubeconfig", str(site.control_plane.kubeconfig),
        "verify", "--on-drift", "none", "--output-json", str(out),
    )  # fmt: skip
    report: dict[str, Any] = json.loads(out.read_text())
    actions = {r["kind"]: r["action"] for r in report["targets"][0]["resources"]}
    assert actions == {"ConfigMap": "in-sync", "Deployment": "in-sync", "Secret": "drifted"}
    assert result.code == 0


def test_a_run_without_drift_closes_what_is_open_and_writes_nothing_else(
    site: Site, origin: Path, github: GitHubFake
) -> None:
    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"red"}}')
    assert verify(site, github, "revert-pr")[0] == 0
    assert site.apply().code == 0

    code, _, err = verify(site, github, "revert-pr")

    assert code == 0, err
    [pull] = github.state.pulls(github.repo)
    assert pull.state == "closed"
    assert github.state.comments(github.repo, pull.number)[-1].body.startswith(
        "✅ The drift is gone"
    )
    before = writes(github)
    assert verify(site, github, "revert-pr")[0] == 0
    assert writes(github) == before
