"""Benchmark 3: apply N new objects, then re-apply them unchanged, next to kubectl.

Each round gives each tool a fresh namespace (created before, deleted and waited for after,
all untimed) and measures, one tool after the other (which goes first alternates):

- create: ``gitops-action apply --no-wait`` (render, read the inventory, LIST, dry-run every
  object, write the ApplySet parent, apply in order 16 at a time, record the inventory) and
  ``kubectl apply --server-side --field-manager=gitops-action -R -f deploy`` (one PATCH per
  object, one after the other). Neither waits for rollouts: ``--no-wait`` for ours, no
  ``--wait`` for kubectl (Deployments have ``replicas: 0`` anyway).
- re-apply unchanged: the same commands again on the same commit. Ours proves every object
  unchanged from the inventory (a LIST per kind) and writes nothing; kubectl sends every PATCH
  again (the server finds nothing to change).
"""

from __future__ import annotations

from typing import Any

from .cluster import delete_namespace, new_namespace
from .common import Bench, ratio, shown
from .generate import FOLDER, BenchRepo, make_repo
from .measure import Sample, summary
from .profile import profile

TARGET_CREATE = 3.0
TARGET_REAPPLY = 20.0
CASES = (
    "gitops-action apply (create)",
    "kubectl apply --server-side (create)",
    "gitops-action apply (re-apply unchanged)",
    "kubectl apply --server-side (re-apply unchanged)",
)


def run(bench: Bench) -> dict[str, Any]:
    repo = make_repo(bench.work / "apply", bench.n, namespace="placeholder")
    samples: dict[str, list[Sample]] = {name: [] for name in CASES}
    commands: dict[str, str] = {}

    def ours(namespace: str, round_: int) -> None:
        repo.set_namespace(namespace)
        argv = bench.ours("apply", "--no-wait")
        commands["gitops-action"] = shown(argv)
        for name in CASES[0], CASES[2]:
            samples[name].append(bench.run("apply-ours", argv, repo.root))
            _progress(name, round_, samples[name][-1])

    def kubectl(namespace: str, round_: int) -> None:
        argv = bench.kubectl(
            "apply", "--server-side", "--field-manager=gitops-action", "-n", namespace,
            "-R", "-f", FOLDER,
        )  # fmt: skip
        commands["kubectl"] = shown(argv).replace(namespace, "NAMESPACE")
        for name in CASES[1], CASES[3]:
            samples[name].append(bench.run("apply-kubectl", argv, repo.root))
            _progress(name, round_, samples[name][-1])

    # A warm-up round, not counted: bytecode, kubectl's discovery cache.
    for round_ in range(-1, bench.repeat):
        sides = [("ours", ours), ("kubectl", kubectl)]
        if round_ % 2:
            sides.reverse()
        for label, side in sides:
            namespace = new_namespace(bench.plane, f"apply-{label}")
            try:
                side(namespace, round_)
            finally:
                delete_namespace(bench.plane, namespace)
        if round_ == -1:
            for name in CASES:
                samples[name].clear()

    cases = {name: summary(s) for name, s in samples.items()}
    create = ratio(cases[CASES[1]], cases[CASES[0]])
    reapply = ratio(cases[CASES[3]], cases[CASES[2]])
    return {
        "what": f"apply {bench.n} new objects, then re-apply them unchanged; no waiting",
        "commands": commands,
        "cases": cases,
        "ratios": {"create: kubectl / ours": create, "re-apply: kubectl / ours": reapply},
        "targets": {
            "create": {"ratio": f">= {TARGET_CREATE:g}x", "met": create >= TARGET_CREATE},
            "re-apply": {"ratio": f">= {TARGET_REAPPLY:g}x", "met": reapply >= TARGET_REAPPLY},
        },
        "profile": _profile(bench, repo),
    }


def _profile(bench: Bench, repo: BenchRepo) -> dict[str, Any]:
    """cProfile of one create and one re-apply (main thread only; see profile.py)."""
    namespace = new_namespace(bench.plane, "apply-profile")
    try:
        repo.set_namespace(namespace)
        return {
            "create": profile(bench, "apply-create", ["apply", "--no-wait"], repo.root),
            "re-apply": profile(bench, "apply-reapply", ["apply", "--no-wait"], repo.root),
        }
    finally:
        delete_namespace(bench.plane, namespace)


def _progress(name: str, round_: int, sample: Sample) -> None:
    when = "warm-up" if round_ < 0 else f"round {round_ + 1}"
    print(
        f"    {name:<48} {when}: {sample.wall:7.2f} s wall, {sample.cpu:6.2f} s cpu, "
        f"{sample.rss_mb:6.0f} MiB, server {sample.server_cpu:5.2f} s cpu, "
        f"{sum(sample.requests.values())} requests",
        flush=True,
    )
