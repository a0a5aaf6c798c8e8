"""Field sets of server-side apply (``managedFields[].fieldsV1``): who owns which field.

A field set is a tree whose keys are ``f:<field>``, ``k:<json keys of a list item>``,
``v:<json value of a set item>``, ``i:<index>`` and ``.`` (the node itself). We use it to
project an object onto the fields one manager owns (to fingerprint our own values cheaply)
and to drop the fields of managers the configuration says to ignore.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from ..models import KubeObject

FieldSet = Mapping[str, Any]


def owned_by(obj: KubeObject, manager: str, operation: str | None = "Apply") -> FieldSet:
    """The union of the field sets ``manager`` holds on ``obj`` (for one operation, or all)."""
    merged: dict[str, Any] = {}
    for entry in (obj.get("metadata") or {}).get("managedFields") or ():
        if entry.get("manager") != manager:
            continue
        if operation is not None and entry.get("operation") != operation:
            continue
        if entry.get("subresource"):  # status and scale are other objects' business
            continue
        _merge(merged, entry.get("fieldsV1") or {})
    return merged


def managers(obj: KubeObject) -> set[str]:
    return {str(e.get("manager")) for e in (obj.get("metadata") or {}).get("managedFields") or ()}


def _merge(into: dict[str, Any], tree: Mapping[str, Any]) -> None:
    for key, sub in tree.items():
        _merge(into.setdefault(key, {}), sub)


def project(value: Any, fields: FieldSet) -> Any:
    """The values of ``value`` at the fields of ``fields``, keyed by the field-set keys (so two
    projections compare equal exactly when the owned values are equal)."""
    out: dict[str, Any] = {}
    for key, sub in sorted(fields.items()):
        if key == ".":
            continue
        child = _child(value, key)
        if child is _MISSING:
            out[key] = None if not sub else {}
        elif not sub or set(sub) == {"."}:
            out[key] = child
        else:
            out[key] = project(child, sub)
    return out


def drop(value: Any, fields: FieldSet, keep: FieldSet | None = None) -> None:
    """Remove, in place, the leaves of ``fields`` from ``value``, except where ``keep`` (our
    own field set) also holds the leaf or something below it."""
    for key, sub in fields.items():
        child = _child(value, key) if key != "." else _MISSING
        if child is _MISSING:
            continue
        kept = keep.get(key) if keep is not None else None
        if sub and set(sub) != {"."}:
            drop(child, sub, kept)
        elif kept is None:
            _remove(value, key, child)


_MISSING = object()


@functools.lru_cache(maxsize=4096)
def _item_key(text: str) -> tuple[tuple[str, Any], ...]:
    """``{"name":"web"}`` of a ``k:`` key, parsed once: every Deployment has the same ones."""
    return tuple(json.loads(text).items())


@functools.lru_cache(maxsize=8192)
def _split(key: str) -> tuple[str, str]:
    """``("f", "replicas")`` of ``f:replicas``: the same few hundred keys, millions of times."""
    kind, _, rest = key.partition(":")
    return kind, rest


def _child(value: Any, key: str) -> Any:
    kind, rest = _split(key)
    if kind == "f":
        return value.get(rest, _MISSING) if type(value) is dict else _MISSING
    if isinstance(value, list):
        if kind == "k":
            pairs = _item_key(rest)
            for item in value:
                if isinstance(item, dict) and all(item.get(k) == v for k, v in pairs):
                    return item
            return _MISSING
        if kind == "v":
            wanted = json.loads(rest)
            return next((i for i in value if i == wanted), _MISSING)
        if kind == "i" and rest.isdigit() and int(rest) < len(value):
            return value[int(rest)]
    return _MISSING


def _remove(parent: Any, key: str, child: Any) -> None:
    if isinstance(parent, dict):
        parent.pop(key.partition(":")[2], None)
    elif isinstance(parent, list):
        for index, item in enumerate(parent):
            if item is child:
                del parent[index]
                return


def overlap(one: FieldSet, other: FieldSet) -> bool:
    """Whether two field sets share a field (a leaf of one at or below a node of the other)."""
    for key, sub in one.items():
        if key == "." or key not in other:
            continue
        theirs = other[key]
        if not sub or not theirs or set(sub) == {"."} or set(theirs) == {"."}:
            return True
        if overlap(sub, theirs):
            return True
    return False


def entries(obj: KubeObject) -> list[dict[str, Any]]:
    """The object's managedFields entries, subresources (scale, status) included."""
    found = (obj.get("metadata") or {}).get("managedFields") or ()
    return [e for e in found if isinstance(e, dict)]
