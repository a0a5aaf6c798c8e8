"""Start, find and stop the control plane's processes.

Each process starts in its own session (so it outlives `python -m tests.cluster up`, and a
terminal's Ctrl-C does not reach it) and is stopped through its process group: SIGTERM first,
SIGKILL when it does not exit in time.

Which process is ours is decided exactly. A child of this Python process is ours for as long as
it has not been reaped: its pid cannot be reused before that, so it is checked through its
`Popen` alone, never through `/proc/<pid>/cmdline` (which reads empty, or shows the parent's
command, while the child is still executing the program: a running kwok once looked "exited"
there, and was then left running because `stop` thought it gone). A pid recorded by another
process (`make cluster`'s `state.json`) only counts as ours while it is alive, not a zombie,
and still runs the binary we started, so a reused pid is never signalled; `spawn` returns only
once the program runs, so that check holds from the first moment a pid is recorded.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Popen objects of the processes this Python process started: kept so they can be reaped (and
# so that Popen's destructor does not warn about a child still running).
_children: dict[int, subprocess.Popen[bytes]] = {}

_PR_SET_PDEATHSIG = 1
_EXEC_WAIT = 5.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGKILL it when its parent dies, so a test
    session that is killed outright leaves no cluster behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def spawn(argv: list[str], log: Path, *, die_with_parent: bool = False) -> int:
    """Start argv detached, stdout and stderr appended to log; return its pid."""
    log.parent.mkdir(parents=True, exist_ok=True)
    preexec: Callable[[], None] | None = None
    if die_with_parent and sys.platform == "linux":
        preexec = _die_with_parent
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec,  # noqa: PLW1509  # only prctl, no locks or imports
        )
    _children[process.pid] = process
    # Popen returns once the child closed its exec pipe, which the kernel does before the new
    # program's command line is in place: wait for it, so that another process reading our
    # state.json never sees a recorded pid that does not (yet) run its binary.
    deadline = time.monotonic() + _EXEC_WAIT
    while process.poll() is None and _argv0(process.pid) != argv[0]:
        if time.monotonic() > deadline:
            break  # still ours through its Popen; only foreign readers would be misled
        time.sleep(0.005)
    return process.pid


def _reaped(pid: int) -> bool:
    """Reap pid if it is our exited child; True if it has exited."""
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return False
        del _children[pid]
        return True
    with contextlib.suppress(ChildProcessError):
        done, _status = os.waitpid(pid, os.WNOHANG)
        return done == pid
    return False


def _argv0(pid: int) -> str:
    try:
        return (
            (Path(f"/proc/{pid}") / "cmdline")
            .read_bytes()
            .split(b"\0", 1)[0]
            .decode(errors="replace")
        )
    except (FileNotFoundError, ProcessLookupError):
        return ""


def is_running(pid: int | None, binary: str | Path | None = None) -> bool:
    """Whether pid is alive, not a zombie, and (when given) running binary. A child of this
    process is judged by its Popen alone (see the module docstring): alive means ours."""
    if not pid or _reaped(pid):
        return False
    if pid in _children:
        return True
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():  # not Linux: only existence can be checked
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        # The state follows the parenthesised command name, which may itself contain spaces.
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    if state in ("Z", "X"):
        return False
    return binary is None or _argv0(pid) == str(binary)


def stop(
    pid: int | None, binary: str | Path | None = None, *, grace: float = 10.0, kill: bool = False
) -> None:
    """Stop pid's process group: SIGTERM, then SIGKILL after `grace` seconds; with `kill`,
    SIGKILL at once (a crash: no graceful shutdown at all)."""
    if not pid or not is_running(pid, binary):
        return
    steps = [(signal.SIGTERM, grace)] if not kill else []
    for sig, wait in [*steps, (signal.SIGKILL, 5.0)]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not is_running(pid):
                return
            time.sleep(0.05)
    raise RuntimeError(f"process {pid} ({binary}) did not exit after SIGKILL")


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, alive: Callable[[], None] | None = None
) -> None:
    """Poll check() until it is true; `alive` raises early when a process we wait on died."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        if check():
            return
        if alive is not None:
            alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
