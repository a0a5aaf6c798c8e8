"""Secret values never leave this module: only which keys were added, removed or changed.

No value and no hash of a value is ever put in a diff, comment, report or log; equal values
are compared here, in memory, and replaced by fixed placeholders before anything is rendered.

Masking is by construction, not by knowing where values live: in an object of kind Secret
(whatever its apiVersion, and also at any depth of the items of any ``*List``), everything is
hidden but ``apiVersion``, ``kind``, ``type``, ``immutable`` and the fields of ``metadata`` that
ObjectMeta defines. So a mis-indented ``password:`` at the top level, a ``data`` that is a string
or a list, or a field no version of Kubernetes knows shows as ``(hidden)`` like ``data`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import KubeObject, clone
from .normalize import LAST_APPLIED

HIDDEN = "(hidden)"
ADDED = "(hidden, added)"
CHANGED = "(hidden, changed)"

SHOWN = frozenset({"apiVersion", "kind", "metadata", "type", "immutable"})
"""Top-level fields of a Secret that hold no value (when they have their usual type)."""
METADATA_SHOWN = frozenset({
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields",
})  # fmt: skip
"""The fields of ObjectMeta: any other key under a Secret's metadata is a value put there."""
VALUE_MAPS = ("data", "stringData")
"""Fields holding one value per key; their keys are shown (merged under ``data``, as the API
server merges stringData), their values never."""

Entry = tuple[str, ...]
"""Where a hidden value is: ``("data", key)`` for a key of data or stringData, ``(field,)``
for a whole field, ``("metadata", field)`` for a stray field of metadata."""


@dataclass(frozen=True)
class SecretChanges:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def describe(self) -> str:
        parts = [
            f"{what}: {', '.join(keys)}"
            for what, keys in (
                ("added", self.added),
                ("changed", self.changed),
                ("removed", self.removed),
            )
            if keys
        ]
        return "; ".join(parts)


def mask_pair(
    old: KubeObject | None, new: KubeObject | None
) -> tuple[KubeObject | None, KubeObject | None, SecretChanges]:
    """Copies of two normalized versions of one object with Secret values replaced.

    A changed key shows as ``(hidden)`` -> ``(hidden, changed)`` so the diff has a line for it;
    an unchanged key shows ``(hidden)`` on both sides and so no diff line. Objects that are
    neither Secrets nor Lists are returned as they are.
    """
    kinds = {_kind(o) for o in (old, new) if o is not None}
    if not any(k == "Secret" or k.endswith("List") for k in kinds):
        return old, new, SecretChanges()
    tally = _Tally()
    masked_old, masked_new = _pair(old, new, "", tally)
    return masked_old, masked_new, tally.changes()


def mask(obj: KubeObject) -> KubeObject:
    """One object with every Secret value hidden (for showing a single side)."""
    return mask_pair(None, obj)[1] or obj


@dataclass
class _Tally:
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)

    def changes(self) -> SecretChanges:
        return SecretChanges(
            tuple(sorted(self.added)), tuple(sorted(self.removed)), tuple(sorted(self.changed))
        )


def _kind(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else ""


def _pair(old: Any, new: Any, hint: str, tally: _Tally) -> tuple[Any, Any]:
    """Two versions of one object (either may be None), masked; ``hint`` is the kind its List
    gives items that name none."""
    kind = _kind(new) or _kind(old) or hint
    if kind == "Secret":
        return _secret(old, new, tally)
    if kind.endswith("List"):
        return _list(old, new, kind.removesuffix("List"), tally)
    return old, new


def _list(old: Any, new: Any, item_kind: str, tally: _Tally) -> tuple[Any, Any]:
    """A List's items paired by position, each masked; items that are not a list (malformed)
    are hidden whole when they could hold a Secret."""
    sides = [o.get("items") if isinstance(o, dict) else None for o in (old, new)]
    if all(s is None or isinstance(s, list) for s in sides):
        old_items: list[Any] = sides[0] or []
        new_items: list[Any] = sides[1] or []
        pairs = [
            _pair(
                old_items[i] if i < len(old_items) else None,
                new_items[i] if i < len(new_items) else None,
                item_kind,
                tally,
            )
            for i in range(max(len(old_items), len(new_items)))
        ]
        masked: list[Any] = [
            [p[0] for p in pairs[: len(old_items)]],
            [p[1] for p in pairs[: len(new_items)]],
        ]
    elif item_kind == "Secret" or any(_holds_secret(s) for s in sides):
        masked = [HIDDEN, CHANGED if sides[0] != sides[1] else HIDDEN]
    else:
        return old, new
    out = [
        {**side, "items": items} if isinstance(side, dict) and "items" in side else side
        for side, items in zip((old, new), masked, strict=True)
    ]
    return out[0], out[1]


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return _kind(value) == "Secret" or any(_holds_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


def _secret(old: Any, new: Any, tally: _Tally) -> tuple[Any, Any]:
    old_values, new_values = _values(old), _values(new)
    for entry in new_values.keys() - old_values.keys():
        tally.added.add(_name(entry))
    for entry in old_values.keys() - new_values.keys():
        tally.removed.add(_name(entry))
    for entry in new_values.keys() & old_values.keys():
        if new_values[entry] != old_values[entry]:
            tally.changed.add(_name(entry))
    old_marks = dict.fromkeys(old_values, HIDDEN)
    new_marks = {
        e: ADDED if e not in old_values else CHANGED if old_values[e] != v else HIDDEN
        for e, v in new_values.items()
    }
    return _masked(old, old_marks), _masked(new, new_marks)


def _values(obj: Any) -> dict[Entry, Any]:
    """Every value of a Secret by where it is. An un-normalized Secret may still carry
    stringData: compared with data's keys (tagged, so equal text is not taken for equal
    base64), never printed."""
    if not isinstance(obj, dict):
        return {}
    out: dict[Entry, Any] = {}
    for name, value in obj.items():
        if name in VALUE_MAPS and isinstance(value, dict):
            out.update({("data", str(k)): (name, v) for k, v in value.items()})
        elif name == "metadata" and isinstance(value, dict):
            out.update({("metadata", k): v for k, v in value.items() if k not in METADATA_SHOWN})
        elif not _shown(name, value):
            out[(str(name),)] = value
    return out


def _shown(name: str, value: Any) -> bool:
    if name in ("apiVersion", "kind", "type"):
        return isinstance(value, str)
    if name == "immutable":
        return isinstance(value, bool) or value is None
    return False


def _name(entry: Entry) -> str:
    return entry[1] if entry[0] == "data" and len(entry) == 2 else ".".join(entry)


def _masked(obj: Any, marks: dict[Entry, str]) -> Any:
    """A copy of ``obj`` keeping only what is shown, with ``marks`` where values were."""
    if not isinstance(obj, dict):
        return obj
    out: KubeObject = {k: clone(v) for k, v in obj.items() if _shown(k, v)}
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        shown = {k: clone(v) for k, v in meta.items() if k in METADATA_SHOWN}
        out["metadata"] = shown
        annotations = shown.get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED in annotations:
            annotations[LAST_APPLIED] = HIDDEN  # it holds every value in clear text
    data = {e[1]: mark for e, mark in marks.items() if e[0] == "data" and len(e) == 2}
    for entry, mark in marks.items():
        if entry[0] == "metadata" and len(entry) == 2:
            out.setdefault("metadata", {})[entry[1]] = mark
        elif len(entry) == 1:
            out[entry[0]] = mark
    if data:
        out["data"] = dict(sorted(data.items()))
    return out
