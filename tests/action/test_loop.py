"""The whole loop under act, as users meet it: a pull request planned and merged, the push that
applies it (only the targets it changed, the reviewed plan kept), and the schedule that finds
an out-of-band `kubectl edit` and keeps its issue, revert or adopt pull request true, through
to the merge that ends it. The example workflows as they are, the real action.yml, the fake
GitHub, a real bare `origin`, the local control plane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.action.act import Act, ActResult
from tests.action.flows import (
    SCHEDULE_EVENT,
    Origin,
    bare,
    kubectl_edit,
    push_event,
    run_example,
)
from tests.cluster.controlplane import ControlPlane
from tests.ghfake import GitHubFake
from tests.github.helpers import REPO, PullRequest, configmap
from tests.support import Repo, kubectl

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

WEB = "deploy/web/cm.yaml"


def config(namespace: str, on_drift: str = "issue") -> str:
    return (
        "version: 1\ntargets:\n"
        f"  - {{name: web, path: deploy/web, namespace: {namespace}, "
        f"drift: {{on-drift: {on_drift}}}}}\n"
        f"  - {{name: api, path: deploy/api, namespace: {namespace}}}\n"
    )


def color(plane: ControlPlane, namespace: str, name: str = "web") -> str | None:
    found = kubectl(plane.kubeconfig, namespace, "get", "configmap", name, "--ignore-not-found", "-o",
                    "jsonpath={.data.color}")  # fmt: skip
    return found or None


@pytest.fixture
def origin(repo: Repo, github: GitHubFake, tmp_path: Path) -> Origin:
    return Origin.create(repo, github, tmp_path)


def deployed(
    origin: Origin, plane: ControlPlane, namespace: str, run_cli: Any, on_drift: str
) -> str:
    """`main` with both targets, pushed and applied (by the CLI: the push flow's own test is
    below); the sha of main."""
    origin.repo.write(
        {
            ".gitops.yaml": config(namespace, on_drift),
            WEB: configmap("web", color="blue"),
            "deploy/api/cm.yaml": configmap("api", color="blue"),
        }
    )
    origin.repo.commit("web and api")
    sha = origin.push_main()
    applied = run_cli(origin.repo.root, "--kubeconfig", str(plane.kubeconfig), "apply")
    assert applied.code == 0, applied.out + applied.err
    return sha


def drifted(
    act: Act, github: GitHubFake, origin: Origin, plane: ControlPlane, namespace: str,
    run_cli: Any, on_drift: str,
) -> ActResult:  # fmt: skip
    """Deployed with ``on_drift``, web's color edited by hand from blue to red, then the
    schedule's verify run."""
    deployed(origin, plane, namespace, run_cli, on_drift)
    kubectl_edit(plane, namespace, "configmap/web", "blue", "red")
    found = verify(act, github, origin, plane)
    assert found.code == 0, found.log
    return found


def kubeconfig(plane: ControlPlane) -> dict[str, str]:
    text = plane.kubeconfig.read_text(encoding="utf-8")
    return {"GITOPS_KUBECONFIG": text, "GITOPS_VERIFY_KUBECONFIG": text}


def verify(act: Act, github: GitHubFake, origin: Origin, plane: ControlPlane) -> ActResult:
    """The schedule example workflow, as the cron would run it on main."""
    result = run_example(
        act, github, origin.repo, "schedule-verify.yml", "schedule", SCHEDULE_EVENT,
        secrets=kubeconfig(plane),
    )  # fmt: skip
    assert result.matrix("verify") == ["api", "web"], result.log
    return result


def test_a_merged_pull_request_applies_only_the_target_it_changed_as_reviewed(
    act: Act, repo: Repo, github: GitHubFake, origin: Origin, control_plane: ControlPlane,
    namespace: str,
) -> None:  # fmt: skip
    repo.write(
        {
            ".gitops.yaml": config(namespace),
            WEB: configmap("web", color="blue"),
            "deploy/api/cm.yaml": configmap("api", color="blue"),
        }
    )
    repo.commit("web and api")
    base = origin.push_main()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write({WEB: configmap("web", color="green")})
    head = repo.commit("web goes green")
    repo.git("push", "-q", "origin", "feature")
    issue = github.state.add_pull(REPO, "feature", "main", title="web goes green")
    pull = PullRequest(repo, github, issue.number, base, head)

    planned = run_example(act, github, repo, "pull-request.yml", "pull_request", pull.event())
    assert planned.code == 0, planned.log
    assert planned.matrix("plan") == ["web"]
    [comment] = github.state.comments(REPO, pull.number)
    assert "<!-- gitops-action:reviewed target=web desired=sha256:" in comment.body

    merge = origin.merge("feature", pull.number)
    pushed = run_example(
        act, github, repo, "push-main.yml", "push", push_event(base, merge),
        secrets=kubeconfig(control_plane),
    )  # fmt: skip

    assert pushed.code == 0, pushed.log
    assert pushed.matrix("apply") == ["web"]
    [target] = pushed.job("apply", "web").report["targets"]
    assert target["reviewed"]["pull"] == pull.number
    assert target["reviewed"]["matches"] is True
    assert color(control_plane, namespace) == "green"
    assert color(control_plane, namespace, "api") is None  # not changed, so not applied


def test_drift_from_kubectl_edit_opens_the_issue_and_the_fix_closes_it(
    act: Act, github: GitHubFake, origin: Origin, control_plane: ControlPlane, namespace: str,
    run_cli: Any,
) -> None:  # fmt: skip
    found = drifted(act, github, origin, control_plane, namespace, run_cli, "issue")
    [issue] = github.state.issues(REPO)
    assert (issue.title, issue.state, issue.labels) == (
        "Drift detected in web",
        "open",
        ["gitops-drift"],
    )
    assert "-  color: red\n+  color: blue\n" in (issue.body or "")
    assert "kubectl-edit (Update)" in (issue.body or "")
    web = found.job("verify", "web").outputs("verify")
    assert (web["drift"], web["drift-url"]) == ("true", f"{github.html_url}/{REPO}/issues/1")
    assert found.job("verify", "api").outputs("verify")["drift"] == "false"

    kubectl_edit(control_plane, namespace, "configmap/web", "red", "blue")  # undone by hand
    fixed = verify(act, github, origin, control_plane)

    assert fixed.code == 0, fixed.log
    assert fixed.job("verify", "web").outputs("verify")["drift"] == "false"
    [issue] = github.state.issues(REPO)
    assert issue.state == "closed"
    assert github.state.comments(REPO, issue.number)[-1].body.startswith("✅ The drift is gone")


def test_the_drift_revert_pull_request_merged_puts_the_cluster_back(
    act: Act, repo: Repo, github: GitHubFake, origin: Origin, control_plane: ControlPlane,
    namespace: str, run_cli: Any,
) -> None:  # fmt: skip
    found = drifted(act, github, origin, control_plane, namespace, run_cli, "revert-pr")
    before = origin.main()  # what main is before the revert is merged
    [pull] = github.state.pulls(REPO)
    branch = "gitops-action/revert-drift/web"
    assert pull.pull is not None and (pull.pull.head_ref, pull.state) == (branch, "open")
    assert (
        found.job("verify", "web").outputs("verify")["drift-url"].endswith(f"/pull/{pull.number}")
    )
    assert bare(origin.path, "diff", "--name-only", f"main..{branch}") == ".gitops/resync/web.yaml"
    assert color(control_plane, namespace) == "red"  # verify itself never writes

    merge = origin.merge(branch, pull.number)
    pushed = run_example(
        act, github, repo, "push-main.yml", "push", push_event(before, merge),
        secrets=kubeconfig(control_plane),
    )  # fmt: skip

    assert pushed.code == 0, pushed.log
    assert pushed.matrix("apply") == ["web"]  # the resync record counts as web's change
    assert color(control_plane, namespace) == "blue"
    assert "target web: .gitops/resync/web.yaml changed (a drift revert)" in pushed.log


def test_the_drift_adopt_pull_request_merged_makes_git_match_and_verify_in_sync(
    act: Act, repo: Repo, github: GitHubFake, origin: Origin, control_plane: ControlPlane,
    namespace: str, run_cli: Any,
) -> None:  # fmt: skip
    drifted(act, github, origin, control_plane, namespace, run_cli, "adopt-pr")
    [pull] = github.state.pulls(REPO)
    branch = "gitops-action/adopt-drift/web"
    assert pull.pull is not None and pull.pull.head_ref == branch
    diff = bare(origin.path, "diff", f"main..{branch}")
    assert [x for x in diff.splitlines()[4:] if x[:1] in "-+"] == [
        '-  color: "blue"',
        '+  color: "red"',
    ], diff

    origin.merge(branch, pull.number)
    after = verify(act, github, origin, control_plane)

    assert after.code == 0, after.log
    web = after.job("verify", "web")
    assert web.outputs("verify")["drift"] == "false"
    assert {r["action"] for r in web.report["targets"][0]["resources"]} == {"in-sync"}
    assert github.state.pulls(REPO, "open") == []
    assert github.state.issues(REPO) == []
