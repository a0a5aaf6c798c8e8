"""``python -m bench``: run the benchmarks, write ``bench/out/results.json``, print a table."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import apply, live, offline, verify
from .cluster import control_plane, delete_namespace, leftover_namespaces
from .common import OUT, Bench, machine
from .table import table

BENCHMARKS: dict[str, Callable[[Bench], dict[str, Any]]] = {
    "offline-plan": offline.run,
    "offline-scale": offline.scale,
    "live-plan": live.run,
    "live-plan-a": lambda bench: live.run(bench, ("a",)),
    "live-plan-b": lambda bench: live.run(bench, ("b",)),
    "apply": apply.run,
    "verify": lambda bench: verify.run(bench, bench.verify_n, bench.verify_rss_n),
}
DEFAULT = ("offline-plan", "offline-scale", "live-plan", "apply", "verify")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), help="run only this (repeat)"
    )
    parser.add_argument("--n", type=int, default=1000, help="objects per benchmark")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per command")
    parser.add_argument(
        "--reuse-cluster",
        action="store_true",
        help="use the running `make cluster` instead of a private control plane",
    )
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=0.0,
        help="add this round trip to every request of both tools (a delaying proxy); "
        "results go to results-rtt<MS>ms.json",
    )
    parser.add_argument("--verify-n", type=int, default=2000, help="objects verify checks")
    parser.add_argument(
        "--verify-rss-n", type=int, default=5000, help="objects of verify's memory run"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where results go")
    args = parser.parse_args(argv)

    out: Path = args.out
    if (out / "logs").exists():
        shutil.rmtree(out / "logs")
    out.mkdir(parents=True, exist_ok=True)
    plane, started = control_plane(reuse=args.reuse_cluster)
    print(f"control plane {plane.server} ({'private' if started else 'make cluster'})")
    for name in leftover_namespaces(plane):
        print(f"deleting namespace {name}, left by an earlier run")
        delete_namespace(plane, name)
    names = tuple(args.only or DEFAULT)
    work = Path(tempfile.mkdtemp(prefix="gitops-action-bench-"))
    bench = Bench(
        plane=plane, out=out, work=work, repeat=args.repeat, n=args.n, rtt_ms=args.rtt_ms,
        verify_n=args.verify_n, verify_rss_n=args.verify_rss_n,
    )  # fmt: skip
    results_file = out / (f"results-rtt{args.rtt_ms:g}ms.json" if args.rtt_ms else "results.json")
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "n": args.n,
        "repeat": args.repeat,
        "control_plane": "a private control plane" if started else "the running make cluster",
        "rtt_ms": args.rtt_ms,
        "machine": machine(plane, bench.kubectl_bin),
        "benchmarks": {},
    }
    try:
        for name in names:
            print(f"\n== {name}", flush=True)
            started_at = time.monotonic()
            results["benchmarks"][name] = BENCHMARKS[name](bench)
            results["benchmarks"][name]["benchmark_seconds"] = round(
                time.monotonic() - started_at, 1
            )
            _save(results_file, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _save(results_file, results)
    print()
    print(table(results))
    print(f"\nraw results: {results_file}")
    return 0


def _save(path: Path, results: dict[str, Any]) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
