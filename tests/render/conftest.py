"""Fixtures for the render tests: repositories written into tmp dirs, and the real tools."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops_action.config import Target
from gitops_action.render import Rendered, render_target
from gitops_action.render.tools import find_tool

WriteFiles = Callable[[dict[str, str]], Path]
Render = Callable[..., Rendered]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


@pytest.fixture
def write(repo: Path) -> WriteFiles:
    """Write ``{relative path: text}`` (dedented) into the repository; returns its root."""

    def write_files(files: dict[str, str]) -> Path:
        for relative, text in files.items():
            path = repo / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return repo

    return write_files


@pytest.fixture
def render(repo: Path) -> Render:
    """Render a target of the tmp repository: ``render("path", render="plain", ...)``."""

    def render_path(path: str, **fields: object) -> Rendered:
        target = Target(name=str(fields.pop("name", "demo")), path=path, **fields)  # type: ignore[arg-type]
        return render_target(target, repo)

    return render_path


@pytest.fixture(scope="session")
def helm() -> str:
    """The helm that `tools/ensure-helm` builds. Missing: skipped on a laptop, failed in CI
    (the Makefile builds it before pytest, so there it must be present)."""
    found = find_tool("helm")
    if found is None:
        message = "helm not found: run tools/ensure-helm"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return found[1]
