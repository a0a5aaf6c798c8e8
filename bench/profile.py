"""cProfile of one CLI run as a subprocess (``python -m cProfile -m gitops_action ...``), and
the top costs as text and as data.

cProfile sees the main thread only: for the live plan, whose API calls run in a thread pool,
the profile shows the main thread's own work (render, normalize, fingerprints, diff, report)
and the time it waits on the pool, which is the server's part plus the workers' Python.
"""

from __future__ import annotations

import io
import pstats
import sys
from pathlib import Path
from typing import Any

from .common import Bench

TOP = 25


def profile(
    bench: Bench, name: str, args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)
) -> dict[str, Any]:
    """Run gitops-action under cProfile; write ``<name>.prof`` and ``<name>.txt`` to
    ``bench/out/profiles[-rtt<MS>ms]/``; return the totals and the top functions by own and by
    cumulative time."""
    folder = bench.out / f"profiles{bench.tag}"
    folder.mkdir(parents=True, exist_ok=True)
    prof = folder / f"{name}.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "gitops_action", *args]
    sample = bench.run(f"profile-{name}", argv, cwd, ok=ok)
    stats = pstats.Stats(str(prof))
    text = io.StringIO()
    printed = pstats.Stats(str(prof), stream=text)
    printed.sort_stats("cumulative").print_stats(60)
    printed.sort_stats("tottime").print_stats(40)
    (folder / f"{name}.txt").write_text(text.getvalue(), encoding="utf-8")
    return {
        "wall_under_profiler": round(sample.wall, 3),
        "profiled_total": round(stats.total_tt, 3),  # type: ignore[attr-defined]
        "by_own_time": _top(stats, "tottime"),
        "by_cumulative_time": _top(stats, "cumulative"),
        "files": [str(prof), str(folder / f"{name}.txt")],
    }


def _top(stats: pstats.Stats, key: str) -> list[dict[str, Any]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    index = 2 if key == "tottime" else 3
    rows = sorted(raw.items(), key=lambda item: item[1][index], reverse=True)[:TOP]
    out = []
    for (file, line, func), (_cc, calls, own, cumulative, _callers) in rows:
        out.append(
            {
                "function": f"{_short(file)}:{line}({func})",
                "calls": calls,
                "own_s": round(own, 3),
                "cumulative_s": round(cumulative, 3),
            }
        )
    return out


def _short(file: str) -> str:
    for marker in ("site-packages/", "lib/python3", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file
