"""Benchmark 1: render + offline plan of N generated objects, one in ten changed.

``gitops-action plan --no-live --base-ref HEAD~1 --no-comment`` in a generated repository:
renders head, renders the base in a temporary git worktree, normalizes and diffs both sides,
and prints the report (text, plus ``--output-json``). No kubectl equivalent: absolute figures
against the targets (< 2 s wall, < 200 MB peak RSS), and a profile of one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import Bench, repeated
from .generate import count_changed, make_repo
from .measure import Sample, summary
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


SCALE = (1000, 10000)
TARGET_SCALE = 10.0
TARGET_SCALE_RSS_MB = 300.0


def scale(bench: Bench, sizes: tuple[int, ...] = SCALE) -> dict[str, Any]:
    """The same offline plan at each size: cost must grow linearly with the objects (at
    most 10x the time for 10x the objects, under 300 MB at the largest)."""
    cases: dict[str, Any] = {}
    for n in sizes:
        repo = make_repo(bench.work / f"offline-{n}", n, namespace="bench-offline")
        repo.change()
        argv = bench.ours("plan", "--no-live", "--base-ref", "HEAD~1", "--no-comment")
        bench.run(f"offline-{n}-warmup", argv, repo.root)
        name = f"{n} objects"

        def once(_round: int, argv: list[str] = argv, root: Path = repo.root) -> Sample:
            return bench.run("offline", argv, root)

        samples = repeated(bench.repeat, {name: once})
        cases[name] = summary(samples[name])
    small, large = (cases[f"{n} objects"] for n in (sizes[0], sizes[-1]))
    growth = round(large["wall"]["median"] / small["wall"]["median"], 2)
    rss = large["rss_mb"]["median"]
    return {
        "what": f"offline plan of {' and '.join(map(str, sizes))} objects, 1 in 10 changed",
        "cases": cases,
        "growth": growth,
        "targets": {
            "growth": {"target": f"<= {TARGET_SCALE:g}x", "met": growth <= TARGET_SCALE},
            "peak_rss_mb": {
                "target": f"< {TARGET_SCALE_RSS_MB:g}",
                "median": rss,
                "met": rss < TARGET_SCALE_RSS_MB,
            },
        },
    }
