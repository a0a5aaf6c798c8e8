"""Plain renderer: every ``*.yaml``/``*.yml`` under the target's folder, as written.

Files are read in sorted order of their repository path, each parsed once, every document kept
with its exact place. Files that configure tools rather than the cluster are passed over:
kustomizations, ``.gitops.yaml``, hidden files and folders, and Helm charts (whose templates are
not YAML until rendered; a warning says to make the chart a target of its own).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Target
from ..models import Source
from .sources import Collector

YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def render_plain(target: Target, root: Path, out: Collector) -> None:
    for file, shown in files_under(root, target.path, out):
        for doc in out.read(file, shown):
            out.add(doc, shown)


def files_under(
    root: Path, folder: str, out: Collector, suffixes: tuple[str, ...] = YAML_SUFFIXES
) -> list[tuple[Path, str]]:
    """``(file, repository path)`` of the object files under ``folder``, sorted by path."""
    found: list[tuple[Path, str]] = []
    base = root / folder
    real_root = root.resolve()
    for current, dirs, files in os.walk(base):
        here = Path(current)
        rel = here.relative_to(root).as_posix()
        if "Chart.yaml" in files:
            out.finding(
                "Helm chart skipped: the plain renderer reads YAML files, and chart templates "
                "are not YAML until rendered; make the chart a target of its own (render: helm)",
                Source(f"{rel}/Chart.yaml"),
                severity="warning",
            )
            dirs[:] = []
            continue
        # Hidden folders (.git, .github) hold no objects of this target.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or name in KUSTOMIZATION_FILES:
                continue
            if not name.endswith(suffixes):
                continue
            file = here / name
            shown = f"{rel}/{name}" if rel != "." else name
            if file.is_symlink() and not file.resolve().is_relative_to(real_root):
                out.finding(
                    "symbolic link to a file outside the repository; skipped", Source(shown)
                )
                continue
            found.append((file, shown))
    found.sort(key=lambda pair: pair[1])
    return found
