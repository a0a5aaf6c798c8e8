"""How each object's outcome is shown: the rows of the plan, apply and verify reports.

One wording per event, whoever reports it: a pull request's plan promises in the same words
what the merge's apply then does or refuses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from .. import FIELD_MANAGER
from ..config import Target
from ..core.diff import BASE_HEAD, LIVE_DESIRED, compare
from ..core.fieldsets import drop, owned_by
from ..core.normalize import drop_path, normalize
from ..errors import ApiError
from ..models import KubeObject, Manifest, ResourceDiff, ResourceKey
from .inventory import PART_OF

OVERWRITES = "live differs from the base branch: merging overwrites a change made outside Git"
DRIFT_NOTE = (
    "this pull request does not change it: the cluster differs from Git (drift), "
    "and applying restores Git's version"
)
ADOPTED = (
    "already in the cluster as Git has it, deployed by other means: apply adds it to the "
    "inventory (labels only)"
)
REJECTED = "the API server rejected the dry-run: {error}"
WAITS_FOR = (
    "its {what} is created by the same apply: shown as rendered; the server checks it "
    "once the {short} exists"
)
UNSERVED = (
    "the cluster does not serve {api_version} {kind}: install its CustomResourceDefinition "
    "first (or add it to this target), or fix the apiVersion"
)
OTHER_APPLYSET = (
    "belongs to another ApplySet ({owner}), so another target or tool applies it: define "
    "each object in one target"
)
NOT_OURS = (
    "left Git but stays in the cluster: it carries no part-of label of this target (it was "
    "not deployed by gitops-action for it), so apply never deletes it; delete it by hand if "
    "it should go"
)
LEFT_GIT = "left Git"
KEPT = "left Git but stays in the cluster: {reason}"


def cleaner(
    target: Target, key: ResourceKey, live: KubeObject, answer: KubeObject | None = None
) -> Callable[[KubeObject], KubeObject]:
    """Normalize both sides of one comparison alike: minus the configured ignore paths, and
    minus the fields that ignored managers hold on the live object, but never a field that we
    set (our field set in the dry-run ``answer``: what Git says, whoever holds it live)."""
    keep = owned_by(answer if answer is not None else live, FIELD_MANAGER)
    theirs = [owned_by(live, m, operation=None) for m in target.ignore_managers(key)]
    paths = target.ignore_paths(key)

    def clean(obj: KubeObject) -> KubeObject:
        out = normalize(obj)
        for pointer in paths:
            drop_path(out, pointer)
        for fields in theirs:
            drop(out, fields, keep)
        return out

    return clean


def with_note(row: ResourceDiff, note: str) -> ResourceDiff:
    return dataclasses.replace(row, notes=(*row.notes, note))


def unchanged(key: ResourceKey, manifest: Manifest) -> ResourceDiff:
    return ResourceDiff(key, manifest.api_version, "unchanged", source=manifest.source)


def updated(
    target: Target,
    key: ResourceKey,
    manifest: Manifest,
    live: KubeObject,
    answer: KubeObject,
    warnings: Sequence[str] = (),
    member_id: str = "",
) -> ResourceDiff:
    """The live object against the server's dry-run of the desired one, both cleaned. When
    they differ only by our member label, the object is adopted, not changed."""
    clean = cleaner(target, key, live, answer)
    before, after = clean(live), clean(answer)
    row = compare(
        key, manifest.api_version, before, after,
        labels=LIVE_DESIRED, manifest=manifest, warnings=warnings,
    )  # fmt: skip
    if row.action == "update" and member_id and _labelled(before, member_id) == after:
        adopted = dataclasses.replace(row, action="unchanged", diff="", adopt=True)
        return with_note(adopted, ADOPTED)
    return row


def _labelled(obj: KubeObject, member_id: str) -> KubeObject:
    meta = dict(obj.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), PART_OF: member_id}
    return {**obj, "metadata": meta}


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
        key, manifest.api_version, None, obj,
        labels=LIVE_DESIRED, manifest=manifest, warnings=warnings,
    )  # fmt: skip


def waiting(key: ResourceKey, manifest: Manifest, shown: KubeObject, for_crd: bool) -> ResourceDiff:
    """An object whose Namespace or CRD the same apply creates: checked once that exists."""
    what, short = (
        ("CustomResourceDefinition", "CRD")
        if for_crd
        else (f"Namespace {key.namespace}", "Namespace")
    )
    return with_note(
        as_rendered(key, manifest, shown=shown), WAITS_FOR.format(what=what, short=short)
    )


def rejected(
    key: ResourceKey,
    manifest: Manifest,
    err: ApiError,
    live: KubeObject | None,
    base: Manifest | None,
) -> ResourceDiff:
    """A dry-run the server refused: an error row showing what Git changes (base against
    head when the base is known) and the server's message (explained by ``writes``)."""
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
        error=REJECTED.format(error=err),
    )


def failed(
    key: ResourceKey, manifest: Manifest, live: KubeObject | None, error: str
) -> ResourceDiff:
    """An object that cannot be applied for a reason found before any dry-run."""
    row = as_rendered(key, manifest) if live is None else unchanged(key, manifest)
    return dataclasses.replace(row, action="update" if live is not None else "create", error=error)


def crd_kinds(manifests: Iterable[Manifest]) -> set[tuple[str, str]]:
    """(group, kind) of every CustomResourceDefinition among ``manifests``."""
    out: set[tuple[str, str]] = set()
    for manifest in manifests:
        if manifest.kind == "CustomResourceDefinition":
            spec = manifest.obj.get("spec") or {}
            out.add((str(spec.get("group", "")), str((spec.get("names") or {}).get("kind", ""))))
    return out


def unserved(key: ResourceKey, manifest: Manifest) -> ResourceDiff:
    """A kind discovery does not know and no CRD of this target defines."""
    error = UNSERVED.format(api_version=manifest.api_version, kind=manifest.kind)
    return dataclasses.replace(as_rendered(key, manifest), error=error)


def deleted(key: ResourceKey, live: KubeObject, *, done: bool = False) -> ResourceDiff:
    """A member of this target's ApplySet that left Git: apply prunes it (``done``: it did,
    and the warning that it will is no longer news)."""
    row = compare(key, str(live.get("apiVersion", "")), normalize(live), None, labels=LIVE_DESIRED)
    return dataclasses.replace(row, warnings=() if done else row.warnings, notes=(LEFT_GIT,))


def kept(key: ResourceKey, live: KubeObject, reason: str) -> ResourceDiff:
    """An object that left Git and stays, with why."""
    api_version = str(live.get("apiVersion", ""))
    return ResourceDiff(key, api_version, "unchanged", warnings=(KEPT.format(reason=reason),))


def not_ours(key: ResourceKey, live: KubeObject) -> ResourceDiff:
    """An object that left Git but was never ours: apply leaves it alone, and says so."""
    return ResourceDiff(key, str(live.get("apiVersion", "")), "unchanged", warnings=(NOT_OURS,))
