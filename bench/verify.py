"""Benchmark 4: verify N objects in sync, next to ``kubectl diff``; and its memory at 5,000.

A fresh namespace gets N objects by ``gitops-action apply --no-wait`` (the inventory records
their fingerprints), then both tools check that the cluster still holds them:

- ours: ``gitops-action verify --on-drift none``: tier 0 only, one label-selected paged LIST
  per kind (limit 500), the inventory's fingerprints compared locally; no dry-run.
- kubectl: ``kubectl diff --server-side -R -f`` on the same objects as our apply wrote them
  (with the ApplySet label), a GET and a server-side-apply dry-run per object.

The API requests of each are counted from the server's metrics. Then, in a namespace of its
own, ``verify`` of ``--verify-rss-n`` objects (default 5,000) once, for its peak RSS.
"""

from __future__ import annotations

import json
from typing import Any

from gitops_action.cluster.inventory import PART_OF, applyset_id, parent_name

from .cluster import delete_namespace, new_namespace
from .common import Bench, ratio, repeated, shown
from .generate import TARGET, make_repo
from .measure import Sample, summary

TARGET_RATIO = 20.0
TARGET_RSS_MB = 300.0
KUBECTL_DIFF_OK = (0, 1)


def run(bench: Bench, n: int = 2000, rss_n: int = 5000) -> dict[str, Any]:
    out: dict[str, Any] = {"what": f"verify of {n} objects in sync", "n": n}
    namespace = new_namespace(bench.plane, "verify")
    try:
        repo = make_repo(bench.work / "verify", n, namespace)
        setup = bench.run("verify-setup", bench.ours("apply", "--no-wait"), repo.root)
        report = bench.out / f"verify{bench.tag}.json"
        ours = bench.ours("verify", "--on-drift", "none", "--output-json", str(report))
        labels = {PART_OF: applyset_id(parent_name(TARGET), namespace)}
        folder = str(repo.labelled_copy(bench.work / "verify-kubectl", labels))
        diff = bench.kubectl(
            "diff", "--server-side", "--field-manager=gitops-action",
            "-n", namespace, "-R", "-f", folder,
        )  # fmt: skip
        commands = {"gitops-action verify": ours, "kubectl diff --server-side": diff}
        ok = {"gitops-action verify": (0,)}

        def case(name: str) -> Any:
            def go(_round: int) -> Sample:
                codes = ok.get(name, KUBECTL_DIFF_OK)
                return bench.run("verify", commands[name], repo.root, ok=codes)

            return go

        for name in commands:  # warm-up
            case(name)(-1)
        samples = repeated(bench.repeat, {name: case(name) for name in commands})
        cases = {name: summary(s) for name, s in samples.items()}
        got = ratio(cases["kubectl diff --server-side"], cases["gitops-action verify"])
        found = json.loads(report.read_text())["targets"][0]["summary"]
        out.update(
            setup={"command": shown(bench.ours("apply", "--no-wait")), "wall": setup.wall},
            commands={
                name: shown(argv).replace(namespace, "NAMESPACE").replace(str(bench.work), "$WORK")
                for name, argv in commands.items()
            },
            cases=cases,
            checks={"ours": found},
            ratios={"kubectl diff / ours": got},
            target={"ratio": f">= {TARGET_RATIO:g}x", "met": got >= TARGET_RATIO},
        )
    finally:
        delete_namespace(bench.plane, namespace)
    out["rss"] = _rss(bench, rss_n)
    return out


def _rss(bench: Bench, n: int) -> dict[str, Any]:
    """One verify of ``n`` objects in sync: its peak RSS (and wall, for the record)."""
    namespace = new_namespace(bench.plane, "verify-rss")
    try:
        repo = make_repo(bench.work / "verify-rss", n, namespace)
        bench.run("verify-rss-setup", bench.ours("apply", "--no-wait"), repo.root)
        sample = bench.run("verify-rss", bench.ours("verify", "--on-drift", "none"), repo.root)
        rss = round(sample.rss_mb, 1)
        return {
            "n": n,
            "wall": round(sample.wall, 2),
            "rss_mb": rss,
            "requests": dict(sample.requests),
            "target": {"rss_mb": f"< {TARGET_RSS_MB:g}", "met": rss < TARGET_RSS_MB},
        }
    finally:
        delete_namespace(bench.plane, namespace)
