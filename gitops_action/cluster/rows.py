"""Rows of the live plan: how each object's outcome is shown to a reviewer.

Shared by the live plan and the apply report (which uses the same comparison), so that
what a pull request promises is exactly what the merge does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from .. import FIELD_MANAGER
from ..config import Target
from ..core.diff import BASE_HEAD, LIVE_DESIRED, compare
from ..core.fieldsets import drop, owned_by
from ..core.normalize import drop_path, normalize
from ..errors import ApiError, NotFound
from ..models import KubeObject, Manifest, ResourceDiff, ResourceKey
from .inventory import PART_OF

OVERWRITES = "live differs from the base branch: merging overwrites a change made outside Git"
DRIFT_NOTE = (
    "this pull request does not change it: the cluster differs from Git (drift), "
    "and applying restores Git's version"
)


def clean(target: Target, key: ResourceKey, obj: KubeObject) -> KubeObject:
    """Normalized, minus the configured ignore paths and the fields of ignored managers (but
    never a field we own too)."""
    out = normalize(obj)
    for pointer in target.ignore_paths(key):
        drop_path(out, pointer)
    keep = owned_by(obj, FIELD_MANAGER)
    for manager in target.ignore_managers(key):
        drop(out, owned_by(obj, manager, operation=None), keep)
    return out


def updated(
    target: Target,
    key: ResourceKey,
    manifest: Manifest,
    live: KubeObject,
    answer: KubeObject,
    warnings: Sequence[str] = (),
) -> ResourceDiff:
    """The live object against the server's dry-run of the desired one, both cleaned."""
    return compare(
        key,
        manifest.api_version,
        clean(target, key, live),
        clean(target, key, answer),
        labels=LIVE_DESIRED,
        manifest=manifest,
        warnings=warnings,
    )


def with_note(row: ResourceDiff, note: str) -> ResourceDiff:
    return dataclasses.replace(row, notes=(*row.notes, note))


def as_rendered(
    key: ResourceKey,
    manifest: Manifest,
    warnings: Sequence[str] = (),
    shown: KubeObject | None = None,
) -> ResourceDiff:
    """A creation shown as Git renders it (``shown``: another form of it, e.g. labelled):
    clearer than the server's defaulted dry-run."""
    obj = normalize(shown if shown is not None else manifest.obj)
    return compare(
        key,
        manifest.api_version,
        None,
        obj,
        labels=LIVE_DESIRED,
        manifest=manifest,
        warnings=warnings,
    )


def rejected(
    key: ResourceKey,
    manifest: Manifest,
    err: ApiError,
    live: KubeObject | None,
    base: Manifest | None,
    creating: set[str],
) -> ResourceDiff:
    """A dry-run the server refused: a creation waiting for its namespace, or an error row
    showing what the pull request changes (base against head) and the server's message."""
    namespaces = isinstance(err, NotFound) and err.namespace_missing
    if live is None and namespaces and key.namespace in creating:
        note = (
            f"its Namespace {key.namespace} is created by this plan: shown as rendered, not dry-run"
        )
        return with_note(as_rendered(key, manifest), note)
    if base is not None:
        shown = compare(
            key, manifest.api_version, normalize(base.obj), normalize(manifest.obj),
            labels=BASE_HEAD, manifest=manifest,
        )  # fmt: skip
    else:
        shown = as_rendered(key, manifest)
    return dataclasses.replace(
        shown,
        action="update" if live is not None else "create",
        error=f"the API server rejected the dry-run: {err}",  # explained by writes.rejected
    )


def crd_kinds(manifests: Iterable[Manifest]) -> set[tuple[str, str]]:
    """(group, kind) of every CustomResourceDefinition among ``manifests``."""
    out: set[tuple[str, str]] = set()
    for manifest in manifests:
        if manifest.kind == "CustomResourceDefinition":
            spec = manifest.obj.get("spec") or {}
            out.add((str(spec.get("group", "")), str((spec.get("names") or {}).get("kind", ""))))
    return out


def unserved(key: ResourceKey, manifest: Manifest, crds: set[tuple[str, str]]) -> ResourceDiff:
    """A kind discovery does not know: created with its CRD, or an error saying what to do."""
    row = as_rendered(key, manifest)
    if (key.group, key.kind) in crds:
        note = (
            "its CustomResourceDefinition is created by this plan: shown as rendered, not dry-run"
        )
        return with_note(row, note)
    return dataclasses.replace(
        row,
        error=(
            f"the cluster does not serve {manifest.api_version} {manifest.kind}: install its "
            "CustomResourceDefinition first (or add it to this target), or fix the apiVersion"
        ),
    )


def leaving_row(target: Target, key: ResourceKey, live: KubeObject, member_id: str) -> ResourceDiff:
    """An object that left Git: deleted by apply only if pruning may, and it is ours (it
    carries this target's ApplySet label)."""
    api_version = str(live.get("apiVersion", ""))
    labels = (live.get("metadata") or {}).get("labels") or {}
    ours = labels.get(PART_OF) == member_id
    if not target.prune:
        reason = "prune is off for this target"
    elif key.kind in target.protect:
        reason = f"{key.kind} is a protected kind"
    elif not ours:
        reason = "it was not applied by gitops-action for this target (no part-of label)"
    else:
        return compare(key, api_version, normalize(live), None, labels=LIVE_DESIRED)
    return ResourceDiff(
        key, api_version, "unchanged", warnings=(f"left Git but stays in the cluster: {reason}",)
    )
