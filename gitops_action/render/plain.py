"""Plain renderer: every ``*.yaml``/``*.yml`` under the target's folder, as written.

Files are read in sorted order of their repository path, each parsed once, every document kept
with its exact place. Symbolic links are followed when they stay inside the repository
(``confine``). Files that configure tools rather than the cluster are passed over:
kustomizations, ``.gitops.yaml``, hidden files and folders, and Helm charts (whose templates are
not YAML until rendered; a warning says to make the chart a target of its own).
"""

from __future__ import annotations

from pathlib import Path

from ..config import Target
from ..models import Source
from .sources import Collector

YAML_SUFFIXES = (".yaml", ".yml")
KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


def render_plain(target: Target, root: Path, out: Collector) -> None:
    for file, shown in files_under(out, target.path):
        for doc in out.read(file, shown):
            out.add(doc, shown)


def files_under(
    out: Collector, folder: str, suffixes: tuple[str, ...] = YAML_SUFFIXES
) -> list[tuple[Path, str]]:
    """``(file, repository path)`` of the object files under ``folder``, sorted by path.

    Links that stay inside the repository are followed, folders included; a link out (or
    into .git) is an error naming it, never a folder silently passed over."""
    found: list[tuple[Path, str]] = []
    for here, real, dirs, files in out.confine.walk(folder, out.refuse):
        if "Chart.yaml" in files:
            out.finding(
                "Helm chart skipped: the plain renderer reads YAML files, and chart templates "
                "are not YAML until rendered; make the chart a target of its own (render: helm)",
                Source(f"{here}/Chart.yaml" if here != "." else "Chart.yaml"),
                severity="warning",
            )
            dirs[:] = []
            continue
        # Hidden folders (.github) hold no objects of this target.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or name in KUSTOMIZATION_FILES:
                continue
            if not name.endswith(suffixes):
                continue
            found.append((real / name, f"{here}/{name}" if here != "." else name))
    found.sort(key=lambda pair: pair[1])
    return found
