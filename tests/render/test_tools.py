"""Finding the external tools: override, then the virtualenv, then PATH, then the cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gitops_action.errors import RenderError
from gitops_action.render.tools import find_tool, require_tool, run_tool, trim_stderr


def _executable(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text('#!/bin/sh\necho "$0"\n')
    path.chmod(0o755)
    return path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    folders = {"path": tmp_path / "path", "cache": tmp_path / "cache"}
    monkeypatch.setenv("PATH", str(folders["path"]))
    monkeypatch.setenv("GITOPS_ACTION_CACHE", str(folders["cache"]))
    for name in ("HELM", "KUSTOMIZE", "KUBECTL"):
        monkeypatch.delenv(f"GITOPS_ACTION_{name}", raising=False)
    return folders


def test_the_virtualenv_kubectl_comes_before_one_on_path(places: dict[str, Path]) -> None:
    _executable(places["path"], "kubectl")
    assert find_tool("kubectl") == ("kubectl", str(Path(sys.executable).parent / "kubectl"))


def test_path_comes_before_the_cache_and_the_cache_is_the_last_resort(
    places: dict[str, Path],
) -> None:
    cached = _executable(places["cache"] / "bin", "helm")
    assert find_tool("helm") == ("helm", str(cached))
    on_path = _executable(places["path"], "helm")
    assert find_tool("helm") == ("helm", str(on_path))


def test_an_environment_override_wins(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _executable(places["path"], "helm")
    mine = _executable(tmp_path / "mine", "helm-3")
    monkeypatch.setenv("GITOPS_ACTION_HELM", str(mine))
    assert find_tool("helm") == ("helm", str(mine))


def test_a_standalone_kustomize_is_preferred_where_both_are_found(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    kustomize = _executable(places["path"], "kustomize")
    # The virtualenv is searched first, and it has kubectl only.
    assert find_tool("kustomize", "kubectl")[0] == "kubectl"  # type: ignore[index]
    monkeypatch.setenv("GITOPS_ACTION_KUSTOMIZE", str(kustomize))
    assert find_tool("kustomize", "kubectl") == ("kustomize", str(kustomize))


def test_a_missing_tool_says_how_to_install_it(places: dict[str, Path]) -> None:
    with pytest.raises(RenderError, match=r"helm not found; run `tools/ensure-helm`"):
        require_tool("helm")


def test_a_tool_that_runs_too_long_is_stopped(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"took more than 0s; stopped"):
        run_tool(["sleep", "5"], cwd=tmp_path, timeout=0.2)


def test_stderr_keeps_its_last_lines() -> None:
    stderr = "\n".join(f"line {i}" for i in range(30))
    assert trim_stderr(stderr, limit=3) == "...\nline 27\nline 28\nline 29"
    assert trim_stderr("  \n") == "(no output on stderr)"
