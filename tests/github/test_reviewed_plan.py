"""The reviewed plan is what merges: the plan comment records the desired state's fingerprint,
and apply on the push of the merge compares it with what it applies. Real git, the real
control plane, the CLI in-process, and the OpenAPI-checked GitHub fake."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.ghfake import GitHubFake
from tests.github.helpers import REPO, PullRequest, said
from tests.manifests import configmap, dump
from tests.site import Site
from tests.support import Result

pytestmark = pytest.mark.cluster

FINGERPRINT = re.compile(r"sha256:[0-9a-f]{16}")


def open_and_plan(site: Site, github: GitHubFake, color: str) -> PullRequest:
    """`main` with the ConfigMap blue, pull request `feature` making it ``color``, planned
    (comment posted) as the plan workflow does."""
    base = site.commit({"deploy/cm.yaml": dump(configmap("settings", color="blue"))}, msg="base")
    site.repo.git("checkout", "-q", "-b", "feature")
    issue = github.state.add_pull(REPO, "feature", "main", title="Make it " + color)
    pull = PullRequest(site.repo, github, issue.number, base)
    pull.push({"deploy/cm.yaml": dump(configmap("settings", color=color))})
    planned = site.run(site.repo.root, "plan", "--no-live", env=pull.env())
    assert planned.code == 0, said(planned)
    return pull


def merge(site: Site, github: GitHubFake, pull: PullRequest) -> str:
    """Merge `feature` into `main` with a merge commit, as GitHub does, and record it."""
    site.repo.git("checkout", "-q", "main")
    message = f"Merge pull request #{pull.number} from feature"
    site.repo.git("merge", "-q", "--no-ff", "-m", message, "feature")
    sha = site.repo.git("rev-parse", "HEAD")
    github.state.merge_pull(REPO, pull.number, merge_commit_sha=sha)
    return sha


def apply_on_push(site: Site, github: GitHubFake, sha: str) -> tuple[Result, dict[str, Any]]:
    out = site.tmp / "push"
    out.mkdir(exist_ok=True)
    env = {
        **github.env(),
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_SHA": sha,
        "GITHUB_REF_NAME": "main",
        "GITHUB_STEP_SUMMARY": str(out / "summary.md"),
        "GITHUB_OUTPUT": str(out / "output.txt"),
    }
    result = site.apply("--output-json", str(out / "report.json"), env=env)
    return result, json.loads((out / "report.json").read_text(encoding="utf-8"))


def summary(site: Site) -> str:
    return Path(site.tmp / "push" / "summary.md").read_text(encoding="utf-8")


def reviewed_marker(github: GitHubFake, pull: PullRequest) -> str:
    [comment] = github.state.comments(REPO, pull.number)
    [line] = [x for x in comment.body.splitlines() if x.startswith("<!-- gitops-action:reviewed")]
    return line


def planned_then_main_moved(site: Site, github: GitHubFake) -> tuple[PullRequest, str, str]:
    """A pull request planned, then another change landing on main before its merge (the
    merge brings it along, unreviewed there): the pull request, its reviewed fingerprint and
    the merge commit."""
    pull = open_and_plan(site, github, "green")
    [reviewed] = FINGERPRINT.findall(reviewed_marker(github, pull))
    site.repo.git("checkout", "-q", "main")
    site.commit({"deploy/other.yaml": dump(configmap("other", size="large"))}, msg="other")
    return pull, reviewed, merge(site, github, pull)


def test_the_plan_comment_records_the_fingerprint_of_the_desired_state_it_shows(
    site: Site, github: GitHubFake
) -> None:
    pull = open_and_plan(site, github, "green")
    line = reviewed_marker(github, pull)
    [fingerprint] = FINGERPRINT.findall(line)
    assert line == (
        f"<!-- gitops-action:reviewed target=app desired={fingerprint} revision={pull.head} -->"
    )


def test_a_merge_of_what_was_reviewed_is_applied_and_says_it_matches(
    site: Site, github: GitHubFake
) -> None:
    pull = open_and_plan(site, github, "green")
    [reviewed] = FINGERPRINT.findall(reviewed_marker(github, pull))
    sha = merge(site, github, pull)

    result, report = apply_on_push(site, github, sha)

    assert result.code == 0, said(result)
    [target] = report["targets"]
    assert target["reviewed"] == {
        "pull": pull.number,
        "matches": True,
        "fingerprint": reviewed,
        "reviewed_fingerprint": reviewed,
    }
    assert f"target app: applying the plan reviewed on #{pull.number} ({reviewed})" in said(result)
    assert f"- ✅ `app`: applying the plan reviewed on [#{pull.number}](" in summary(site)
    assert github.count("GET", f"/repos/{REPO}/commits/{sha}/pulls") == 1


def test_when_main_moved_after_the_plan_the_difference_is_said_and_still_applied(
    site: Site, github: GitHubFake
) -> None:
    pull, reviewed, sha = planned_then_main_moved(site, github)

    result, report = apply_on_push(site, github, sha)

    assert result.code == 0, said(result)
    [target] = report["targets"]
    assert target["reviewed"]["matches"] is False
    assert target["reviewed"]["reviewed_fingerprint"] == reviewed
    applied = target["reviewed"]["fingerprint"]
    assert applied != reviewed
    assert (
        f"gitops-action: warning: target app: what this commit applies ({applied}) is not the "
        f"plan reviewed on pull request #{pull.number} ({reviewed}): main moved after its last "
        "plan, or another pull request changed the target"
    ) in said(result)
    assert "- ⚠️ `app`: what this commit applies" in summary(site)
    assert site.get("ConfigMap", "other") is not None


def test_reviewed_plan_refuse_writes_nothing_and_names_the_pull_request_and_both_fingerprints(
    site: Site, github: GitHubFake
) -> None:
    site.configure(wait={"timeout": 30}, **{"reviewed-plan": "refuse"})
    pull, reviewed, sha = planned_then_main_moved(site, github)

    result, report = apply_on_push(site, github, sha)

    assert result.code == 1
    [target] = report["targets"]
    applied = target["reviewed"]["fingerprint"]
    refusal = (
        f"target app: reviewed-plan: refuse: pull request #{pull.number} reviewed {reviewed}, "
        f"but this commit renders {applied}; nothing was written. Plan the target as main is "
        "now in a new pull request and merge that, or set reviewed-plan: warn"
    )
    assert target["errors"] == [refusal]
    assert f"gitops-action: error: {refusal}\n" in said(result)
    assert f"- ❌ {refusal}" in summary(site)
    assert site.get("ConfigMap", "settings") is None
    assert site.get("ConfigMap", "other") is None
    assert site.inventory_parent() is None


def test_a_direct_push_is_said_and_applied_even_with_refuse(site: Site, github: GitHubFake) -> None:
    site.configure(wait={"timeout": 30}, **{"reviewed-plan": "refuse"})
    sha = site.commit({"deploy/cm.yaml": dump(configmap("settings", color="blue"))})

    result, report = apply_on_push(site, github, sha)

    assert result.code == 0, said(result)
    [target] = report["targets"]
    assert target["reviewed"]["pull"] is None and target["reviewed"]["matches"] is None
    assert (
        f"target app: no merged pull request has commit {sha[:12]} (a direct push): no "
        "reviewed plan to compare with"
    ) in said(result)
    assert site.get("ConfigMap", "settings") is not None


def test_a_reviewed_marker_pasted_by_someone_else_is_not_taken_for_the_plan(
    site: Site, github: GitHubFake
) -> None:
    site.configure(wait={"timeout": 30}, **{"reviewed-plan": "refuse"})
    pull = open_and_plan(site, github, "green")
    ours = github.state.comments(REPO, pull.number)[0]
    github.state.delete_comment(REPO, ours.id)
    # mallory copies our comment, fingerprint and all: it is not ours, so it proves nothing.
    github.state.add_comment(REPO, pull.number, ours.body, user="mallory")
    sha = merge(site, github, pull)

    result, report = apply_on_push(site, github, sha)

    assert result.code == 0, said(result)
    assert report["targets"][0]["reviewed"]["matches"] is None
    assert f"target app: pull request #{pull.number} has no plan of it to compare with" in said(
        result
    )
