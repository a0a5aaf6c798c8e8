"""Walk an object along a compiled schema and say what is wrong, in words a person acts on.

Each problem is ``(path, message)``; ``validate`` turns the path into ``file:line:column`` with
``Manifest.where``. Below a value of the wrong type nothing more is reported (it would only
repeat the first problem). With ``reveal=False`` (Secrets) no value is ever quoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..models import Path
from . import formats
from .schemas import Node, closest

Problem = tuple[Path, str]
"""Where in the object (its JSON path) and what is wrong there."""

_WORDS = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "true or false",
}  # fmt: skip
_INT_RANGE = {"int32": 2**31, "int64": 2**63}
_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


def schema_check(node: Node, obj: Any, *, reveal: bool = True) -> list[Problem]:
    walk = _Walk(reveal)
    walk.value(node, obj, ())
    return walk.problems


def label(path: Path) -> str:
    """``spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]``."""
    out = ""
    for step in path:
        # A YAML 1.1 key such as `on:` is a boolean, which JSON spells "true".
        part = json.dumps(step) if isinstance(step, bool) else step
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out or "the object"


def json_type(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "boolean"
    for python, name in ((int, "integer"), (float, "number"), (str, "string"), (dict, "object")):
        if isinstance(value, python):
            return name
    return "array" if isinstance(value, list) else type(value).__name__


def show(value: Any) -> str:
    """A value as a message quotes it: ``"three"``, ``8080``, ``true``, ``a mapping``."""
    return _Walk(reveal=True).show(value)


class _Walk:
    def __init__(self, reveal: bool) -> None:
        self.reveal = reveal
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    def show(self, value: Any) -> str:
        kind = json_type(value)
        if kind in ("object", "array") or not self.reveal:
            return _WORDS.get(kind, kind)
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:57] + '..."'

    def value(self, node: Node, value: Any, path: Path) -> None:
        if value is None:  # null is "not set" to the API server
            return
        got = json_type(value)
        if node.types and got not in node.types and not _widens(got, value, node.types):
            self.add(
                path,
                f"{label(path)} must be {_expected(node)}, got {self.show(value)}"
                + self.quote_hint(node, value, got),
            )
            return
        if got == "object":
            self.mapping(node, value, path)
        elif got == "array" and node.items is not None:
            for index, item in enumerate(value):
                self.value(node.items, item, (*path, index))
        elif node.fmt:
            self.format(node.fmt, value, path)
        if node.enum and value not in node.enum:
            choices = ", ".join(json.dumps(e) for e in node.enum)
            match = closest(value, map(str, node.enum)) if isinstance(value, str) else None
            hint = f'; did you mean "{match}"?' if match else ""
            self.add(path, f"{label(path)} must be one of {choices}, got {self.show(value)}{hint}")
        if node.limits:
            self.limits(node.limits, value, path)

    def mapping(self, node: Node, value: Mapping[Any, Any], path: Path) -> None:
        for key, item in value.items():
            name = key if isinstance(key, str) else json.dumps(key)
            sub = node.properties.get(name, node.extra)
            if isinstance(sub, Node):
                self.value(sub, item, (*path, key))
            elif sub is False:
                match = closest(name, node.properties)
                hint = f"; did you mean {label((*path, match))}?" if match else ""
                self.add((*path, key), f"unknown field {label((*path, name))}{hint}")
        for name in node.required:
            if value.get(name) is None:
                self.add(path, f"missing required field {label((*path, name))}")
        if node.fmt == "object-meta":
            self.metadata(value, path)

    def format(self, fmt: str, value: Any, path: Path) -> None:
        if fmt in _INT_RANGE and isinstance(value, int | float) and not isinstance(value, bool):
            bound = _INT_RANGE[fmt]
            if not -bound <= value < bound:  # the API server would refuse or wrap it around
                limits = f"between {-bound} and {bound - 1} ({fmt})"
                self.add(path, f"{label(path)} must be {limits}, got {self.show(value)}")
        elif fmt == "quantity" and isinstance(value, str) and not formats.is_quantity(value):
            self.add(
                path,
                f"{label(path)} must be a quantity such as 500m, 0.5, 128Mi or 1Gi, "
                f"got {self.show(value)}",
            )
        elif fmt == "byte" and isinstance(value, str) and not formats.is_base64(value):
            hint = "; for plain text use stringData" if path[:1] == ("data",) else ""
            self.add(path, f"{label(path)} must be base64-encoded{hint}")

    def limits(self, limits: Mapping[str, Any], value: Any, path: Path) -> None:
        if bad := _beyond(limits, value):
            got = str(len(value)) if isinstance(value, list) else self.show(value)
            self.add(path, f"{label(path)} {bad}, got {got}")

    def metadata(self, meta: Mapping[str, Any], path: Path) -> None:
        """Label and annotation rules (apimachinery ValidateLabels, ValidateAnnotations)."""
        labels, notes = meta.get("labels"), meta.get("annotations")
        for key, val in (labels or {}).items() if isinstance(labels, dict) else ():
            at = (*path, "labels", key)
            if problems := formats.qualified_name(str(key)):
                self.add(at, f'{label(at[:-1])} key "{key}" is invalid: {"; ".join(problems)}')
            if isinstance(val, str) and (problems := formats.label_value(val)):
                self.add(at, f'{label(at)} value "{val}" is invalid: {"; ".join(problems)}')
        if not isinstance(notes, dict):
            return
        for key in notes:
            if problems := formats.qualified_name(str(key).lower()):
                at = (*path, "annotations", key)
                self.add(at, f'{label(at[:-1])} key "{key}" is invalid: {"; ".join(problems)}')
        size = sum(len(str(k).encode()) + len(str(v or "").encode()) for k, v in notes.items())
        if size > formats.ANNOTATIONS_MAX_BYTES:
            self.add(
                (*path, "annotations"),
                f"{label((*path, 'annotations'))} total "
                f"{size} bytes, over the limit of {formats.ANNOTATIONS_MAX_BYTES}",
            )

    def quote_hint(self, node: Node, value: Any, got: str) -> str:
        if "string" not in node.types or got not in ("integer", "number", "boolean"):
            return ""
        text = json.dumps(value) if self.reveal else ""
        return f'; quote it: "{text}"' if text else "; quote it"


def _beyond(limits: Mapping[str, Any], value: Any) -> str:
    """The CRD limit (minimum, maxLength, pattern, maxItems...) that ``value`` breaks, or ``""``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = limits.get("minimum"), limits.get("maximum")
        above, below = limits.get("exclusiveMinimum"), limits.get("exclusiveMaximum")
        if low is not None and (value < low or (above and value == low)):
            return f"must be {'more than' if above else 'at least'} {low}"
        if high is not None and (value > high or (below and value == high)):
            return f"must be {'less than' if below else 'at most'} {high}"
    elif isinstance(value, str):
        if len(value) < limits.get("minLength", 0):
            return f"must be at least {limits['minLength']} characters long"
        if len(value) > limits.get("maxLength", len(value)):
            return f"must be at most {limits['maxLength']} characters long"
        if "pattern" in limits and not limits["pattern"].search(value):
            return f"must match the pattern {json.dumps(limits['pattern'].pattern)}"
    elif isinstance(value, list):
        if len(value) < limits.get("minItems", 0):
            return f"must have at least {limits['minItems']} items"
        if len(value) > limits.get("maxItems", len(value)):
            return f"must have at most {limits['maxItems']} items"
    return ""


def _widens(got: str, value: Any, types: frozenset[str]) -> bool:
    """An integer is a number; and ``3.0`` is an integer to server-side apply (it converts
    integral floats, as kubectl's YAML-to-JSON step does; only a POST refuses them)."""
    if got == "integer":
        return "number" in types
    return got == "number" and "integer" in types and float(value).is_integer()


def _expected(node: Node) -> str:
    if node.fmt == "quantity":
        return "a quantity (a number, or a string such as 500m, 0.5, 128Mi or 1Gi)"
    if node.fmt == "int-or-string":
        return "an integer or a string"
    return " or ".join(_WORDS.get(t, t) for t in sorted(node.types))
