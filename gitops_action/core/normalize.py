"""Strip what the server adds, so that two objects differ only where a human changed them.

Pure functions over plain dicts; the input is never modified. Secret values are handled by
``secrets.mask_pair`` afterwards: normalization only puts them in one canonical form
(``stringData`` folded into base64 ``data``) so that equal values compare equal.
"""

from __future__ import annotations

import base64
from typing import Any

from ..models import KubeObject, clone

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

_METADATA_NOISE = (
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
_ANNOTATION_NOISE = (
    LAST_APPLIED,
    # Written by controllers, never by Git: a revision counter and a template hash.
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
)


def normalize(obj: KubeObject) -> KubeObject:
    """A copy of ``obj`` without server noise, status, and empty metadata maps."""
    out = clone(obj)
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in _METADATA_NOISE:
            meta.pop(key, None)
        for key in ("annotations", "labels"):
            values = meta.get(key)
            if isinstance(values, dict):
                for noise in _ANNOTATION_NOISE if key == "annotations" else ():
                    values.pop(noise, None)
            if not meta.get(key):
                meta.pop(key, None)
        if not meta.get("namespace"):
            meta.pop("namespace", None)
    if is_secret(out):
        fold_string_data(out)
    return out


def is_secret(obj: KubeObject) -> bool:
    return obj.get("kind") == "Secret" and str(obj.get("apiVersion", "")) == "v1"


def fold_string_data(secret: KubeObject) -> None:
    """Merge ``stringData`` into ``data`` as the API server does (stringData wins)."""
    string_data = secret.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = secret.get("data")
        data = dict(data) if isinstance(data, dict) else {}
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        secret["data"] = data
    if not secret.get("data"):
        secret.pop("data", None)


def get_path(obj: Any, pointer: str) -> Any:
    """The value at a JSON pointer (``/spec/replicas``), or ``None``."""
    current = obj
    for part in _pointer_parts(pointer):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def drop_path(obj: Any, pointer: str) -> None:
    """Remove the field at a JSON pointer in place; ``*`` matches every list item or key."""
    parts = _pointer_parts(pointer)
    if parts:
        _drop(obj, parts)


def _drop(node: Any, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        children = list(node) if head == "*" else [head] if head in node else []
        for key in children:
            if rest:
                _drop(node[key], rest)
            else:
                del node[key]
    elif isinstance(node, list):
        indexes = range(len(node)) if head == "*" else [int(head)] if head.isdigit() else []
        for index in sorted((i for i in indexes if i < len(node)), reverse=True):
            if rest:
                _drop(node[index], rest)
            else:
                del node[index]


def _pointer_parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/") if p]
