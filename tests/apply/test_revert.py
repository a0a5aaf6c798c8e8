"""A failed apply opens a revert pull request: branch pushed to a real bare repository, pull
request on the GitHub fake, updated (never duplicated) when the same commit fails again."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ghfake import GitHubFake
from tests.manifests import configmap, dump, secret
from tests.site import Site

pytestmark = pytest.mark.cluster

SECRET_VALUE = "s3cr3t-never-in-a-pull-request"


def bare(path: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "--git-dir", str(path), *args], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def bad_configmap() -> dict[str, Any]:
    obj = configmap("bad")
    obj["data"] = {"not a valid key!": "x"}
    return obj


@pytest.fixture
def origin(site: Site, tmp_path: Path, github: GitHubFake) -> Path:
    """`main` with one good commit, pushed to a bare `origin` that backs the fake's pull
    requests; the target reverts on failure."""
    path = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    site.configure(wait={"timeout": 30}, **{"revert-on-failure": "pr"})
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="blue"))}, msg="good")
    site.repo.git("remote", "add", "origin", str(path))
    site.repo.git("push", "-q", "origin", "main")
    github.use_git(path)
    return path


def merge_bad_change(site: Site) -> str:
    """A pull request merged with a merge commit (as GitHub does), then pushed."""
    site.repo.git("checkout", "-q", "-b", "feature")
    site.commit(
        {
            "deploy/a.yaml": dump(
                configmap("settings", color="green"),
                secret("creds", password=SECRET_VALUE),
                bad_configmap(),
            )
        }
    )
    site.repo.git("checkout", "-q", "main")
    site.repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from feature", "feature")
    site.repo.git("push", "-q", "origin", "main")
    return site.repo.git("rev-parse", "HEAD")


def test_a_failed_apply_opens_a_revert_pull_request_and_updates_it_on_the_next_failure(
    site: Site, origin: Path, github: GitHubFake, tmp_path: Path
) -> None:
    assert site.apply().code == 0
    merge = merge_bad_change(site)
    outputs = tmp_path / "outputs"
    env = {**github.env(), "GITHUB_REF_NAME": "main", "GITHUB_OUTPUT": str(outputs)}

    first = site.apply(env=env)

    assert first.code == 1
    branch = f"gitops-action/revert/{merge[:12]}"
    revert = bare(origin, "rev-parse", f"refs/heads/{branch}")
    assert bare(origin, "rev-parse", f"{revert}^") == merge
    assert bare(origin, "rev-parse", f"{revert}^{{tree}}") == bare(
        origin, "rev-parse", f"{merge}^1^{{tree}}"
    )
    assert (
        bare(origin, "log", "-1", "--format=%s", revert)
        == 'Revert "Merge pull request #7 from feature"'
    )
    [pull] = github.state.pulls(github.repo)
    assert pull.pull is not None
    assert (pull.pull.head_ref, pull.pull.base_ref) == (branch, "main")
    assert pull.title == 'Revert "Merge pull request #7 from feature": apply to app failed'
    assert f"Applying `{merge[:12]}` to `app` failed" in pull.body
    assert "the API server rejected the dry-run" in pull.body and "not a valid key!" in pull.body
    assert SECRET_VALUE not in pull.body
    url = f"{github.html_url}/{github.repo}/pull/{pull.number}"
    assert f"revert-pr-url={url}\n" in outputs.read_text()
    assert "revert pull request opened" in first.err

    second = site.apply(env=env)

    assert second.code == 1
    assert "revert pull request updated" in second.err
    assert len(github.state.pulls(github.repo)) == 1
    assert github.count("POST", "/repos/octo-org/app/pulls") == 1
    assert github.count("PATCH", "/repos/octo-org/app/pulls/*") == 1
    assert bare(origin, "rev-parse", f"refs/heads/{branch}^") == merge
    assert site.get("ConfigMap", "settings")["data"] == {"color": "blue"}  # type: ignore[index]


def test_a_refusal_by_a_guard_opens_no_revert_pull_request(
    site: Site, origin: Path, github: GitHubFake
) -> None:
    site.commit({"deploy/a.yaml": dump(*(configmap(f"cm-{i}") for i in range(4)))})
    site.repo.git("push", "-q", "origin", "main")
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("cm-0"))})  # prunes 3 of 4: over the limit

    result = site.apply(env={**github.env(), "GITHUB_REF_NAME": "main"})

    assert result.code == 1
    assert "refusing to prune 3 of 4 members" in result.out
    assert github.count("POST", "/repos/octo-org/app/pulls") == 0
