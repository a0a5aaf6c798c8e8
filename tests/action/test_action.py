"""The real action.yml, run by act in host mode on the example workflows, against the fake
GitHub and the real control plane (see tests/action/act.py for how act runs)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.action.act import Act, ActResult, workflow
from tests.action.flows import NO_COMMIT, TOKEN, fake_env, push_event, run_example
from tests.cluster.controlplane import ControlPlane
from tests.ghfake import GitHubFake
from tests.github.helpers import REPO, PullRequest, configmap, open_pull
from tests.support import Repo

pytestmark = pytest.mark.slow

STAGING = "deploy/staging/cm.yaml"
MARKER = "<!-- gitops-action:plan target=staging part=1 -->"


def run_on_pull(act: Act, github: GitHubFake, pull: PullRequest, text: str = "") -> ActResult:
    """Run the pull request example workflow (or ``text``) on ``pull``."""
    if not text:
        return run_example(act, github, pull.repo, "pull-request.yml", "pull_request", pull.event())
    github.add_token(
        TOKEN,
        "github-actions[bot]",
        {"contents": "read", "pull-requests": "write"},
        installation=True,
    )
    return act.run(
        pull.repo.root,
        text,
        "pull_request",
        pull.event(),
        secrets={"GITHUB_TOKEN": TOKEN},
        env=fake_env(github),
    )


CONFIG = """\
version: 1
targets:
  - {name: staging, path: deploy/staging, namespace: staging}
  - {name: prod, path: deploy/prod, namespace: prod}
"""


def pull_request(repo: Repo, github: GitHubFake, base: str, head: str) -> PullRequest:
    """Pull request `feature` -> `main` changing the staging ConfigMap from `base` to `head`."""
    return open_pull(repo, github, {".gitops.yaml": CONFIG, STAGING: base}, {STAGING: head})


def color_change(repo: Repo, github: GitHubFake) -> PullRequest:
    return pull_request(
        repo, github, configmap("web", color="blue"), configmap("web", color="green")
    )


def test_a_pull_request_gets_the_plan_comment_and_the_changes_output(
    act: Act, repo: Repo, github: GitHubFake
) -> None:
    pull = color_change(repo, github)
    result = run_on_pull(act, github, pull)
    assert result.code == 0, result.log
    targets = result.job("targets")
    assert targets.steps["validate"]["outcome"] == "success"
    # Fan-out: only the target the pull request changes gets a plan job.
    assert targets.outputs("targets")["matrix"] == (
        '{"include":[{"name":"staging","context":"","path":"deploy/staging"}]}'
    )
    assert result.matrix("plan") == ["staging"]
    [comment] = github.state.comments(REPO, pull.number)
    assert comment.body.splitlines()[0] == MARKER
    assert "-  color: blue" in comment.body and "+  color: green" in comment.body
    plan = result.job("plan", "staging")
    outputs = plan.outputs("plan")
    assert outputs["changes"] == "true"
    assert outputs["comment-url"] == (
        f"{github.html_url}/{REPO}/pull/{pull.number}#issuecomment-{comment.id}"
    )
    assert Path(outputs["report"]).name == "gitops-action-report.json"
    report = plan.report
    assert (report["command"], report["revision"]) == ("plan", pull.head)
    [staging] = report["targets"]
    assert staging["name"] == "staging"
    assert staging["summary"] == {"create": 0, "update": 1, "delete": 0, "unchanged": 0, "adopt": 0}


def test_a_bad_manifest_fails_the_job_with_an_annotation_on_its_line(
    act: Act, repo: Repo, github: GitHubFake
) -> None:
    duplicate = configmap("web", color="green") + '  color: "red"\n'
    pull = pull_request(repo, github, configmap("web", color="blue"), duplicate)
    result = run_on_pull(act, github, pull)
    assert result.code != 0
    assert (
        f"::error file={STAGING},line=7,col=3,title=gitops-action validate::duplicate key "
        "'color' (first at line 6); YAML keeps only the last one, remove one of them"
    ) in result.annotations(), result.log
    assert result.job("targets").steps["validate"]["outcome"] == "failure"
    assert result.matrix("plan") == []  # the plan jobs need the targets job: none ran
    assert github.state.comments(REPO, pull.number) == []


def test_a_new_push_to_the_pull_request_updates_the_comment_in_place(
    act: Act, repo: Repo, github: GitHubFake
) -> None:
    pull = color_change(repo, github)
    assert run_on_pull(act, github, pull).code == 0
    [first] = github.state.comments(REPO, pull.number)
    first_id = first.id
    pull.push({STAGING: configmap("web", color="red")})
    result = run_on_pull(act, github, pull)
    assert result.code == 0, result.log
    [comment] = github.state.comments(REPO, pull.number)
    assert comment.id == first_id
    assert "+  color: red" in comment.body and "color: green" not in comment.body
    assert f"revision `{pull.head[:12]}`" in comment.body
    assert github.count("POST", f"/repos/{REPO}/issues/*/comments") == 1
    assert github.count("PATCH", f"/repos/{REPO}/issues/comments/{first_id}") == 1
    plan = result.job("plan", "staging")
    assert plan.outputs("plan")["comment-url"].endswith(f"#issuecomment-{first_id}")


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example/web:1
"""

CARELESS_STEP = """\
      - name: A careless step that prints the kubeconfig
        if: always()
        shell: bash
        env:
          KUBECONFIG_TEXT: ${{ secrets.GITOPS_KUBECONFIG }}
        run: |
          printf '%s\\n' "$KUBECONFIG_TEXT"
          printf 'token alone: %s\\n' "$(printf '%s' "$KUBECONFIG_TEXT" | sed -n 's/.*"token": "\\([^"]*\\)".*/\\1/p')"
"""


def test_a_push_to_main_applies_with_the_kubeconfig_masked_and_removed(
    act: Act,
    repo: Repo,
    github: GitHubFake,
    control_plane: ControlPlane,
    kube_api: Any,
    namespace: str,
) -> None:
    repo.write(
        {
            ".gitops.yaml": (
                "version: 1\ntargets:\n"
                f"  - {{name: web, path: deploy/web, namespace: {namespace}}}\n"
            ),
            "deploy/web/cm.yaml": configmap("web", color="blue"),
            "deploy/web/deployment.yaml": DEPLOYMENT,
        }
    )
    sha = repo.commit("Deploy web")
    token = control_plane.admin_token
    kubeconfig = control_plane.kubeconfig.read_text(encoding="utf-8")
    assert token in kubeconfig

    result = run_example(
        act,
        github,
        repo,
        "push-main.yml",
        "push",
        push_event(NO_COMMIT, sha, "Deploy web"),  # the branch's first push: every target
        secrets={"GITOPS_KUBECONFIG": kubeconfig},
        extra=CARELESS_STEP,
    )

    assert result.code == 0, result.log
    core, apps = client.CoreV1Api(kube_api), client.AppsV1Api(kube_api)
    assert core.read_namespaced_config_map("web", namespace).data == {"color": "blue"}
    status = apps.read_namespaced_deployment("web", namespace).status
    assert status is not None and status.available_replicas == 1
    apply = result.job("apply", "web")
    outputs = apply.outputs("apply")
    assert outputs["changes"] == "true"
    assert Path(outputs["report"]).name == "gitops-action-report.json"
    report = apply.report
    assert (report["command"], report["revision"]) == ("apply", sha)
    assert {(r["kind"], r["name"], r["action"]) for r in report["targets"][0]["resources"]} == {
        ("ConfigMap", "web", "create"),
        ("Deployment", "web", "create"),
    }
    # Healthy: the rollout was waited for, and the log says what was applied.
    assert "== target web: ✅ applied" in result.log
    # The kubeconfig's directory is gone once the action ends; the report stays for later steps.
    assert [n for n in apply.runner_temp if n.startswith("gitops-action")] == [
        "gitops-action-report.json"
    ]
    # The careless step printed the kubeconfig and then the bare token: both masked.
    assert token not in result.log
    assert "token alone: ***" in result.log


INPUTS = """\
      - id: plan
        uses: your-org/gitops-action@v1
        with:
          command: plan
          targets: |
            staging
          base-ref: HEAD~1
          prune: "true"
"""


def test_the_targets_and_base_ref_inputs_become_cli_flags(
    act: Act, repo: Repo, github: GitHubFake
) -> None:
    pull = color_change(repo, github)
    pull.push({"deploy/prod/cm.yaml": configmap("web", tier="production")})
    result = run_on_pull(act, github, pull, workflow("pull_request", INPUTS))
    assert result.code == 0, result.log
    job = result.job("test")
    assert "gitops-action --target staging plan --output-json " in result.log
    assert " --base-ref HEAD~1\n" in result.log
    # Against HEAD~1 (staging already green) rather than the pull request's base: no change.
    [staging] = job.report["targets"]
    assert staging["name"] == "staging"
    assert staging["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 1, "adopt": 0}
    assert job.outputs("plan")["changes"] == "false"
    # prune is an apply input: a warning, not an error, for plan.
    assert result.annotations("warning") == [
        "::warning title=gitops-action::input prune applies to apply only; ignored for plan"
    ]
    # No kubeconfig input: nothing of the action's is left in RUNNER_TEMP but the report.
    assert [n for n in job.runner_temp if n.startswith("gitops-action")] == [
        "gitops-action-report.json"
    ]


BAD_INPUTS = """\
      - id: deploy
        continue-on-error: true
        uses: your-org/gitops-action@v1
        with:
          command: deploy
      - id: apply
        uses: your-org/gitops-action@v1
        with:
          command: apply
          timeout: soon
"""


def test_a_wrong_input_fails_the_step_before_anything_runs(
    act: Act, repo: Repo, github: GitHubFake
) -> None:
    pull = color_change(repo, github)
    result = run_on_pull(act, github, pull, workflow("pull_request", BAD_INPUTS))
    assert result.code != 0
    assert result.annotations() == [
        "::error title=gitops-action::input command must be validate, plan, apply, verify or targets, got 'deploy'",
        "::error title=gitops-action::input timeout must be a whole number of seconds, got 'soon'",
    ]
    steps = result.job("test").steps
    assert steps["deploy"]["outcome"] == "failure"
    assert steps["apply"]["outcome"] == "failure"


def test_a_failed_apply_fails_the_job_and_opens_a_revert_pull_request(
    act: Act,
    repo: Repo,
    github: GitHubFake,
    control_plane: ControlPlane,
    kube_api: Any,
    namespace: str,
    tmp_path: Path,
) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    github.use_git(origin)
    repo.write(
        {
            ".gitops.yaml": (
                "version: 1\ntargets:\n"
                f"  - {{name: web, path: deploy/web, namespace: {namespace}, "
                "revert-on-failure: pr}\n"
            ),
            "deploy/web/cm.yaml": configmap("web", color="blue"),
        }
    )
    before = repo.commit("Deploy web")
    repo.git("remote", "add", "origin", str(origin))
    repo.git("checkout", "-q", "-b", "feature")
    repo.write({"deploy/web/bad.yaml": configmap("bad", **{"not a valid key!": "x"})})
    repo.commit("Add a bad ConfigMap")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from feature", "feature")
    repo.git("push", "-q", "origin", "main")
    merge = repo.git("rev-parse", "HEAD")

    result = run_example(
        act,
        github,
        repo,
        "push-main.yml",
        "push",
        push_event(before, merge),
        secrets={"GITOPS_KUBECONFIG": control_plane.kubeconfig.read_text(encoding="utf-8")},
    )

    assert result.code != 0
    apply = result.job("apply", "web")
    assert apply.steps["apply"]["outcome"] == "failure"
    # Nothing was written, and the report of the failure is there for later steps.
    core = client.CoreV1Api(kube_api)
    names = {
        c.metadata and c.metadata.name for c in core.list_namespaced_config_map(namespace).items
    }
    assert not names & {"web", "bad"}
    [target] = apply.report["targets"]
    assert any("not a valid key!" in error for error in target["errors"]), target
    [pull] = github.state.pulls(REPO)
    assert pull.pull is not None
    assert pull.pull.head_ref == f"gitops-action/revert/{merge[:12]}"
    assert pull.title == 'Revert "Merge pull request #7 from feature": apply to web failed'
