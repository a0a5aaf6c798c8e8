"""The workflows users copy (examples/workflows) and this project's own (.github) are linted:
actionlint (built from its Go module by tools/ensure-actionlint) on each, with the example
workflows pointed at this checkout's action.yml so that their inputs and outputs are checked
against it; the examples use the actions of .github at the versions Dependabot keeps current;
and CI runs make targets that exist. The workflows themselves run under act elsewhere
(test_action.py, test_loop.py, test_project_workflows.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.action.act import ACTION, EXAMPLES, ROOT
from tests.cluster.pins import cache_root

WORKFLOWS = ROOT / ".github" / "workflows"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*([^\s#]+)", re.MULTILINE)


@pytest.fixture(scope="module")
def actionlint() -> str:
    found = shutil.which("actionlint", path=str(cache_root() / "bin")) or shutil.which("actionlint")
    if found is None:
        message = "these tests need actionlint: run tools/ensure-actionlint (make test does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def lint(actionlint: str, root: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint, "-no-color", "-shellcheck=", "-pyflakes=", *map(str, files)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def as_local(tmp_path: Path, text_of: dict[str, str]) -> Path:
    """A repository with this checkout's action.yml and the workflows ``text_of`` (name to
    text) in .github/workflows, the example's ``uses: your-org/gitops-action@v1`` as
    ``uses: ./``: actionlint then checks every input and output against action.yml."""
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(ROOT / "action.yml", root / "action.yml")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, text in text_of.items():
        (root / ".github" / "workflows" / name).write_text(text.replace(ACTION, "./"), "utf-8")
    return root


def examples() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yml"))}


def test_the_projects_own_workflows_pass_actionlint(actionlint: str) -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "examples.yml"]
    done = lint(actionlint, ROOT, *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_example_workflows_pass_actionlint_against_this_action(
    actionlint: str, tmp_path: Path
) -> None:
    found = examples()
    assert sorted(found) == ["pull-request.yml", "push-main.yml", "schedule-verify.yml"]
    root = as_local(tmp_path, found)
    done = lint(actionlint, root, *sorted((root / ".github" / "workflows").iterdir()))
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_input_or_output_the_action_lacks_fails_the_lint(
    actionlint: str, tmp_path: Path
) -> None:
    text = examples()["push-main.yml"]
    broken = text.replace("command: apply", "command: apply\n          dry-run: true").replace(
        "steps.targets.outputs.matrix", "steps.targets.outputs.targets"
    )
    root = as_local(tmp_path, {"push-main.yml": broken})
    done = lint(actionlint, root, root / ".github" / "workflows" / "push-main.yml")
    assert done.returncode == 1
    assert 'input "dry-run" is not defined in action "gitops-action"' in done.stdout
    assert 'property "targets" is not defined' in done.stdout


def test_the_examples_use_the_actions_of_this_projects_workflows_at_their_versions() -> None:
    """Dependabot updates .github/workflows; this holds the examples to the same versions."""
    ours = {u for f in WORKFLOWS.glob("*.yml") for u in USES.findall(f.read_text("utf-8"))}
    used = {u for text in examples().values() for u in USES.findall(text)} - {ACTION}
    assert used, "the examples use actions/checkout at least"
    assert used <= ours, f"not in .github/workflows at the same version: {used - ours}"


def test_dependabot_watches_pip_and_github_actions_weekly() -> None:
    config = YAML(typ="safe").load((ROOT / ".github" / "dependabot.yml").read_text("utf-8"))
    watched = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert watched == {("pip", "/"), ("github-actions", "/")}
    assert {u["schedule"]["interval"] for u in config["updates"]} == {"weekly"}


def test_ci_runs_make_targets_that_exist() -> None:
    ci = YAML(typ="safe").load((WORKFLOWS / "ci.yml").read_text("utf-8"))
    targets = {"lint", "typecheck"} | {
        entry["target"] for entry in ci["jobs"]["test"]["strategy"]["matrix"]["include"]
    }
    assert targets == {"lint", "typecheck", "pytest", "e2e"}
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), *sorted(targets)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "pytest tests/action" in done.stdout  # e2e is the act suite


def test_the_readmes_workflow_passes_actionlint_against_this_action(
    actionlint: str, tmp_path: Path
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [snippet] = [
        block
        for block in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
        if block.startswith("on: pull_request")
    ]
    root = as_local(tmp_path, {"readme.yml": snippet})
    done = lint(actionlint, root, root / ".github" / "workflows" / "readme.yml")
    assert done.returncode == 0, done.stdout + done.stderr
