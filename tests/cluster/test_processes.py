"""Which process is ours, exactly: a child still starting its program is running, and stopped.

A freshly spawned kwok was once reported "exited" while it ran (its command line was read before
it showed the program), and the clean-up then left it running. A shell that executes the program
a moment later holds that moment still.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cluster import processes

SLEEP = shutil.which("sleep") or "/bin/sleep"


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_child_that_has_not_yet_run_its_program_counts_as_running_and_is_stopped(
    tmp_path: Path,
) -> None:
    pid = processes.spawn(["/bin/sh", "-c", f"sleep 2; exec {SLEEP} 60"], tmp_path / "x.log")

    assert processes.is_running(pid, SLEEP), "a starting child was taken for an exited one"
    processes.stop(pid, SLEEP, grace=2.0)

    assert gone(pid), "stop left a starting child running"
    assert not processes.is_running(pid, SLEEP)


def test_a_pid_another_process_recorded_is_signalled_only_while_it_runs_our_binary(
    tmp_path: Path,
) -> None:
    # Started outside `spawn`, as `make cluster` started its processes for this one.
    other = subprocess.Popen([SLEEP, "60"], start_new_session=True)
    try:
        assert not processes.is_running(other.pid, tmp_path / "kwok")
        processes.stop(other.pid, tmp_path / "kwok")
        assert other.poll() is None, "a process running another binary was signalled"
        assert processes.is_running(other.pid, SLEEP)
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize("kill", [False, True])
def test_stop_ends_a_spawned_program_and_forgets_it(tmp_path: Path, kill: bool) -> None:
    pid = processes.spawn([SLEEP, "60"], tmp_path / "x.log")
    assert processes.is_running(pid, SLEEP)

    processes.stop(pid, SLEEP, kill=kill)

    assert gone(pid)
