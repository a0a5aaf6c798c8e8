"""The layer contract of `make lint` holds, and breaks on an import that points up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# One forbidden import per kind of breach: a lower layer reaching up, and one flow into another.
BREACHES = [
    ("core/diff.py", "import gitops_action.cluster.objects\n", "gitops_action.core"),
    ("plan/__init__.py", "import gitops_action.apply.prepare\n", "gitops_action.plan"),
    ("cluster/assess.py", "import gitops_action.adapters.kube\n", "gitops_action.cluster"),
]


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        check=False,
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree)
    shutil.copytree(
        ROOT / "gitops_action", tree / "gitops_action", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tree


def test_the_package_keeps_its_layers(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "importer"), BREACHES)
def test_an_import_that_points_up_fails_the_lint(
    tmp_path: Path, module: str, line: str, importer: str
) -> None:
    tree = _copy(tmp_path)
    path = tree / "gitops_action" / module
    path.write_text(path.read_text() + line)
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    assert "1 broken" in result.stdout
    assert importer in result.stdout
