"""The GitHub Actions runtime: the event, the job summary and step outputs, from the standard
environment, so that the same CLI runs inside Actions, outside it, and on GitHub Enterprise;
and the guard that keeps manifest text printed to the log from acting as a workflow command.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext, redirect_stderr
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..errors import GitopsError


@dataclass(frozen=True)
class ActionsEnv:
    env: Mapping[str, str]
    event: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, env: Mapping[str, str]) -> ActionsEnv:
        event: Mapping[str, Any] = {}
        path = env.get("GITHUB_EVENT_PATH")
        if path and Path(path).is_file():
            try:
                event = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise GitopsError(f"{path}: cannot read the GitHub event: {err}") from None
        return cls(env=dict(env), event=event)

    @property
    def event_name(self) -> str:
        return self.env.get("GITHUB_EVENT_NAME", "")

    @property
    def repository(self) -> str:
        return self.env.get("GITHUB_REPOSITORY", "")

    @property
    def api_url(self) -> str:
        return self.env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")

    @property
    def token(self) -> str:
        return self.env.get("GITHUB_TOKEN", "") or self.env.get("INPUT_GITHUB-TOKEN", "")

    @property
    def pull_request(self) -> Mapping[str, Any]:
        pr = self.event.get("pull_request")
        return pr if isinstance(pr, Mapping) else {}

    @property
    def pull_number(self) -> int | None:
        number = self.pull_request.get("number")
        return number if isinstance(number, int) else None

    @property
    def base_sha(self) -> str:
        base = self.pull_request.get("base")
        return str(base.get("sha", "")) if isinstance(base, Mapping) else ""

    @property
    def base_ref(self) -> str:
        return self.env.get("GITHUB_BASE_REF", "")

    @property
    def run_url(self) -> str:
        server = self.env.get("GITHUB_SERVER_URL", "").rstrip("/")
        run_id = self.env.get("GITHUB_RUN_ID", "")
        if not (server and self.repository and run_id):
            return ""
        return f"{server}/{self.repository}/actions/runs/{run_id}"

    def write_summary(self, markdown: str) -> None:
        path = self.env.get("GITHUB_STEP_SUMMARY")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(markdown if markdown.endswith("\n") else markdown + "\n")

    def set_output(self, name: str, value: str) -> None:
        path = self.env.get("GITHUB_OUTPUT")
        if not path:
            return
        with open(path, "a", encoding="utf-8") as handle:
            if "\n" in value:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                handle.write(f"{name}={value}\n")


class WorkflowCommands:
    """Keeps the Actions runner from reading workflow commands in what we print.

    The runner executes ``::command::`` at the start of any line of a step's output (after
    blanks) and ``##[command]`` anywhere in one, on stdout and stderr alike: a ConfigMap line
    printed in a plan could add annotations, mask words or stop commands. Under GitHub Actions
    (``GITHUB_ACTIONS=true``) all our output goes to one stream (two pipes are read in no fixed
    order) between ``::stop-commands::TOKEN`` and ``::TOKEN::``, with a token no manifest can
    know; ``allowed()`` resumes commands for output we make commands of on purpose (annotations,
    whose data and properties are escaped).
    """

    def __init__(self, stream: TextIO, *, active: bool) -> None:
        self.stream = stream
        self.active = active
        self.token = ""

    @classmethod
    def for_env(cls, env: Mapping[str, str], stream: TextIO) -> WorkflowCommands:
        return cls(stream, active=env.get("GITHUB_ACTIONS") == "true")

    def _stop(self) -> None:
        self.token = secrets.token_hex(16)
        self.stream.write(f"::stop-commands::{self.token}\n")
        self.stream.flush()

    def _resume(self) -> None:
        self.stream.flush()
        self.stream.write(f"::{self.token}::\n")
        self.stream.flush()

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """Everything printed in the block, stderr included, is never a command."""
        if not self.active:
            yield
            return
        self._stop()
        _CURRENT.set(self)
        try:
            with redirect_stderr(self.stream):
                yield
        finally:
            _CURRENT.set(None)
            self._resume()

    @contextmanager
    def allowed(self) -> Iterator[None]:
        """Commands are read again in the block (and stopped with a new token after it)."""
        if not self.active:
            yield
            return
        self._resume()
        try:
            yield
        finally:
            self._stop()


_CURRENT: ContextVar[WorkflowCommands | None] = ContextVar("workflow_commands", default=None)


def commands_allowed() -> AbstractContextManager[None]:
    """``WorkflowCommands.allowed`` of the log in use, if any: for output that is made of
    workflow commands on purpose (``validate --format github``)."""
    current = _CURRENT.get()
    return current.allowed() if current is not None else nullcontext()
