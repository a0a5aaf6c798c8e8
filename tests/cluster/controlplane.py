"""One local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok.

Everything a cluster owns lives in one directory (`.cluster/` for `make cluster`, a temporary
directory for a test session): keys, kubeconfigs, etcd's data, logs, and `state.json` with the
ports, pids and command lines, so that another process can find it, check it, restart its API
server, or stop it. Only the standard library is used: `up` works before any venv exists.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.cluster import processes
from tests.cluster.api import JSON, Api, ClusterError, kubeconfig_text, write_kubeconfig
from tests.cluster.components import (
    COMPONENTS,
    NODE_NAME,
    command_lines,
    component_kubeconfig,
    fake_node,
)
from tests.cluster.identities import restricted_kubeconfig
from tests.cluster.pins import REPO_ROOT, Install
from tests.cluster.pki import create_pki

DEFAULT_DIR = REPO_ROOT / ".cluster"
NODE_LEASE = f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{NODE_NAME}"
STATE_VERSION = 1

# What create() and start() write into a cluster's directory; remove() deletes nothing else.
_OWN_ENTRIES = frozenset(
    {"state.json", "state.tmp", "kubeconfig", "kubeconfigs", "pki", "etcd", "logs", "restricted"}
)


@dataclass
class ControlPlane:
    """A control plane's directory and recorded state; `start()`/`stop()` run it.

    `kubeconfig`, `server` and `admin_token` are the admin identity (group system:masters).
    """

    directory: Path
    server: str
    admin_token: str
    ports: dict[str, int]
    argv: dict[str, list[str]]
    tokens: dict[str, str]
    pids: dict[str, int] = field(default_factory=dict)
    # True: the processes die with the Python process that started them (a test session).
    # False: they outlive it (`python -m tests.cluster up`).
    die_with_parent: bool = False

    # --- creating and loading ---------------------------------------------------------------

    @classmethod
    def create(
        cls, directory: Path, install: Install, *, die_with_parent: bool = False
    ) -> ControlPlane:
        """Lay out a new cluster in `directory` (keys, kubeconfigs, command lines); start
        nothing yet. Ports are chosen now and kept for the cluster's life."""
        directory.mkdir(parents=True, exist_ok=True)
        pki = create_pki(directory / "pki")
        ports = {name: processes.free_port() for name in ("etcd", "etcd-peer", "kube-apiserver")}
        server = f"https://127.0.0.1:{ports['kube-apiserver']}"
        ca = pki.ca_cert.read_bytes()
        write_kubeconfig(
            directory / "kubeconfig", kubeconfig_text(server, ca, "admin", pki.tokens["admin"])
        )
        for name in ("controller-manager", "scheduler", "kwok"):
            text = kubeconfig_text(server, ca, name, pki.tokens[name])
            write_kubeconfig(component_kubeconfig(directory, name), text)
        plane = cls(
            directory=directory,
            server=server,
            admin_token=pki.tokens["admin"],
            ports=ports,
            argv=command_lines(directory, ports, install, pki),
            tokens=pki.tokens,
            die_with_parent=die_with_parent,
        )
        plane.save()
        return plane

    @classmethod
    def load(cls, directory: Path) -> ControlPlane | None:
        """The cluster recorded in `directory`, or None when there is none (or it was recorded
        by an incompatible version of this module)."""
        try:
            state = json.loads((directory / "state.json").read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if state.get("version") != STATE_VERSION:
            return None
        return cls(
            directory=directory,
            server=state["server"],
            admin_token=state["tokens"]["admin"],
            ports=state["ports"],
            argv=state["argv"],
            tokens=state["tokens"],
            pids=state["pids"],
        )

    def save(self) -> None:
        state = {
            "version": STATE_VERSION,
            "server": self.server,
            "ports": self.ports,
            "pids": self.pids,
            "argv": self.argv,
            "tokens": self.tokens,
            "kubeconfig": str(self.kubeconfig),
        }
        path = self.directory / "state.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.chmod(0o600)
        tmp.replace(path)

    # --- paths and the admin's API ----------------------------------------------------------

    @property
    def kubeconfig(self) -> Path:
        return self.directory / "kubeconfig"

    @property
    def ca_cert(self) -> Path:
        return self.directory / "pki" / "ca.crt"

    @property
    def logs(self) -> Path:
        return self.directory / "logs"

    def log(self, component: str) -> Path:
        return self.logs / f"{component}.log"

    @property
    def api(self) -> Api:
        return Api(self.server, self.ca_cert, self.admin_token)

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        content_type: str = "application/json",
    ) -> tuple[int, JSON]:
        """One API call as the admin; returns (HTTP status, decoded JSON body)."""
        return self.api.request(method, path, body, content_type=content_type)

    def get(self, path: str) -> JSON | None:
        """GET as the admin; None when not found or the server is unreachable."""
        return self.api.get(path)

    def ready(self) -> bool:
        """Whether the API server answers /readyz with ok."""
        return self.api.ready()

    # --- running ----------------------------------------------------------------------------

    def _start(self, name: str) -> None:
        self.pids[name] = processes.spawn(
            self.argv[name], self.log(name), die_with_parent=self.die_with_parent
        )
        self.save()

    def running(self, name: str) -> bool:
        return processes.is_running(self.pids.get(name), self.argv[name][0])

    def _check_alive(self, *names: str) -> None:
        for name in names or tuple(self.pids):
            if not self.running(name):
                raise ClusterError(
                    f"{name} exited; last lines of {self.log(name)}:\n{self.tail(name)}"
                )

    def tail(self, name: str, lines: int = 25) -> str:
        try:
            return "\n".join(self.log(name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def start(self, timeout: float = 180.0) -> None:
        """Start every component and wait until the cluster runs workloads: the node is Ready
        and the default ServiceAccount exists. On failure, stop what was started and raise
        ClusterError naming the component and where its log is."""
        deadline = time.monotonic() + timeout

        def left() -> float:
            return max(deadline - time.monotonic(), 1.0)

        try:
            self._start("etcd")
            processes.wait_until(
                self._etcd_healthy, left(), "etcd /health", lambda: self._check_alive("etcd")
            )
            self.start_apiserver(left())
            for name in ("kube-controller-manager", "kube-scheduler", "kwok"):
                self._start(name)
            status, body = self.request("POST", "/api/v1/nodes", fake_node())
            if status not in (201, 409):
                raise ClusterError(f"registering node {NODE_NAME}: HTTP {status}: {body}")
            processes.wait_until(
                self._node_ready, left(), f"node {NODE_NAME} Ready", self._check_alive
            )
            processes.wait_until(
                lambda: self.get("/api/v1/namespaces/default/serviceaccounts/default") is not None,
                left(),
                "the default ServiceAccount (kube-controller-manager)",
                self._check_alive,
            )
            self._check_alive()
        except TimeoutError as error:
            self.stop()
            raise ClusterError(f"{error}; the components' logs are in {self.logs}/") from error
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every component that is still running (kwok first, etcd last). One that does
        not stop stays recorded, so that `down` finds it again; the others are stopped anyway."""
        failures: list[str] = []
        for name in reversed(COMPONENTS):
            pid = self.pids.get(name)
            try:
                processes.stop(pid, self.argv[name][0])
            except RuntimeError as error:
                failures.append(f"{name}: {error}")
                continue
            self.pids.pop(name, None)
        if (self.directory / "state.json").exists():
            self.save()
        if failures:
            raise ClusterError("could not stop " + "; ".join(failures))

    def stop_apiserver(self, *, graceful: bool = True) -> None:
        """Stop only kube-apiserver; etcd and the controllers keep running, and
        start_apiserver() brings it back on the same port with the same data.

        graceful: SIGTERM, so in-flight requests finish and watches are closed (about 1 s);
        otherwise SIGKILL, as when the server crashes or its machine goes away.
        """
        pid = self.pids.pop("kube-apiserver", None)
        processes.stop(pid, self.argv["kube-apiserver"][0], kill=not graceful)
        self.save()

    def start_apiserver(self, timeout: float = 120.0) -> None:
        """Start kube-apiserver (if it is not running) and wait until /readyz is ok.

        After a restart, kube-controller-manager, kube-scheduler and kwok are restarted too:
        while the API server was away (and while its RBAC cache filled, when it answers 403)
        their informers backed off, for up to 30 s once the server went away a few times within
        two minutes (as a fault test does), and the cluster would look stuck for that long. A
        new kwok process would wait for its predecessor's node Lease to expire (40 s) before it
        runs the node again: the Lease is deleted once the old process is gone, so the new one
        takes the node over at once.
        """
        if self.running("kube-apiserver"):
            processes.wait_until(self.ready, timeout, "kube-apiserver /readyz")
            return
        self._start("kube-apiserver")
        processes.wait_until(
            self.ready,
            timeout,
            "kube-apiserver /readyz",
            lambda: self._check_alive("kube-apiserver"),
        )
        for name in ("kube-controller-manager", "kube-scheduler", "kwok"):
            if name in self.pids:
                processes.stop(self.pids.pop(name), self.argv[name][0])
                if name == "kwok":
                    self.request("DELETE", NODE_LEASE)
                self._start(name)
        if "kwok" in self.pids:
            processes.wait_until(self._node_ready, timeout, f"node {NODE_NAME} Ready")

    def built_from(self, install: Install) -> bool:
        """Whether this cluster runs the binaries of `install` (not those of earlier pins)."""
        return all(Path(argv[0]).parent == install.bin_dir for argv in self.argv.values())

    def healthy(self) -> bool:
        """Every component runs and the API server is ready."""
        return all(self.running(name) for name in COMPONENTS) and self.ready()

    def _etcd_healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.ports['etcd']}/health"
            with urllib.request.urlopen(url, timeout=2.0) as resp:
                return bool(json.loads(resp.read()).get("health") == "true")
        except (OSError, ValueError):
            return False

    def _node_ready(self) -> bool:
        node = self.get(f"/api/v1/nodes/{NODE_NAME}") or {}
        conditions = node.get("status", {}).get("conditions", [])
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)

    # --- least-privilege identities ---------------------------------------------------------

    def restricted_kubeconfig(
        self,
        namespace: str,
        rules: Sequence[Mapping[str, Any]],
        *,
        cluster_rules: Sequence[Mapping[str, Any]] = (),
        name: str | None = None,
    ) -> Path:
        """A kubeconfig for a new identity that may do only `rules` in `namespace` (and
        `cluster_rules` cluster-wide); see identities.restricted_kubeconfig. Everything it
        needs is deleted with the namespace."""
        return restricted_kubeconfig(
            self.api,
            self.directory / "restricted",
            namespace,
            rules,
            cluster_rules=cluster_rules,
            name=name,
        )

    # --- reporting --------------------------------------------------------------------------

    def status_lines(self) -> list[str]:
        lines = [f"server      {self.server}", f"kubeconfig  {self.kubeconfig}"]
        for name in COMPONENTS:
            pid = self.pids.get(name)
            state = "running" if self.running(name) else "not running"
            lines.append(f"{name:<24}{state:<12} pid {pid or '-'}  log {self.log(name)}")
        lines.append(f"/readyz     {'ok' if self.ready() else 'not ready'}")
        return lines


def remove(directory: Path) -> None:
    """Stop the cluster recorded in `directory` (if any) and delete the directory."""
    plane = ControlPlane.load(directory)
    if plane is not None:
        plane.stop()
    if not directory.exists():
        return
    foreign = sorted(p.name for p in directory.iterdir() if p.name not in _OWN_ENTRIES)
    if foreign:
        raise ClusterError(
            f"not removing {directory}: it holds files that are not a control plane's: {foreign}"
        )
    shutil.rmtree(directory)
