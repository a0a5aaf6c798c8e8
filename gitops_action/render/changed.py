"""Which targets a change touches: the fan-out of ``gitops-action targets --changed-since``.

A target is touched when any of its inputs differs between the ref and the checkout: a file or
folder its render read (at the checkout, and at the ref for files the change deleted), its
values files, its entry in the configuration (or the defaults it takes), or its drift revert
record ``.gitops/resync/<target>.yaml``, so that merging a drift revert pull request applies
that target although its manifests did not change. When that cannot be known (a kustomize
remote base, a render that failed, a configuration that cannot be read at the ref) the target
is listed: applying an unchanged target writes nothing, skipping a changed one would be wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, Target, load_config
from ..errors import GitopsError
from ..ports import Repository
from . import Rendered, render_target

RESYNC = ".gitops/resync/{target}.yaml"
"""Where a drift revert pull request records what it puts back (``verify.resync``)."""
SHOWN = 3
"""Changed paths named per target before "and N more"."""


@dataclass(frozen=True)
class Touched:
    """A target the change touches, and why, in words."""

    target: Target
    why: str


def touched_targets(
    config: Config,
    targets: Sequence[Target],
    repo: Repository,
    base: str,
    *,
    render: Callable[[Target, Path], Rendered] = render_target,
) -> list[Touched]:
    """The ``targets`` whose inputs differ between commit ``base`` and the checkout, in order."""
    prefix = config.root.relative_to(repo.root).as_posix()
    changed = sorted(
        p if prefix == "." else p.removeprefix(f"{prefix}/")
        for p in repo.changed_since(base)
        if prefix == "." or p.startswith(f"{prefix}/")
    )
    if not changed:
        return []
    before = _targets_at(config, repo, base, prefix) if _config_path(config) in changed else None
    found: dict[str, str] = {}
    pending: list[Target] = []
    for target in targets:
        why = _settings(target, before) or _named_inputs(target, changed)
        why = why or _rendered(render, target, config.root, changed, "")
        if why:
            found[target.name] = why
        else:
            pending.append(target)
    deleted = [p for p in changed if not (config.root / p).exists()]
    if pending and deleted:
        with repo.worktree(base) as tree:
            for target in pending:
                why = _rendered(render, target, tree / prefix, deleted, f" (read at {base[:12]})")
                if why:
                    found[target.name] = why
    return [Touched(t, found[t.name]) for t in targets if t.name in found]


def _config_path(config: Config) -> str:
    return config.path.resolve().relative_to(config.root).as_posix()


def _targets_at(
    config: Config, repo: Repository, base: str, prefix: str
) -> dict[str, Target] | str:
    """The targets of the configuration at ``base`` by name, or why it cannot be read."""
    with repo.worktree(base) as tree:
        root = tree / prefix
        try:
            old = load_config(root / _config_path(config), root)
        except GitopsError as err:
            return f"the configuration at {base[:12]} cannot be read ({str(err).splitlines()[0]})"
    return {t.name: t for t in old.targets}


def _settings(target: Target, before: dict[str, Target] | str | None) -> str:
    """Why the configuration makes ``target`` touched, or ``""``."""
    if before is None:
        return ""
    if isinstance(before, str):
        return before
    old = before.get(target.name)
    if old is None:
        return "a new target in the configuration"
    if dataclasses.replace(old, source=None) != dataclasses.replace(target, source=None):
        return "its settings in the configuration changed"
    return ""


def _named_inputs(target: Target, changed: Sequence[str]) -> str:
    """The inputs a target names whatever its render reads: values files, resync record."""
    record = RESYNC.format(target=target.name)
    if record in changed:
        return f"{record} changed (a drift revert)"
    values = [v for v in target.values if v in changed]
    return f"{_listed(values)} changed" if values else ""


def _rendered(
    render: Callable[[Target, Path], Rendered],
    target: Target,
    root: Path,
    changed: Sequence[str],
    where: str,
) -> str:
    """Why the render of ``target`` at ``root`` was touched by ``changed``, or ``""``."""
    try:
        inputs = render(target, root).inputs
    except GitopsError as err:
        return f"its render failed, so it is listed ({str(err).splitlines()[0]})"
    if inputs is None:
        return "its inputs cannot be known (a remote base), so it is always listed"
    hits = [p for p in changed if inputs.touched_by((p,))]
    return f"{_listed(hits)} changed{where}" if hits else ""


def _listed(paths: Iterable[str]) -> str:
    items = list(paths)
    shown = ", ".join(items[:SHOWN])
    return f"{shown} and {len(items) - SHOWN} more" if len(items) > SHOWN else shown
