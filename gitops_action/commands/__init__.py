"""One module per command, each with ``run(...) -> int``; ``cli`` builds their inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from ..config import Config, Target
from ..ports import Cluster, GitHub, Repository, Runtime


@dataclass(frozen=True)
class Context:
    """What every command gets: the configuration, the selected targets and the adapters."""

    config: Config
    targets: tuple[Target, ...]
    git: Repository
    actions: Runtime
    out: TextIO
    err: TextIO
    connect: Callable[[Target], Cluster] | None = None
    """The cluster of a target (its kubeconfig context); ``None`` when none is configured."""
    github: Callable[[], GitHub] | None = None
    """The repository on GitHub, connected on first use (``cli`` passes the adapter's maker)."""

    def cluster(self, target: Target) -> Cluster:
        if self.connect is None:
            from ..errors import ClusterError

            raise ClusterError(
                f"target {target.name}: no cluster configured: pass --kubeconfig, set KUBECONFIG, "
                "or the action's kubeconfig input (for plan: or use --no-live)"
            )
        return self.connect(target)
