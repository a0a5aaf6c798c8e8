"""`make demo`: the offline plan of a real change between two commits of the example repo.

Copies examples/repo into .demo/repo as a fresh git repository, commits it, makes a
realistic change (an image bump, a replica change, a new ConfigMap, a removed object, a
Secret value change), commits again and runs `gitops-action plan --no-live` between the two
commits, printing the PR comment a reviewer would see for each target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / ".demo"
REPO = DEMO / "repo"
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "Demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}

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


def git(*args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=REPO, env=GIT_ENV, check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def edit(path: str, old: str, new: str | None) -> None:
    file = REPO / path
    if new is None:
        file.unlink()
        return
    text = file.read_text(encoding="utf-8")
    if old not in text:
        sys.exit(f"demo: {path} no longer contains {old!r}; update examples/demo.py")
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> int:
    shutil.rmtree(DEMO, ignore_errors=True)
    shutil.copytree(HERE / "repo", REPO)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "initial state")
    for path, old, new in EDITS:
        edit(path, old, new)
    git("add", "-A")
    git("commit", "-q", "-m", "web 1.6.0 in staging, rotate its API key, scale production")
    cli = [sys.executable, "-m", "gitops_action"]
    out_md, out_json = DEMO / "plan.md", DEMO / "plan.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    result = subprocess.run(
        [
            *cli,
            "plan",
            "--no-live",
            "--base-ref",
            "HEAD~1",
            "--output-md",
            str(out_md),
            "--output-json",
            str(out_json),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 2):
        sys.stderr.write(result.stdout + result.stderr)
        return result.returncode
    report = json.loads(out_json.read_text(encoding="utf-8"))
    print("The PR comment a reviewer sees (one per target, here the whole plan):\n")
    print(out_md.read_text(encoding="utf-8"))
    print("Summary:")
    for target in report["targets"]:
        counts = ", ".join(f"{v} {k}" for k, v in target["summary"].items())
        print(f"  {target['name']}: {counts}")
    print(f"\nFiles: {out_md.relative_to(HERE.parent)}, {out_json.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
