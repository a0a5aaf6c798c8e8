"""Run one command as a subprocess and measure it: wall time, CPU, peak RSS, the CPU the API
server and etcd spent meanwhile, and the requests the API server served.

Peak RSS and CPU come from ``wait4`` (the rusage of that child, including the processes it
waited for, e.g. ``git``): the largest resident set of the tree, not a sum. The control plane's
CPU is read from ``/proc/<pid>/stat`` before and after, and its request counters from
``/metrics`` (``apiserver_request_total``, by verb; ``APPLY`` is a server-side apply), so each
sample says how much of the work happened on the server side. The counters include the
controllers' own requests meanwhile (a few per second, more while they react to new objects).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")
_REQUEST = re.compile(r"^apiserver_request_total\{([^}]*)\} (\S+)$", re.M)
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    """User + system seconds of the command (and the children it waited for)."""
    rss_mb: float
    """Peak resident set, MiB."""
    server_cpu: float
    """CPU seconds of kube-apiserver and etcd during the command."""
    code: int
    requests: dict[str, int] = field(default_factory=dict)
    """Requests the API server served meanwhile, by verb (``APPLY dry-run``: dry-runs)."""

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def request_counts(metrics: str) -> Counter[str]:
    """``apiserver_request_total`` summed by verb (and dry-run), from ``/metrics`` text."""
    counts: Counter[str] = Counter()
    for labels, value in _REQUEST.findall(metrics):
        found = dict(_LABEL.findall(labels))
        verb = found.get("verb", "?")
        if found.get("dry_run"):
            verb += " dry-run"
        counts[verb] += int(float(value))
    return counts


@dataclass(frozen=True)
class Server:
    """How to watch the control plane: its processes, and its ``/metrics`` text."""

    pids: Sequence[int]
    metrics: Callable[[], str]

    def cpu(self) -> float:
        return sum(process_cpu(p) for p in self.pids)

    def requests(self) -> Counter[str]:
        return request_counts(self.metrics())


class CommandFailed(RuntimeError):
    pass


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    server: Server | None = None,
    ok: Sequence[int] = (0,),
) -> Sample:
    """Run ``argv``; its stdout and stderr go to ``log``. Raise unless its exit code is in
    ``ok`` (``kubectl diff`` exits 1 when it found differences)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    requests_before = server.requests() if server else Counter[str]()
    server_before = server.cpu() if server else 0.0
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=out, stderr=out)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    server_cpu = server.cpu() - server_before if server else 0.0
    requests = server.requests() - requests_before if server else Counter[str]()
    sample = Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,
        server_cpu=server_cpu,
        code=proc.returncode,
        requests=dict(sorted(requests.items())),
    )
    if proc.returncode not in ok:
        tail = log.read_text(errors="replace")[-3000:]
        raise CommandFailed(f"{' '.join(argv)} exited {proc.returncode} (log {log}):\n{tail}")
    return sample


def summary(samples: Sequence[Sample]) -> dict[str, Any]:
    """Median and spread (min, max) of each measure."""
    out: dict[str, Any] = {"n": len(samples), "samples": [s.as_dict() for s in samples]}
    for measure in ("wall", "cpu", "rss_mb", "server_cpu"):
        values = [getattr(s, measure) for s in samples]
        out[measure] = {
            "median": round(statistics.median(values), 4),
            "min": round(min(values), 4),
            "max": round(max(values), 4),
        }
    verbs = sorted({verb for s in samples for verb in s.requests})
    out["requests"] = {
        verb: int(statistics.median([s.requests.get(verb, 0) for s in samples])) for verb in verbs
    }
    return out
