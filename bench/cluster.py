"""The control plane the benchmarks run against, and namespaces on it.

By default a private one, started through ``tests.cluster`` in a temporary directory (about
4 s) and stopped when the run ends: the shared ``make cluster`` is also used by the test suite,
whose tests create load and restart its API server, which would both skew the figures and
break a run. ``reuse`` takes the running ``make cluster`` (``.cluster/``) when it is healthy
and runs the current pins' binaries.
"""

from __future__ import annotations

import atexit
import secrets
import tempfile
import time
from pathlib import Path

from tests.cluster.build import build
from tests.cluster.controlplane import DEFAULT_DIR, ControlPlane, remove
from tests.cluster.pins import current_install

from .measure import Server

LABEL = "gitops-action.bench/run"


def control_plane(*, reuse: bool = False) -> tuple[ControlPlane, bool]:
    """A running control plane, and whether this run started it."""
    install = current_install()
    existing = ControlPlane.load(DEFAULT_DIR) if reuse else None
    if existing is not None and existing.built_from(install) and existing.healthy():
        return existing, False
    if not install.is_complete():
        install = build()
    directory = Path(tempfile.mkdtemp(prefix="gitops-action-bench-cluster-"))
    atexit.register(remove, directory)
    plane = ControlPlane.create(directory, install, die_with_parent=True)
    plane.start()
    return plane, True


def server(plane: ControlPlane) -> Server:
    """kube-apiserver and etcd (where the server side of every request is spent), and the
    API server's ``/metrics``."""

    def metrics() -> str:
        status, body = plane.request("GET", "/metrics")
        if status != 200:
            raise RuntimeError(f"GET /metrics: HTTP {status}")
        return str(body.get("text", ""))

    pids = [plane.pids[n] for n in ("kube-apiserver", "etcd") if plane.pids.get(n)]
    return Server(pids, metrics)


def quiesce(watched: Server, *, idle: float = 0.15, timeout: float = 60.0) -> float:
    """Wait until the control plane is idle (below ``idle`` cores over two half-second
    windows in a row), so that one measurement does not pay for the controllers' reaction to
    the previous one. Returns the seconds waited."""
    started = time.monotonic()
    quiet = 0
    while quiet < 2 and time.monotonic() - started < timeout:
        before = watched.cpu()
        time.sleep(0.5)
        quiet = quiet + 1 if (watched.cpu() - before) / 0.5 < idle else 0
    return time.monotonic() - started


def new_namespace(plane: ControlPlane, prefix: str) -> str:
    name = f"bench-{prefix}-{secrets.token_hex(3)}"
    body = {"metadata": {"name": name, "labels": {LABEL: "true"}}}
    status, result = plane.request("POST", "/api/v1/namespaces", body)
    if status != 201:
        raise RuntimeError(f"creating namespace {name}: HTTP {status}: {result}")
    return name


def delete_namespace(plane: ControlPlane, name: str, *, wait: float = 300.0) -> None:
    """Delete and wait until it is gone, so that the namespace controller's cleanup of a
    thousand objects does not load the server during the next measurement."""
    plane.request("DELETE", f"/api/v1/namespaces/{name}", {"propagationPolicy": "Background"})
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if plane.get(f"/api/v1/namespaces/{name}") is None:
            return
        time.sleep(0.5)
    raise TimeoutError(f"namespace {name} still there after {wait:g}s")


def leftover_namespaces(plane: ControlPlane) -> list[str]:
    """Namespaces an interrupted earlier run left behind."""
    found = plane.get(f"/api/v1/namespaces?labelSelector={LABEL}%3Dtrue") or {}
    return [str(i["metadata"]["name"]) for i in found.get("items", [])]
