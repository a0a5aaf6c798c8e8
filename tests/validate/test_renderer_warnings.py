"""Renderer warnings as users meet them: validate shows them as warnings (annotations with
``--format github``) and plan says them once; neither fails on them."""

from __future__ import annotations

from typing import Any

from tests.render.test_renderer_warnings import DEPRECATED
from tests.support import Repo

FILES = {
    ".gitops.yaml": "version: 1\ntargets: [{name: app, path: app}]\n",
    "app/kustomization.yaml": (
        "resources: [cm.yaml]\nvars:\n  - name: NAME\n"
        "    objref: {kind: ConfigMap, name: settings, apiVersion: v1}\n"
        "    fieldref: {fieldpath: metadata.name}\n"
    ),
    "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {color: blue}\n",
}


def test_validate_shows_renderer_warnings_as_warnings_and_annotations_and_passes(
    repo: Repo, run_cli: Any
) -> None:
    repo.write(FILES)
    text = run_cli(repo.root, "validate")
    assert text.code == 0
    assert f"app/kustomization.yaml:1:1: warning: kustomize warns: {DEPRECATED}\n" in text.out
    github = run_cli(repo.root, "validate", "--format", "github")
    assert github.code == 0
    assert (
        "::warning file=app/kustomization.yaml,line=1,col=1,title=gitops-action validate::"
        f"kustomize warns: {DEPRECATED}\n"
    ) in github.out


def test_plan_says_renderer_warnings_once_and_still_plans(repo: Repo, run_cli: Any) -> None:
    repo.write(FILES)
    repo.commit("base")
    repo.write({"app/cm.yaml": FILES["app/cm.yaml"].replace("blue", "green")})
    repo.commit("green")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", "HEAD~1")
    assert result.code == 0, result.err
    said = (
        "gitops-action: warning: target app: app/kustomization.yaml:1:1: kustomize warns: "
        + DEPRECATED
    )
    assert result.err.count(said) == 1
    assert "0 to create, 1 to update" in result.out
