"""`make demo`, the README's first command, keeps working: the whole loop on a control plane
of its own, and, on a machine without Go, the offline plan with the reason why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.pins import current_install

ROOT = Path(__file__).resolve().parents[2]


def demo(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        cwd=ROOT,
        env={**os.environ, "GITOPS_ACTION_DEMO_DIR": str(tmp_path / "demo"), **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_without_go_the_demo_shows_the_offline_plan_and_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "cache"
    empty.mkdir()
    # A PATH with git and bash only: no Go, wherever Go is installed on this machine.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "bash"):
        found = shutil.which(tool)
        assert found is not None, f"{tool} is needed"
        (bin_dir / tool).symlink_to(found)
    assert shutil.which("go", path=str(bin_dir)) is None
    done = demo(tmp_path, PATH=str(bin_dir), GITOPS_ACTION_CACHE=str(empty))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert (
        "No control plane for the loop: no Go on PATH, so the control plane cannot be built" in out
    )
    assert "the Helm target cache-staging is left out" in out
    assert (
        "Images**: <code>ghcr.io/example/web:1.5.0</code> → <code>ghcr.io/example/web:1.6.0</code>"
        in out
    )
    assert "web-staging: 0 create, 2 update, 0 delete" in out


@pytest.mark.slow
@pytest.mark.cluster
def test_the_demo_runs_the_loop_on_a_control_plane_of_its_own(tmp_path: Path) -> None:
    if not current_install().is_complete():
        pytest.skip("the control plane is not built: make cluster-build (make test does)")
    done = demo(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    steps = [line for line in out.splitlines() if line[:2] in {f"{n}." for n in range(1, 7)}]
    assert [s.split(" ")[1] for s in steps] == ["Deploy", "A", "The", "An", "The", "The"]
    assert "== target web-production: ✅ applied" in out
    assert "changed by: kubectl (Update via scale)" in out
    assert "1 drifted, 0 missing, 0 orphaned, 6 in sync" in out
    tail = out.split("6. The revert", 1)[1]
    assert "0 drifted, 0 missing, 0 orphaned, 7 in sync" in tail
    assert not (tmp_path / "demo" / "cluster").exists(), "the demo's control plane is stopped"
