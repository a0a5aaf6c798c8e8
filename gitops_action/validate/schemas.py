"""Offline OpenAPI schemas: the built-in kinds of Kubernetes 1.36, and CRDs found in a target.

The built-in schemas come from the PyPI package kubernetes-validate, its "strict" variant
(every object that lists its fields forbids others, as ``kubectl --validate=strict`` and the
API server's strict field validation do). Its 1.36 definitions match the ``swagger.json`` of
k8s.io/kubernetes v1.36.3 field for field. We read only ``_definitions.json`` and index it by
the group/version/kind each definition declares, so ``foo.example.com/v1 Ingress`` can never
borrow the schema of ``networking.k8s.io/v1 Ingress``.

Schemas are compiled once into a graph of ``Node``s (cached per definition and per CRD
version); ``schema_check`` walks an object along it.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ..errors import GitopsError
from ..models import split_api_version

KUBERNETES_VERSION = "1.36"
"""The one Kubernetes version whose API the offline schemas describe."""

_DEFINITIONS = f"kubernetes-json-schema/v{KUBERNETES_VERSION}.0-local-strict/_definitions.json"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# Definitions whose meaning the OpenAPI types do not carry (their ``oneOf`` is too loose).
_SPECIAL = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": ("quantity", {"string", "integer", "number"}),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ("int-or-string", {"string", "integer"}),
}
GVK = tuple[str, str, str]
"""``(group, version, kind)``."""


@dataclass(eq=False)
class Node:
    """One compiled schema. ``extra`` is the rule for keys not in ``properties``: a schema for
    their values, or plainly allowed (True) or forbidden (False, "unknown field")."""

    types: frozenset[str] = frozenset()
    fmt: str = ""
    properties: dict[str, Node] = field(default_factory=dict)
    extra: Node | bool = True
    items: Node | None = None
    required: tuple[str, ...] = ()
    enum: tuple[Any, ...] = ()
    limits: dict[str, Any] = field(default_factory=dict)


class Builtins:
    """The built-in API: compiled definitions, and which group/version/kinds exist."""

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._defs = definitions
        self._nodes: dict[str, Node] = {}
        self.kinds: dict[GVK, str] = {}
        for name, schema in definitions.items():
            for gvk in schema.get("x-kubernetes-group-version-kind", ()):
                self.kinds.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
        self.groups = frozenset(group for group, _, _ in self.kinds)

    def node(self, name: str) -> Node:
        node = self._nodes.get(name)
        if node is None:
            # Registered before it is filled: definitions refer to themselves (JSONSchemaProps).
            node = self._nodes[name] = Node()
            if name in _SPECIAL:
                node.fmt, types = _SPECIAL[name]
                node.types = frozenset(types)
            else:
                _fill(node, self._defs[name], self.ref, crd=False)
                node.fmt = "object-meta" if name == OBJECT_META else node.fmt
        return node

    def ref(self, ref: str) -> Node:
        return self.node(ref.rsplit("/", 1)[-1])

    def lookup(self, gvk: GVK) -> Node | None:
        name = self.kinds.get(gvk)
        return self.node(name) if name else None

    def best_version(self, group: str | None, kind: str) -> str:
        """The apiVersion to use for ``kind`` (in ``group``, or in any group): the most
        stable, newest one; ``""`` when the built-in API has no such kind."""
        found = [(g, v) for g, v, k in self.kinds if k == kind and group in (None, g)]
        if not found or kind in ("DeleteOptions", "WatchEvent", "Status"):
            return ""
        g, v = max(found, key=lambda gv: version_priority(gv[1]))
        return f"{g}/{v}" if g else v

    def kinds_in(self, group: str, version: str) -> list[str]:
        return sorted(k for g, v, k in self.kinds if g == group and v == version)


@cache
def builtins() -> Builtins:
    """Loaded on first use (under 0.1 s) and kept for the process."""
    try:
        text = resources.files("kubernetes_validate").joinpath(_DEFINITIONS).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise GitopsError(
            f"the Kubernetes {KUBERNETES_VERSION} schemas are missing ({err}); "
            "reinstall gitops-action with its dependencies (pip install kubernetes-validate)"
        ) from None
    return Builtins(json.loads(text)["$defs"])


def crd_schemas(objects: Iterable[Mapping[str, Any]]) -> dict[GVK, Node]:
    """Compiled ``openAPIV3Schema`` of every served version of the CRDs among ``objects``."""
    meta = builtins().node(OBJECT_META)
    found: dict[GVK, Node] = {}
    for obj in objects:
        if obj.get("kind") != "CustomResourceDefinition" or not isinstance(obj.get("spec"), dict):
            continue
        spec = obj["spec"]
        names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
        group, kind = spec.get("group"), names.get("kind")
        if (
            not isinstance(group, str)
            or not isinstance(kind, str)
            or spec.get("preserveUnknownFields")
        ):
            continue
        for version in spec.get("versions") or ():
            if not isinstance(version, dict) or not version.get("served", True):
                continue
            wrapper = version.get("schema")
            schema = wrapper.get("openAPIV3Schema") if isinstance(wrapper, dict) else None
            if isinstance(schema, dict) and isinstance(version.get("name"), str):
                found[(group, version["name"], kind)] = _crd_root(schema, meta)
    return found


def _crd_root(schema: Mapping[str, Any], meta: Node) -> Node:
    def no_refs(ref: str) -> Node:  # structural schemas have no $ref; accept anything
        return Node()

    root = _fill(Node(), schema, no_refs, crd=True)
    # apiVersion, kind and metadata are the API server's, whatever the CRD's schema says.
    root.properties = {
        **root.properties,
        "apiVersion": Node(frozenset({"string"})),
        "kind": Node(frozenset({"string"})),
        "metadata": meta,
    }
    return root


def _fill(node: Node, schema: Mapping[str, Any], ref: Callable[[str], Node], *, crd: bool) -> Node:
    """Compile the keywords both dialects share: types, fields, items, required, enum."""
    kind = schema.get("type")
    node.types = frozenset([kind] if isinstance(kind, str) else kind or ()) - {"null"}
    node.fmt = str(schema.get("format", ""))
    props = schema.get("properties") or {}
    node.properties = {key: _compile(sub, ref, crd=crd) for key, sub in props.items()}
    if isinstance(schema.get("items"), dict):
        node.items = _compile(schema["items"], ref, crd=crd)
    node.required = tuple(schema.get("required") or ())
    node.enum = tuple(schema.get("enum") or ())
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        node.extra = _compile(extra, ref, crd=crd)
    elif isinstance(extra, bool):
        node.extra = extra
    elif crd:
        # Structural schemas prune (strict validation: reject) fields they do not name.
        node.extra = bool(schema.get("x-kubernetes-preserve-unknown-fields")) or kind != "object"
    if crd:
        _crd_extras(node, schema)
    return node


def _compile(schema: Mapping[str, Any], ref: Callable[[str], Node], *, crd: bool) -> Node:
    if "$ref" in schema:
        return ref(str(schema["$ref"]))
    return _fill(Node(), schema, ref, crd=crd)


_LIMITS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")


def _crd_extras(node: Node, schema: Mapping[str, Any]) -> None:
    """The CRD-only vocabulary: int-or-string, embedded objects, and value limits."""
    if schema.get("x-kubernetes-int-or-string"):
        node.types, node.fmt = frozenset({"integer", "string"}), "int-or-string"
    if schema.get("x-kubernetes-embedded-resource"):
        for key in ("apiVersion", "kind"):
            node.properties.setdefault(key, Node(frozenset({"string"})))
        node.properties.setdefault("metadata", Node(frozenset({"object"})))
    node.limits = {key: schema[key] for key in _LIMITS if isinstance(schema.get(key), int | float)}
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if schema.get(key) is True:
            node.limits[key] = True
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        # ECMA-262 in theory; the few constructs Python lacks just skip the check.
        with contextlib.suppress(re.error):
            node.limits["pattern"] = re.compile(pattern)


def resolve(api_version: str, kind: str, crds: Mapping[GVK, Node]) -> Node | str | None:
    """The schema for this kind; or a message when Kubernetes 1.36 surely lacks the kind
    (a built-in group, a removed version, a typo); or None when there is no schema offline."""
    group, version = split_api_version(api_version)
    gvk = (group, version, kind)
    if gvk in crds:
        return crds[gvk]
    defined = sorted(v for g, v, k in crds if (g, k) == (group, kind))
    if defined:
        return f"{api_version} {kind} is not served: its CRD serves versions {', '.join(defined)}"
    known = builtins()
    node = known.lookup(gvk)
    if node is not None or group not in known.groups or kind.endswith("List"):
        return node
    moved = known.best_version(group, kind) or known.best_version(None, kind)
    if moved:
        return f"{api_version} {kind} is not served by Kubernetes {KUBERNETES_VERSION}; use {moved}"
    match = closest(kind, known.kinds_in(group, version))
    hint = f'; did you mean "{match}"?' if match else ""
    return f'unknown kind "{kind}" in {api_version}{hint}'


_VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")


def version_priority(version: str) -> tuple[int, int, int]:
    """Kubernetes' order of versions: v2 > v1 > v2beta1 > v1beta2 > v1alpha1."""
    match = _VERSION.fullmatch(version)
    if match is None:
        return (-1, 0, 0)
    stability = {"alpha": 0, "beta": 1}.get(match[2] or "", 2)
    return (stability, int(match[1]), int(match[3] or 0))


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be: same letters in another case first
    (``containerport``), then the nearest spelling (``replica``), else None."""
    options = list(choices)
    folded = {c.lower(): c for c in options}
    if word.lower() in folded:
        return folded[word.lower()]
    return next(iter(difflib.get_close_matches(word, options, 1, 0.6)), None)
