"""Benchmark 1: render + offline plan of N generated objects, one in ten changed.

``gitops-action plan --no-live --base-ref HEAD~1 --no-comment`` in a generated repository:
renders head, renders the base in a temporary git worktree, normalizes and diffs both sides,
and prints the report (text, plus ``--output-json``). No kubectl equivalent: absolute figures
against the targets (< 2 s wall, < 200 MB peak RSS), and a profile of one run.
"""

from __future__ import annotations

from typing import Any

from .common import Bench, repeated
from .generate import count_changed, make_repo
from .measure import summary
from .profile import profile

TARGET_WALL = 2.0
TARGET_RSS_MB = 200.0


def run(bench: Bench) -> dict[str, Any]:
    repo = make_repo(bench.work / "offline", bench.n, namespace="bench-offline")
    repo.change()
    report = bench.out / "offline-plan.json"  # no cluster: the same with --rtt-ms
    args = [
        "plan", "--no-live", "--base-ref", "HEAD~1", "--no-comment", "--output-json", str(report),
    ]  # fmt: skip
    bench.run("offline-warmup", bench.ours(*args), repo.root)
    name = "gitops-action plan --no-live"
    samples = repeated(
        bench.repeat, {name: lambda _: bench.run("offline", bench.ours(*args), repo.root)}
    )
    result = summary(samples[name])
    return {
        "what": f"render + offline plan of {bench.n} objects, {count_changed(bench.n)} changed",
        "command": "gitops-action " + " ".join(args[:-2]),
        "cases": {name: result},
        "targets": {
            "wall_s": {
                "target": f"< {TARGET_WALL:g}",
                "median": result["wall"]["median"],
                "met": result["wall"]["median"] < TARGET_WALL,
            },
            "peak_rss_mb": {
                "target": f"< {TARGET_RSS_MB:g}",
                "median": result["rss_mb"]["median"],
                "met": result["rss_mb"]["median"] < TARGET_RSS_MB,
            },
        },
        "profile": profile(bench, "offline-plan", args, repo.root),
    }
