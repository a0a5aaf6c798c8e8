"""The results as Markdown tables: the terminal's summary and ``bench/README.md``'s figures."""

from __future__ import annotations

from typing import Any

HEADER = (
    "| case | wall s, median (min–max) | CPU s | peak RSS MiB | API server + etcd CPU s "
    "| API requests |\n"
    "|---|---|---|---|---|---|"
)


def _range(stat: dict[str, float], digits: int = 2) -> str:
    return f"{stat['median']:.{digits}f} ({stat['min']:.{digits}f}–{stat['max']:.{digits}f})"


def rows(cases: dict[str, Any]) -> list[str]:
    return [
        f"| {name} | {_range(c['wall'])} | {c['cpu']['median']:.2f} | "
        f"{c['rss_mb']['median']:.0f} | {c['server_cpu']['median']:.2f} | "
        f"{requests(c.get('requests', {}))} |"
        for name, c in cases.items()
    ]


def requests(counts: dict[str, int]) -> str:
    """``APPLY 1000, GET 2, LIST 4``: the verbs that matter, biggest first."""
    shown = sorted(((n, v) for v, n in counts.items() if n >= 2), reverse=True)
    return ", ".join(f"{verb} {n}" for n, verb in shown) or "–"


def _found(summary: dict[str, int]) -> str:
    return ", ".join(f"{n} {action}" for action, n in summary.items())


def _met(met: bool) -> str:
    return "met" if met else "**missed**"


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"{results['date']}: `{results['command']}` (N={results['n']}, "
        f"{results['repeat']} measured runs each, {results['control_plane']}, "
        + (
            f"{results['rtt_ms']:g} ms round trip added to every request)"
            if results.get("rtt_ms")
            else "loopback: no network latency)"
        ),
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}; Python "
        f"{m['python']}; kubectl {m['kubectl']}; kube-apiserver {m['kube_apiserver']}; "
        f"{m['git']}; load average at start {m['load_average_at_start']}.",
    ]
    benchmarks = results["benchmarks"]
    if "offline-plan" in benchmarks:
        b = benchmarks["offline-plan"]
        t = b["targets"]
        lines += [
            "",
            f"### Render + offline plan: {b['what']}",
            "",
            HEADER,
            *rows(b["cases"]),
            "",
            f"Targets: wall < 2 s: {_met(t['wall_s']['met'])}; peak RSS < 200 MB: "
            f"{_met(t['peak_rss_mb']['met'])}.",
        ]
    if "offline-scale" in benchmarks:
        b = benchmarks["offline-scale"]
        t = b["targets"]
        lines += [
            "",
            f"### Offline plan, scaling: {b['what']}",
            "",
            HEADER,
            *rows(b["cases"]),
            "",
            f"Growth: **{b['growth']:.1f}x** the time for 10x the objects (target "
            f"{t['growth']['target']}: {_met(t['growth']['met'])}); peak RSS at the largest "
            f"{t['peak_rss_mb']['median']:.0f} MiB (target {t['peak_rss_mb']['target']} MB: "
            f"{_met(t['peak_rss_mb']['met'])}).",
        ]
    for key in ("live-plan", "live-plan-a", "live-plan-b"):
        if key not in benchmarks:
            continue
        b = benchmarks[key]
        for scenario, s in b["scenarios"].items():
            r = s["ratios"]
            lines += [
                "",
                f"### Live plan ({scenario}): {b['what']}; {s['scenario']}",
                "",
                HEADER,
                *rows(s["cases"]),
                "",
                f"Ratio kubectl diff / ours: **{r['kubectl diff / ours']:.1f}x** (target "
                f"{s['target']['ratio']}: {_met(s['target']['met'])}); with "
                f"`--concurrency=16`: {r['kubectl diff --concurrency=16 / ours']:.1f}x. "
                f"Ours found {_found(s['checks']['ours'])}; kubectl diffed "
                f"{s['checks']['kubectl_objects_different']} objects.",
            ]
    if "apply" in benchmarks:
        b = benchmarks["apply"]
        r, t = b["ratios"], b["targets"]
        lines += [
            "",
            f"### Apply: {b['what']}",
            "",
            HEADER,
            *rows(b["cases"]),
            "",
            f"Ratios: create **{r['create: kubectl / ours']:.1f}x** (target "
            f"{t['create']['ratio']}: {_met(t['create']['met'])}); re-apply unchanged "
            f"**{r['re-apply: kubectl / ours']:.1f}x** (target {t['re-apply']['ratio']}: "
            f"{_met(t['re-apply']['met'])}).",
        ]
    if "verify" in benchmarks:
        b = benchmarks["verify"]
        rss = b["rss"]
        lines += [
            "",
            f"### Verify: {b['what']}",
            "",
            HEADER,
            *rows(b["cases"]),
            "",
            f"Ratio kubectl diff / ours: **{b['ratios']['kubectl diff / ours']:.1f}x** (target "
            f"{b['target']['ratio']}: {_met(b['target']['met'])}). Ours found "
            f"{_found(b['checks']['ours'])}. Verify of {rss['n']} objects in sync: "
            f"{rss['rss_mb']:.0f} MiB peak RSS (target {rss['target']['rss_mb']} MB: "
            f"{_met(rss['target']['met'])}), {rss['wall']:.2f} s, requests "
            f"{requests(rss['requests'])}.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m bench.table bench/out/results.json
    import json
    import sys
    from pathlib import Path

    print(table(json.loads(Path(sys.argv[1]).read_text())))
