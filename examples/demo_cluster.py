"""The demo's control plane: built from Go modules on the first run (with progress), started in
``.demo/cluster`` for the demo and stopped at its end. The same build and control plane as the
tests (tests/cluster): kube-apiserver, etcd, controller-manager, scheduler and kwok, whose
simulated nodes make Deployments really roll out (no image is ever pulled)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.cluster.build import BuildError, build
from tests.cluster.controlplane import ControlPlane, remove
from tests.cluster.pins import Install, current_install

TICK = 30.0
"""Seconds between two progress lines while the control plane builds."""


def unavailable() -> str:
    """Why no control plane can be had on this machine, or ``""`` when one can."""
    if current_install().is_complete() or shutil.which("go") is not None:
        return ""
    return (
        "no Go on PATH, so the control plane cannot be built (install Go 1.26 or newer, "
        "https://go.dev/dl/, then run make demo again)"
    )


def built(say: Callable[[str], None]) -> Install:
    """The control plane's binaries, built now if they are not in the cache yet."""
    install = current_install()
    if install.is_complete():
        return install
    say(
        "First run: building the local Kubernetes control plane from Go modules (etcd, "
        "kube-apiserver, controller-manager, scheduler, kwok). This takes about 10 minutes on "
        "2 cores and happens once: later runs start it in seconds. Progress:"
    )
    done = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while not done.wait(TICK):
            minutes, seconds = divmod(int(time.monotonic() - started), 60)
            print(f"  ... still building ({minutes}:{seconds:02d} so far)", flush=True)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        return build()
    finally:
        done.set()


def start(directory: Path, install: Install) -> ControlPlane:
    """A fresh control plane in ``directory`` (an earlier demo's is removed first)."""
    if directory.exists():
        remove(directory)
    plane = ControlPlane.create(directory, install, die_with_parent=True)
    plane.start()
    return plane


def stop(directory: Path) -> None:
    if directory.exists():
        remove(directory)


__all__ = ["BuildError", "built", "start", "stop", "unavailable"]
