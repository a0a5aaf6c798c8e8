"""A pull request on a real git repository and on the fake GitHub, for driving the CLI."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.ghfake import GitHubFake
from tests.support import Repo

REPO = "octo-org/app"
CONFIG = """\
version: 1
targets:
  - {name: staging, path: deploy/staging, namespace: web}
  - {name: prod, path: deploy/prod, namespace: web}
"""


def configmap(name: str, **data: str) -> str:
    lines = "".join(f"  {k}: {json.dumps(v)}\n" for k, v in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{lines}"


def secret(name: str, **data: str) -> str:
    lines = "".join(f"  {k}: {base64.b64encode(v.encode()).decode()}\n" for k, v in data.items())
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: Opaque\ndata:\n{lines}"


@dataclass
class PullRequest:
    """Pull request #number from branch `feature` into `main`, checked out at its head."""

    repo: Repo
    github: GitHubFake
    number: int
    base: str
    head: str = ""
    event_name: str = "pull_request"
    head_repo: str = REPO
    extra: dict[str, str] = field(default_factory=dict)

    def push(self, files: dict[str, str], *, remove: tuple[str, ...] = ()) -> str:
        """A new commit on the branch: the pull request's head moves."""
        self.repo.write(files)
        if remove:
            self.repo.remove(*remove)
        self.head = self.repo.commit("push")
        return self.head

    @property
    def tmp(self) -> Path:
        return self.repo.root.parent

    def event(self) -> dict[str, object]:
        def end(sha: str, ref: str, repo: str) -> dict[str, object]:
            return {"sha": sha, "ref": ref, "repo": {"full_name": repo}}

        return {
            "action": "synchronize",
            "number": self.number,
            "pull_request": {
                "number": self.number,
                "head": end(self.head, "feature", self.head_repo),
                "base": end(self.base, "main", REPO),
            },
        }

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of the workflow step on this pull request, pointed at the fake."""
        event = self.tmp / "event.json"
        event.write_text(json.dumps(self.event()), encoding="utf-8")
        return {
            **self.github.env(),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_BASE_REF": "main",
            "GITHUB_SHA": self.head,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            "GITHUB_OUTPUT": str(self.tmp / "output.txt"),
            **self.extra,
            **overrides,
        }

    def outputs(self) -> dict[str, str]:
        path = self.tmp / "output.txt"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return dict(line.split("=", 1) for line in lines if "=" in line)


def open_pull(
    repo: Repo, github: GitHubFake, base: dict[str, str], head: dict[str, str]
) -> PullRequest:
    """`main` with `base` (and the configuration, and a ConfigMap for `prod`), `feature` with
    `head` on top, and the pull request between them on the fake."""
    repo.write({".gitops.yaml": CONFIG, "deploy/prod/cm.yaml": configmap("web", tier="prod")})
    repo.write(base)
    base_sha = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    pr = github.state.add_pull(REPO, "feature", "main", title="Change the web config")
    pull = PullRequest(repo, github, pr.number, base_sha)
    pull.push(head)
    return pull


_COMMANDS_MARKER = re.compile(r"::stop-commands::[0-9a-f]{32}|::[0-9a-f]{32}::")


def said(result: Any) -> str:
    """What a CLI run printed, as the step's log shows it: under Actions stdout and stderr are
    one stream (between stop-commands markers, left out here)."""
    lines = (result.out + result.err).splitlines(keepends=True)
    return "".join(line for line in lines if not _COMMANDS_MARKER.fullmatch(line.rstrip("\n")))


def errors(result: Any) -> str:
    """The ``gitops-action: error:`` lines of a run, whichever stream they went to."""
    return "".join(line for line in said(result).splitlines(keepends=True) if "error:" in line)
