"""The GitHub Actions runtime: the event, the job summary and step outputs, from the standard
environment, so that the same CLI runs inside Actions, outside it, and on GitHub Enterprise.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
