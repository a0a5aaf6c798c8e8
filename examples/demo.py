"""`make demo`: the GitOps loop of gitops-action on a local control plane, as users meet it.

examples/repo is copied into .demo/repo as a fresh git repository and deployed; then:

1. a pull request: a realistic change (an image bump, a rotated Secret, replicas, a new report
   job, a removed network policy), and the plan comment a reviewer reads, against the cluster;
2. the merge: apply, in order, health-checked;
3. an out-of-band change: `kubectl scale` on production;
4. the schedule: verify finds the drift, and says who made it; the report is the body of the
   drift issue;
5. the revert: merging the drift revert pull request runs apply, which puts Git's version
   back, and verify is in sync again.

The first run builds the control plane from Go modules (minutes; it says so and shows
progress), later runs start it in seconds. Without Go it shows the offline plan of the same
change and says why. Nothing here talks to GitHub: what would be a comment, an issue or a pull
request is printed instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the control plane of tests/cluster

import demo_cluster  # noqa: E402

DEMO = Path(os.environ.get("GITOPS_ACTION_DEMO_DIR") or ROOT / ".demo")
"""Where the demo works (tests point it elsewhere); removed and made again on each run."""
REPO = DEMO / "repo"
CLUSTER = DEMO / "cluster"
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "Demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}
LIVE_TARGETS = ("platform", "web-staging", "web-production", "jobs")
"""cache-staging is planned but not deployed: its StatefulSet claims a volume, and the demo's
cluster has no storage provisioner (its pods would wait forever)."""

# (file, old text, new text); None as new text deletes the file.
EDITS: list[tuple[str, str, str | None]] = [
    ("deploy/overlays/staging/kustomization.yaml", "newTag: 1.5.0", "newTag: 1.6.0"),
    (
        "deploy/overlays/staging/kustomization.yaml",
        "API_KEY=staging-not-a-real-key",
        "API_KEY=staging-rotated-fake-key",
    ),
    ("deploy/overlays/production/kustomization.yaml", "count: 3", "count: 4"),
    (
        "jobs/vars.yaml",
        "resources:",
        "  - name: quarterly-revenue\n"
        '    schedule: "0 9 1 1,4,7,10 *"\n'
        "    query: revenue_by_quarter\n"
        "    recipients: finance@example.com\n"
        "resources:",
    ),
    ("platform/network/default-deny.yaml", "", None),
]


def say(text: str) -> None:
    print(text, flush=True)


def step(number: int, title: str) -> None:
    say(f"\n{'=' * 78}\n{number}. {title}\n{'=' * 78}")


def git(*args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=REPO, env=GIT_ENV, check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def gitops(*args: str, codes: Sequence[int] = (0,), env: dict[str, str] | None = None) -> str:
    """``gitops-action ARGS`` in the demo repository, as a developer would type it; stdout,
    with stderr (warnings, what was waited for) shown as it comes."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    say(f"$ gitops-action {shown}".replace(str(DEMO), ".demo"))
    result = subprocess.run(
        [sys.executable, "-m", "gitops_action", *args],
        cwd=REPO,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in codes:
        sys.stderr.write(result.stdout + result.stderr)
        command = next(a for a in args if a in ("apply", "plan", "verify"))
        raise SystemExit(f"demo: gitops-action {command} exited {result.returncode}")
    sys.stderr.write(result.stderr)
    return result.stdout


SHORT = ("== target", "applied (", "pruned (", "not applied (", "error:", "warning:")


def short(output: str) -> str:
    """An apply's output without its diffs: each target's status, what was written, warnings,
    errors and counts (the diffs are in the plan above)."""
    keep = [
        line
        for line in output.splitlines()
        if line.startswith(SHORT) or line.strip().startswith("warning:") or " create, " in line
    ]
    return "\n".join(keep)


def kubectl(*args: str) -> str:
    say(f"$ kubectl {' '.join(args)}")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "kubectl"), "--kubeconfig", str(kubeconfig()), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def kubeconfig() -> Path:
    return CLUSTER / "kubeconfig"


def edit(path: str, old: str, new: str | None) -> None:
    file = REPO / path
    if new is None:
        file.unlink()
        return
    text = file.read_text(encoding="utf-8")
    if old not in text:
        sys.exit(f"demo: {path} no longer contains {old!r}; update examples/demo.py")
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def helm_or_why() -> str:
    """Build helm into the cache if needed (tools/ensure-helm); why not, or ``""``."""
    done = subprocess.run(
        [str(ROOT / "tools" / "ensure-helm")], capture_output=True, text=True, check=False
    )
    return "" if done.returncode == 0 else done.stderr.strip().splitlines()[-1]


def fresh_repo() -> None:
    shutil.rmtree(REPO, ignore_errors=True)
    shutil.copytree(HERE / "repo", REPO)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "initial state")


def pull_request() -> None:
    git("checkout", "-q", "-b", "feature")
    for path, old, new in EDITS:
        edit(path, old, new)
    git("add", "-A")
    git("commit", "-q", "-m", "web 1.6.0 in staging, rotate its API key, scale production")


def targets(names: Sequence[str]) -> list[str]:
    return [arg for name in names for arg in ("--target", name)]


def plan(*extra: str, live: bool = True) -> None:
    out_md, out_json = DEMO / "plan.md", DEMO / "plan.json"
    gitops(
        *extra, "plan", "--base-ref", "main", "--output-md", str(out_md),
        "--output-json", str(out_json), "--live" if live else "--no-live",
    )  # fmt: skip
    say("\nThe plan comment a reviewer reads on the pull request (one comment per target;")
    say("here every target's, as the job summary shows them):\n")
    say(out_md.read_text(encoding="utf-8"))
    report = json.loads(out_json.read_text(encoding="utf-8"))
    for target in report["targets"]:
        counts = ", ".join(f"{v} {k}" for k, v in target["summary"].items())
        say(f"  {target['name']}: {counts}")


def offline(why: str, names: Sequence[str]) -> int:
    """Only the plan, without a cluster: what the pull request would show."""
    say(f"No control plane for the loop: {why}.")
    say("Instead: the offline plan of the pull request (rendered at both commits and diffed).")
    fresh_repo()
    pull_request()
    plan(*targets(names), live=False)
    return 0


def loop(started: float) -> int:
    cluster = ["--kubeconfig", str(kubeconfig())]
    step(1, "Deploy main as it is (what the apply workflow did before this story begins)")
    say("platform first: it creates the namespaces the other targets deploy into.")
    say(short(gitops(*cluster, "--target", "platform", "apply")))
    rest = [t for t in LIVE_TARGETS if t != "platform"]
    say(short(gitops(*cluster, *targets(rest), "apply")))

    step(2, "A pull request, and the plan comment its reviewer reads (against the live cluster)")
    pull_request()
    plan(*cluster, *targets(LIVE_TARGETS))

    step(3, "The merge: the push to main runs apply (ordered, pruned, health-checked)")
    git("checkout", "-q", "main")
    git("merge", "-q", "--ff-only", "feature")
    say(short(gitops(*cluster, *targets(LIVE_TARGETS), "apply")))

    step(4, "An out-of-band change: someone scales production by hand")
    say(kubectl("-n", "web-production", "scale", "deployment/web", "--replicas=5").rstrip())

    step(5, "The schedule: verify pulls the live state and finds the drift")
    summary = DEMO / "verify-summary.md"
    summary.unlink(missing_ok=True)
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    say(gitops(*cluster, "--target", "web-production", "verify", "--on-drift", "none",
               "--exit-code", codes=(2,), env=env).rstrip())  # fmt: skip
    say("\nThe drift report, as the body of the issue 'Drift detected in web-production' shows")
    say("it (with on-drift: issue the issue opens, is kept up to date, and closes itself):\n")
    say(summary.read_text(encoding="utf-8"))

    step(6, "The revert: the drift revert pull request is merged, and its push runs apply")
    say("(with on-drift: revert-pr, verify opens that pull request on its own: branch")
    say("gitops-action/revert-drift/web-production, recording the drift in")
    say(".gitops/resync/web-production.yaml; its merge lists the target for apply.)")
    say(gitops(*cluster, "--target", "web-production", "apply").rstrip())
    say(gitops(*cluster, "--target", "web-production", "verify", "--on-drift", "none",
               "--exit-code").rstrip())  # fmt: skip
    say(f"\nThe loop, end to end, in {time.monotonic() - started:.0f} s. Files: .demo/")
    return 0


def main() -> int:
    started = time.monotonic()
    DEMO.mkdir(exist_ok=True)
    why_no_helm = helm_or_why()
    planned = [*LIVE_TARGETS, "cache-staging"]
    if why_no_helm:
        say(f"helm is not available ({why_no_helm}): the Helm target cache-staging is left out.")
        planned.remove("cache-staging")
    why = demo_cluster.unavailable()
    if why:
        return offline(why, planned)
    try:
        install = demo_cluster.built(say)
    except demo_cluster.BuildError as err:
        return offline(f"the control plane could not be built ({err})", planned)
    say("Starting the local control plane (kube-apiserver, etcd, kwok's simulated nodes)...")
    demo_cluster.start(CLUSTER, install)
    try:
        fresh_repo()
        return loop(started)
    finally:
        demo_cluster.stop(CLUSTER)


if __name__ == "__main__":
    sys.exit(main())
