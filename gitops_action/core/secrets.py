"""Secret values never leave this module: only which keys were added, removed or changed.

No value and no hash of a value is ever put in a diff, comment, report or log; equal values
are compared here, in memory, and replaced by fixed placeholders before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import KubeObject, clone
from .normalize import LAST_APPLIED, is_secret

HIDDEN = "(hidden)"
ADDED = "(hidden, added)"
CHANGED = "(hidden, changed)"


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
    an unchanged key shows ``(hidden)`` on both sides and so no diff line.
    Objects that are not Secrets are returned as they are.
    """
    if not any(o is not None and is_secret(o) for o in (old, new)):
        return old, new, SecretChanges()
    old_data = _data(old)
    new_data = _data(new)
    changes = SecretChanges(
        added=tuple(sorted(k for k in new_data if k not in old_data)),
        removed=tuple(sorted(k for k in old_data if k not in new_data)),
        changed=tuple(sorted(k for k in new_data if k in old_data and new_data[k] != old_data[k])),
    )
    masked_old = _masked(old, {k: HIDDEN for k in old_data})
    masked_new = _masked(
        new,
        {
            k: ADDED if k in changes.added else CHANGED if k in changes.changed else HIDDEN
            for k in new_data
        },
    )
    return masked_old, masked_new, changes


def mask(obj: KubeObject) -> KubeObject:
    """One object with every Secret value hidden (for showing a single side)."""
    return mask_pair(None, obj)[1] or obj


def _data(obj: KubeObject | None) -> dict[str, Any]:
    if obj is None or not is_secret(obj):
        return {}
    data = dict(obj.get("data") or {})
    # An un-normalized object may still carry stringData: compare it too, never print it.
    data.update({k: ("stringData", v) for k, v in (obj.get("stringData") or {}).items()})
    return data


def _masked(obj: KubeObject | None, values: dict[str, str]) -> KubeObject | None:
    if obj is None:
        return None
    out = clone(obj)
    out.pop("stringData", None)
    if values:
        out["data"] = dict(sorted(values.items()))
    else:
        out.pop("data", None)
    annotations = (out.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        annotations[LAST_APPLIED] = HIDDEN  # it holds every value in clear text
    return out
