"""Benchmark 2: live plan of N objects, one in ten changed, next to ``kubectl diff``.

Per scenario, a fresh namespace gets the base commit's N objects, then head changes one in ten
and both tools compare head with the cluster, several times, interleaved:

- ours: ``gitops-action plan --live --base-ref HEAD~1 --no-comment``: one LIST per kind and
  namespace, a server-side-apply dry-run of each object the inventory cannot prove unchanged
  (16 at a time), and of the base version of each object the change touches (for the "live
  differs from the base branch" warning), then normalize, diff and report.
- kubectl: ``kubectl diff --server-side -R -f deploy``: per object, one after the other, a GET
  of the live object and a server-side-apply dry-run, both written to temporary folders, then
  ``diff -u -N`` on the folders (kubectl's default ``KUBECTL_EXTERNAL_DIFF``; it is cheap next
  to the 2N requests). Also with ``--concurrency=16``, our worker count.

Scenarios:

- (a) the base was applied by ``gitops-action apply``: the inventory's fingerprints prove the
  unchanged objects, so only the changed ones are dry-run. kubectl diffs a copy of head's
  objects carrying the ApplySet label our apply added (``applyset.kubernetes.io/part-of``),
  so that it computes the same, correct diff: without the label, every dry-run would remove
  it, all N objects would differ, and the server would do more work per dry-run (an apply
  that changes nothing is cheaper). Another field manager would not do either: server-side
  apply would merge list entries that different managers own (a Service with two ports
  named ``http``, rejected).
- (b) the base was applied by ``kubectl apply --server-side --field-manager=gitops-action``:
  no inventory, so every object is dry-run.

Both diff with field manager ``gitops-action``, the one that applied the objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gitops_action.cluster.inventory import PART_OF, applyset_id, parent_name

from .cluster import delete_namespace, new_namespace
from .common import Bench, ratio, repeated, shown
from .generate import FOLDER, TARGET, BenchRepo, count_changed, make_repo
from .measure import Sample, summary
from .profile import profile

TARGET_RATIO = 5.0
KUBECTL_DIFF_OK = (0, 1)  # 1: differences found
SCENARIOS = {
    "a": "applied by gitops-action apply (inventory with fingerprints)",
    "b": "applied by kubectl apply --server-side --field-manager=gitops-action (no inventory)",
}


def run(bench: Bench, scenarios: tuple[str, ...] = ("a", "b")) -> dict[str, Any]:
    out: dict[str, Any] = {
        "what": f"live plan of {bench.n} objects, {count_changed(bench.n)} changed",
        "scenarios": {},
    }
    for scenario in scenarios:
        print(f"  scenario ({scenario}): {SCENARIOS[scenario]}", flush=True)
        out["scenarios"][scenario] = _scenario(bench, scenario)
    return out


def _scenario(bench: Bench, scenario: str) -> dict[str, Any]:
    namespace = new_namespace(bench.plane, f"plan-{scenario}")
    try:
        repo = make_repo(bench.work / f"live-{scenario}", bench.n, namespace)
        setup = _apply_base(bench, repo, namespace, scenario)
        repo.change()
        return _measure(bench, repo, namespace, scenario, setup)
    finally:
        delete_namespace(bench.plane, namespace)


def _apply_base(bench: Bench, repo: BenchRepo, namespace: str, scenario: str) -> dict[str, Any]:
    if scenario == "a":
        argv = bench.ours("apply", "--no-wait")
    else:
        argv = bench.kubectl(
            "apply", "--server-side", "--field-manager=gitops-action", "-n", namespace,
            "-R", "-f", FOLDER,
        )  # fmt: skip
    sample = bench.run(f"plan-{scenario}-setup", argv, repo.root)
    return {"command": shown(argv), "wall": round(sample.wall, 3)}


def _measure(
    bench: Bench, repo: BenchRepo, namespace: str, scenario: str, setup: dict[str, Any]
) -> dict[str, Any]:
    report = bench.out / f"live-plan-{scenario}{bench.tag}.json"
    ours_args = [
        "plan", "--live", "--base-ref", "HEAD~1", "--no-comment", "--output-json", str(report),
    ]  # fmt: skip
    folder = FOLDER
    if scenario == "a":  # the objects as our apply writes them: with the ApplySet label
        inventory_id = applyset_id(parent_name(TARGET), namespace)
        folder = str(repo.labelled_copy(bench.work / "live-a-kubectl", {PART_OF: inventory_id}))
    diff = [
        "diff", "--server-side", "--field-manager=gitops-action",
        "-n", namespace, "-R", "-f", folder,
    ]  # fmt: skip
    commands = {
        "gitops-action plan --live": bench.ours(*ours_args),
        "kubectl diff --server-side": bench.kubectl(*diff),
        "kubectl diff --server-side --concurrency=16": bench.kubectl(*diff, "--concurrency=16"),
    }
    ok = {"gitops-action plan --live": (0,)}

    def case(name: str) -> Any:
        def go(_round: int) -> Sample:
            codes = ok.get(name, KUBECTL_DIFF_OK)
            return bench.run(f"plan-{scenario}", commands[name], repo.root, ok=codes)

        return go

    for name in commands:  # warm-up: bytecode, kubectl's discovery cache, the server's caches
        case(name)(-1)
    samples = repeated(bench.repeat, {name: case(name) for name in commands})
    cases = {name: summary(s) for name, s in samples.items()}
    ours = cases["gitops-action plan --live"]
    kubectl = cases["kubectl diff --server-side"]
    parallel = cases["kubectl diff --server-side --concurrency=16"]
    got = ratio(kubectl, ours)
    return {
        "scenario": SCENARIOS[scenario],
        "setup": setup,
        "commands": {
            name: shown(argv).replace(namespace, "NAMESPACE").replace(str(bench.work), "$WORK")
            for name, argv in commands.items()
        },
        "cases": cases,
        "checks": _checks(report, bench, repo, diff),
        "ratios": {
            "kubectl diff / ours": got,
            "kubectl diff --concurrency=16 / ours": ratio(parallel, ours),
        },
        "target": {"ratio": f">= {TARGET_RATIO:g}x", "met": got >= TARGET_RATIO},
        "profile": profile(bench, f"live-plan-{scenario}", ours_args, repo.root),
    }


def _checks(report: Path, bench: Bench, repo: BenchRepo, diff: list[str]) -> dict[str, Any]:
    """Both tools saw the same changes: our summary, and how many objects kubectl diffed."""
    doc = json.loads(report.read_text())
    summary_ = doc["targets"][0]["summary"]
    bench.run("plan-kubectl-diff-check", bench.kubectl(*diff), repo.root, ok=KUBECTL_DIFF_OK)
    text = bench.last_log.read_text(errors="replace")
    different = sum(1 for line in text.splitlines() if line.startswith("diff -u -N "))
    return {"ours": summary_, "kubectl_objects_different": different}
