"""What every benchmark shares: the tools, their environment, the output folder, and the
median-and-spread of a command measured several times.

Both CLIs run as subprocesses, as users run them. Their environment is the caller's minus
anything from GitHub Actions, with ``KUBECONFIG`` pointing at the benchmark's control plane.
Python's bytecode cache goes to ``bench/out/pycache`` (``PYTHONPYCACHEPREFIX``), written by the
untimed warm-up run: an installed package has its ``.pyc`` files, and the measurements should
not include compiling gitops-action's modules on every start (``PYTHONDONTWRITEBYTECODE`` is
dropped for the same reason). kubectl gets a discovery cache of its own (``--cache-dir``),
likewise warmed by the warm-up run.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.cluster.controlplane import ControlPlane

from . import measure
from .cluster import quiesce, server
from .latency import DelayProxy, kubeconfig_through

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DROPPED_ENV = ("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_")


def tool(name: str) -> str:
    """The venv's copy (the pinned kubectl, our console script), else PATH's."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found next to {sys.executable} or on PATH: run make venv")
    return found


@dataclass
class Bench:
    plane: ControlPlane
    out: Path
    work: Path
    """A temporary folder for the generated repositories."""
    repeat: int
    n: int
    rtt_ms: float = 0.0
    """Round trip added to every request (``latency.DelayProxy``); 0: plain loopback."""
    verify_n: int = 2000
    verify_rss_n: int = 5000
    results: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.gitops = tool("gitops-action")
        self.kubectl_bin = tool("kubectl")
        self.kube_cache = self.out / "kube-cache"
        env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.out / "pycache")
        env["KUBECONFIG"] = str(self.plane.kubeconfig)
        if self.rtt_ms:
            port = DelayProxy(self.plane.server, self.rtt_ms).start()
            through = self.out / f"kubeconfig-rtt{self.rtt_ms:g}ms"
            env["KUBECONFIG"] = str(kubeconfig_through(self.plane.kubeconfig, through, port))
        self.env = env
        self._logs = 0
        self.last_log = self.out / "logs" / "none.log"

    @property
    def tag(self) -> str:
        """``-rtt20ms`` with an added round trip: keeps its files apart from loopback's."""
        return f"-rtt{self.rtt_ms:g}ms" if self.rtt_ms else ""

    @property
    def server(self) -> measure.Server:
        return server(self.plane)

    def log(self, name: str) -> Path:
        self._logs += 1
        return self.out / "logs" / f"{self._logs:03d}-{name}.log"

    def ours(self, *args: str) -> list[str]:
        return [self.gitops, *args]

    def kubectl(self, *args: str) -> list[str]:
        return [self.kubectl_bin, f"--cache-dir={self.kube_cache}", *args]

    def run(
        self,
        name: str,
        argv: Sequence[str],
        cwd: Path,
        *,
        ok: Sequence[int] = (0,),
        env: dict[str, str] | None = None,
    ) -> measure.Sample:
        self.last_log = self.log(name)
        watched = self.server
        quiesce(watched)
        return measure.run(
            argv,
            cwd=cwd,
            env={**self.env, **(env or {})},
            log=self.last_log,
            server=watched,
            ok=ok,
        )


def repeated(
    repeat: int, cases: dict[str, Callable[[int], measure.Sample]], *, progress: bool = True
) -> dict[str, list[measure.Sample]]:
    """Each case ``repeat`` times, interleaved (and their order rotated each round), so that a
    slow moment of the machine does not fall on one side only."""
    samples: dict[str, list[measure.Sample]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(repeat):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            sample = cases[name](round_)
            samples[name].append(sample)
            if progress:
                print(
                    f"    {name:<42} round {round_ + 1}: {sample.wall:7.2f} s wall, "
                    f"{sample.cpu:6.2f} s cpu, {sample.rss_mb:6.0f} MiB, "
                    f"server {sample.server_cpu:5.2f} s cpu, "
                    f"{sum(sample.requests.values())} requests",
                    flush=True,
                )
    return samples


def shown(argv: Sequence[str]) -> str:
    """A command as a person would type it: the tool's name, no benchmark-only flags."""
    return " ".join([Path(argv[0]).name, *(a for a in argv[1:] if not a.startswith("--cache-dir"))])


def ratio(slow: dict[str, Any], fast: dict[str, Any]) -> float:
    return round(float(slow["wall"]["median"]) / float(fast["wall"]["median"]), 2)


def machine(plane: ControlPlane, kubectl: str) -> dict[str, Any]:
    """Where the figures come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    client = json.loads(
        subprocess.run(
            [kubectl, "version", "--client", "-o", "json"],
            check=False,
            capture_output=True,
            text=True,
        ).stdout
        or "{}"
    )
    server = plane.get("/version") or {}
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "kubectl": client.get("clientVersion", {}).get("gitVersion", ""),
        "kube_apiserver": server.get("gitVersion", ""),
        "git": subprocess.run(
            ["git", "--version"], check=False, capture_output=True, text=True
        ).stdout.strip(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
