"""Two applies of one target at once, from different commits, in both start orders: the newer
commit ends fully applied (or the older one is refused) and the inventory is consistent.

Each apply runs in a process of its own, from a clone at its commit (``tests/apply/runner.py``).
The first is held after its checks, right before its first write, holding the lease; the second
is started then, and the first is let go once the second waits for the lease (or, were there no
lease, once it finished: without the lease this test fails, in both orders).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.apply.stack import assert_converged, commit, runner
from tests.site import Site
from tests.support import git

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def clone(site: Site, at: str, where: Path) -> Path:
    git(where.parent, "clone", "-q", str(site.repo.root), str(where))
    git(where, "checkout", "-q", at)
    return where


def wait_for(check: object, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def finish(process: subprocess.Popen[bytes], signals: Path, log: str) -> tuple[int, str]:
    code = process.wait(timeout=120)
    return code, (signals / f"{log}.out").read_text() + (signals / f"{log}.err").read_text()


@pytest.mark.parametrize("first", ["newer", "older"])
def test_two_applies_of_one_target_end_with_the_newer_commit_fully_applied(
    site: Site, tmp_path: Path, first: str
) -> None:
    commit(site, 1)
    assert site.apply().code == 0
    older = commit(site, 2)
    newer = commit(site, 3)  # a child of `older`
    at = {
        "older": clone(site, older, tmp_path / "older"),
        "newer": clone(site, newer, tmp_path / "newer"),
    }
    second = "older" if first == "newer" else "newer"
    signals = tmp_path / "signals"

    held = runner(site, at[first], signals, "--hold", "write:0", "--gate", log="first")
    wait_for(lambda: (signals / "held").exists() or held.poll() is not None, "the first's hold")
    assert held.poll() is None, finish(held, signals, "first")
    other = runner(site, at[second], signals, log="second")
    waiting = signals / "second.err"
    wait_for(
        lambda: other.poll() is not None or "waiting up to" in waiting.read_text(),
        "the second to wait for the lease, or to finish",
    )
    (signals / "go").touch()
    first_code, first_out = finish(held, signals, "first")
    second_code, second_out = finish(other, signals, "second")

    assert_converged(site, 3, newer)
    assert first_code == 0, first_out
    holder = older if first == "older" else newer
    assert f"held by another apply (commit {holder[:12]}" in second_out
    if first == "newer":
        assert second_code == 1, second_out
        assert (
            f"refusing to apply {older[:12]}: it is an ancestor of {newer[:12]}, which this "
            "target already runs"
        ) in second_out
    else:
        assert second_code == 0, second_out
