"""`gitops-action plan --no-live` on real git repositories: actions, outputs and bad input."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.support import Repo

CONFIG = """\
version: 1
targets:
  - name: web
    path: deploy
    namespace: web
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:IMAGE
"""


def seed(repo: Repo) -> str:
    repo.write(
        {
            ".gitops.yaml": CONFIG,
            "deploy/web.yaml": DEPLOYMENT.replace("IMAGE", "1"),
            "deploy/old.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old}\ndata: {a: '1'}\n",
            "deploy/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n",
        }
    )
    return repo.commit("initial")


def change(repo: Repo) -> str:
    repo.write(
        {
            "deploy/web.yaml": DEPLOYMENT.replace("IMAGE", "2"),
            "deploy/new.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\ndata: {b: '2'}\n",
            "deploy/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: correct-horse}\n",
        }
    )
    repo.remove("deploy/old.yaml")
    return repo.commit("change")


def test_plan_reports_create_update_delete_between_two_commits(
    repo: Repo, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    head = change(repo)
    out = tmp_path / "plan.json"
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base, "--output-json", str(out))
    assert result.code == 0, result.err
    report = json.loads(out.read_text())
    assert report["version"] == 1 and report["command"] == "plan" and report["revision"] == head
    (target,) = report["targets"]
    assert target["name"] == "web"
    assert target["summary"] == {"create": 1, "update": 2, "delete": 1, "unchanged": 0, "adopt": 0}
    actions = {(r["kind"], r["namespace"], r["name"]): r["action"] for r in target["resources"]}
    assert actions == {
        ("ConfigMap", "web", "new"): "create",
        ("ConfigMap", "web", "old"): "delete",
        ("Deployment", "web", "web"): "update",
        ("Secret", "web", "db"): "update",
    }
    web = next(r for r in target["resources"] if r["name"] == "web")
    assert web["apiVersion"] == "apps/v1" and web["source"] == "deploy/web.yaml:1:1"
    assert "-      - image: web:1\n+      - image: web:2\n" in web["diff"]
    assert target["errors"] == []


def test_secret_values_are_in_no_output(repo: Repo, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    change(repo)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    result = run_cli(
        repo.root,
        "plan",
        "--no-live",
        "--base-ref",
        base,
        "--output-md",
        str(md),
        "--output-json",
        str(js),
        env=env,
    )
    assert result.code == 0
    texts = [result.out, result.err, md.read_text(), js.read_text(), summary.read_text()]
    for value in ("hunter2", "correct-horse"):
        for text in texts:
            assert value not in text
            assert base64.b64encode(value.encode()).decode() not in text
    assert "Secret keys changed (changed: password)" in js.read_text()


def test_job_summary_and_step_outputs_are_written_in_actions(
    repo: Repo, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    change(repo)
    summary, outputs, js = tmp_path / "summary.md", tmp_path / "outputs", tmp_path / "r.json"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    run_cli(repo.root, "plan", "--no-live", "--base-ref", base, "--output-json", str(js), env=env)
    assert summary.read_text().startswith("### gitops-action plan · `web`\n")
    assert outputs.read_text().splitlines() == [f"report={js}", "changes=true"]


def test_exit_code_two_only_with_changes_and_the_flag(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    assert run_cli(repo.root, "plan", "--no-live", "--base-ref", base, "--exit-code").code == 0
    change(repo)
    assert run_cli(repo.root, "plan", "--no-live", "--base-ref", base).code == 0
    assert run_cli(repo.root, "plan", "--no-live", "--base-ref", base, "--exit-code").code == 2


def test_the_base_is_rendered_in_a_worktree_that_is_removed(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    change(repo)
    repo.write(
        {"deploy/uncommitted.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wip}\n"}
    )
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert "+ create ConfigMap/web/wip" in result.out  # head is the working tree
    assert repo.git("worktree", "list", "--porcelain").count("worktree ") == 1
    assert repo.git("status", "--porcelain") == "?? deploy/uncommitted.yaml"


def test_a_target_new_in_head_is_all_creations(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write({".gitops.yaml": CONFIG, "README.md": "x\n"})
    base = repo.commit("no deploy folder yet")
    repo.write({"deploy/web.yaml": DEPLOYMENT.replace("IMAGE", "1")})
    repo.commit("add web")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert result.code == 0, result.err
    assert "1 to create, 0 to update, 0 to delete, 0 unchanged" in result.out


def test_an_unknown_base_ref_is_one_clear_error(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    seed(repo)
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", "origin/main")
    assert result.code == 1
    assert result.err == (
        f"gitops-action: error: {repo.root}: git ref 'origin/main' not found. "
        "Fetch it first: git fetch origin main\n"
    )


def test_without_a_base_outside_a_pull_request_it_says_to_pass_one(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    seed(repo)
    result = run_cli(repo.root, "plan", "--no-live")
    assert result.code == 1
    assert "plan needs a base to compare with: pass --base-ref REF" in result.err


def test_the_pull_request_base_comes_from_the_event(repo: Repo, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    change(repo)
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}}})
    )
    result = run_cli(
        repo.root, "plan", "--no-live", "--no-comment", env={"GITHUB_EVENT_PATH": str(event)}
    )
    assert result.code == 0, result.err
    assert "1 to create, 2 to update, 1 to delete" in result.out


def test_a_duplicate_key_in_head_names_file_and_line_and_writes_nothing(
    repo: Repo, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    base = seed(repo)
    repo.write(
        {
            "deploy/web.yaml": DEPLOYMENT.replace("IMAGE", "1").replace(
                "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n"
            )
        }
    )
    out = tmp_path / "plan.json"
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base, "--output-json", str(out))
    assert result.code == 1
    assert result.err.startswith("gitops-action: error: ")
    assert "deploy/web.yaml:7:3: duplicate key 'replicas' (first at line 6)" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_a_bad_config_exits_one_with_the_key_and_line(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        {
            ".gitops.yaml": CONFIG + "    colour: blue\n",
            "deploy/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        }
    )
    repo.commit()
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", "HEAD")
    assert result.code == 1
    assert result.err.startswith(
        "gitops-action: error: .gitops.yaml:6:5: unknown key 'targets.0.colour'"
    )


def test_usage_errors_exit_one_not_two(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    seed(repo)
    result = run_cli(repo.root, "plan", "--no-such-flag")
    assert result.code == 1
    assert "Error: No such option '--no-such-flag'" in result.err


def test_changes_outside_a_targets_folder_that_it_renders_are_still_planned(
    repo: Repo, run_cli
) -> None:  # type: ignore[no-untyped-def]
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: LEVEL}\n"
    repo.write(
        {
            ".gitops.yaml": (
                "version: 1\ntargets:\n"
                "  - {name: overlay, path: overlays/prod, namespace: prod}\n"
                "  - {name: jobs, path: jobs, namespace: jobs, values: [shared/vars.yaml]}\n"
                "  - {name: still, path: still, namespace: still}\n"
            ),
            "base/cm.yaml": cm.replace("LEVEL", "info"),
            "base/kustomization.yaml": "resources: [cm.yaml]\n",
            "overlays/prod/kustomization.yaml": "resources: [../../base]\n",
            "jobs/cm.yaml.j2": cm.replace("LEVEL", "{{ level }}"),
            "shared/vars.yaml": "level: info\n",
            "still/cm.yaml": cm.replace("LEVEL", "info"),
        }
    )
    base = repo.commit("initial")
    # Only files outside the targets' folders change: the kustomize base and a values file.
    repo.write({"base/cm.yaml": cm.replace("LEVEL", "debug"), "shared/vars.yaml": "level: debug\n"})
    repo.commit("debug everywhere")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert result.code == 0, result.err
    assert "~ update ConfigMap/prod/settings" in result.out
    assert "~ update ConfigMap/jobs/settings" in result.out
    assert "== target still\n   0 to create, 0 to update, 0 to delete, 1 unchanged" in result.out


def test_target_is_accepted_after_the_command_as_before_it(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    seed(repo)
    two = CONFIG + "  - {name: other, path: other}\n"
    repo.write(
        {
            ".gitops.yaml": two,
            "other/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: o}\n",
        }
    )
    repo.commit("a second target")
    change(repo)

    after = run_cli(repo.root, "plan", "--no-live", "--base-ref", "HEAD~1", "--target", "web")
    before = run_cli(repo.root, "--target", "web", "plan", "--no-live", "--base-ref", "HEAD~1")
    unknown = run_cli(repo.root, "plan", "--no-live", "--base-ref", "HEAD~1", "--target", "nope")

    assert after.code == before.code == 0, after.err + before.err
    assert after.out == before.out and "== target web" in after.out
    assert "== target other" not in after.out
    assert (
        unknown.code == 1 and "no target named 'nope'; the targets are: web, other" in unknown.err
    )


CREATING = CONFIG.replace("namespace: web", "namespace: web\n    create-namespace: true")


def test_create_namespace_adds_the_targets_namespace_unless_git_has_it(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    seed(repo)
    repo.write({".gitops.yaml": CREATING})
    base = repo.commit("create the namespace")

    added = run_cli(repo.root, "plan", "--no-live", "--base-ref", "HEAD~1")
    change(repo)
    same = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    repo.write({"deploy/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n"})
    repo.commit("the namespace in Git")
    own = run_cli(repo.root, "plan", "--no-live", "--base-ref", base, "--output-json", "own.json")

    assert added.code == 0, added.err
    assert "+ create Namespace/web  (.gitops.yaml:3:5)" in added.out
    assert "1 to create, 0 to update, 0 to delete, 3 unchanged" in added.out
    assert same.code == 0 and "Namespace/web" not in same.out.split("at a glance")[0]
    assert "create Namespace/web" not in same.out  # at both ends: unchanged
    assert own.code == 0, own.err
    rows = json.loads((repo.root / "own.json").read_text())["targets"][0]["resources"]
    [namespace] = [r for r in rows if r["kind"] == "Namespace"]  # Git's own, not a second one
    assert (namespace["source"], namespace["action"]) == ("deploy/ns.yaml:1:1", "unchanged")
