"""Plan sees every input a render used: head's render stands for the base only when no file
the render read changed, wherever that file is (a linked subchart, a Jinja2 include through a
link, a kustomize base, a file gone from a linked folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitops_action.render.tools import find_tool
from tests.support import Repo

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\ndata: {level: LEVEL}\n"


def config(*targets: str) -> str:
    return "version: 1\ntargets:\n" + "".join(f"  - {t}\n" for t in targets)


def test_a_change_behind_a_linked_jinja_include_outside_the_target_is_planned(
    repo: Repo, run_cli
) -> None:  # type: ignore[no-untyped-def]
    repo.write({
        ".gitops.yaml": config("{name: jobs, path: jobs, namespace: jobs, render: jinja2}"),
        "jobs/cm.yaml.j2": CM.replace("NAME", "settings").replace("{level: LEVEL}", "{% include '_level.j2' %}"),
        "shared/_level.j2": "{level: info}",
    })  # fmt: skip
    os.symlink("../shared/_level.j2", repo.root / "jobs/_level.j2")
    base = repo.commit("initial")
    repo.write({"shared/_level.j2": "{level: debug}"})
    repo.commit("debug")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert result.code == 0, result.err
    assert "~ update ConfigMap/jobs/settings" in result.out
    assert "+  level: debug" in result.out


@pytest.mark.usefixtures("helm")
def test_a_change_in_a_symlinked_subchart_is_planned(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write({
        ".gitops.yaml": config("{name: app, path: chart, namespace: app}"),
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
        "libs/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        "libs/sub/templates/cm.yaml": CM.replace("NAME", "sub").replace("LEVEL", "info"),
    })  # fmt: skip
    (repo.root / "chart/charts").mkdir()
    os.symlink("../../libs/sub", repo.root / "chart/charts/sub")
    base = repo.commit("initial")
    repo.write({"libs/sub/templates/cm.yaml": CM.replace("NAME", "sub").replace("LEVEL", "debug")})
    repo.commit("debug")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert result.code == 0, result.err
    assert "~ update ConfigMap/app/sub" in result.out


def test_a_file_removed_from_a_linked_folder_is_planned_as_a_deletion(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write({
        ".gitops.yaml": config("{name: web, path: web, namespace: web}"),
        "shared/a.yaml": CM.replace("NAME", "a").replace("LEVEL", "info"),
        "shared/b.yaml": CM.replace("NAME", "b").replace("LEVEL", "info"),
    })  # fmt: skip
    (repo.root / "web").mkdir()
    os.symlink("../shared", repo.root / "web/shared")
    base = repo.commit("initial")
    repo.remove("shared/b.yaml")
    repo.commit("remove b")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert result.code == 0, result.err
    assert "- delete ConfigMap/web/b" in result.out
    assert "0 to create, 0 to update, 1 to delete, 1 unchanged" in result.out


def test_head_render_stands_for_the_base_only_while_no_input_changed(
    repo: Repo, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # kustomize is counted through GITOPS_ACTION_KUBECTL: a wrapper that logs each run.
    calls = tmp_path / "calls"
    kubectl = find_tool("kubectl")
    assert kubectl is not None
    wrapper = tmp_path / "kubectl"
    wrapper.write_text(f'#!/bin/sh\necho run >> {calls}\nexec {kubectl[1]} "$@"\n')
    wrapper.chmod(0o755)
    repo.write({
        ".gitops.yaml": config("{name: prod, path: overlays/prod, namespace: prod}"),
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": CM.replace("NAME", "settings").replace("LEVEL", "info"),
        "overlays/prod/kustomization.yaml": "resources: [../../base]\n",
        "docs/README.md": "one\n",
    })  # fmt: skip
    first = repo.commit("initial")
    repo.write({"docs/README.md": "two\n"})
    docs = repo.commit("docs")
    env = {"GITOPS_ACTION_KUBECTL": str(wrapper)}
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", first, env=env)
    assert result.code == 0, result.err
    assert "1 unchanged" in result.out
    assert calls.read_text().count("run") == 1  # head only: the base is the same

    calls.unlink()
    repo.write({"base/cm.yaml": CM.replace("NAME", "settings").replace("LEVEL", "debug")})
    repo.commit("debug")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", docs, env=env)
    assert "~ update ConfigMap/prod/settings" in result.out
    assert calls.read_text().count("run") == 2  # the base folder changed: rendered again
