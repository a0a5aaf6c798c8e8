"""From parsed YAML documents to Manifests that know their place, and from errors to Findings.

Every renderer ends here: a document becomes one Manifest (or one per item of a ``kind: List``),
a file or document that cannot be an object becomes an error Finding with ``file:line:column``,
and kustomize's own configuration files are passed over, because they are not objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from ..core.yamlio import Document, load_file
from ..errors import GitopsError
from ..models import Finding, Manifest, Path, Severity, Source, split_api_version
from .confine import Confinement

NOT_OBJECT_GROUPS = frozenset({"kustomize.config.k8s.io", "config.kubernetes.io"})
"""API groups of files that configure kustomize and KRM functions, never sent to a cluster."""

_PLACE = re.compile(r"(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)", re.S)
_KIND_LINE = re.compile(r"""^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(?:#.*)?$""", re.M)


def is_config_document(data: Any) -> bool:
    """Kustomizations, components, transformer configs (``apiVersion: builtin``)."""
    if not isinstance(data, dict):
        return False
    api_version = data.get("apiVersion")
    if not isinstance(api_version, str):
        return False
    return api_version == "builtin" or split_api_version(api_version)[0] in NOT_OBJECT_GROUPS


def is_list(data: Any) -> bool:
    """Any ``*List`` (``List``, ``SecretList``, of any apiVersion) with ``items``: kubectl
    applies the items of every object that has them, and so do we."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("kind"), str)
        and data["kind"].endswith("List")
        and isinstance(data.get("items"), list)
    )


def not_an_object(data: Any) -> tuple[Path, str] | None:
    """Why ``data`` cannot be a Kubernetes object (and the field to point at), or None.

    Besides apiVersion and kind, an object needs a name (a plan row for ``ConfigMap/web/``
    would say nothing, and apply could not write it), metadata that is a mapping, and, for a
    Secret, ``data`` and ``stringData`` that are mappings: the API server refuses anything
    else, and the message never quotes the value (it may be a secret one).
    """
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else type(data).__name__
        return (), f"not a Kubernetes object: a YAML {kind} where a mapping was expected"
    missing = [k for k in ("apiVersion", "kind") if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        return (), f"not a Kubernetes object: missing {' and '.join(missing)}"
    kind = data["kind"]
    meta = data.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        return ("metadata",), f"metadata must be a mapping, got {shape(meta)}"
    name = meta.get("name") if isinstance(meta, dict) else None
    if name is None or name == "":
        generated = isinstance(meta, dict) and meta.get("generateName")
        hint = "; generateName is not supported: apply needs a fixed name" if generated else ""
        return ("metadata",), f"missing metadata.name: every {kind} needs one{hint}"
    if not isinstance(name, str):
        return ("metadata", "name"), f"metadata.name must be a string, got {shape(name)}"
    if kind == "Secret":
        for field_name in ("data", "stringData"):
            value = data.get(field_name)
            if value is not None and not isinstance(value, dict):
                return (field_name,), (
                    f"Secret {field_name} must be a mapping of key: value, got {shape(value)} "
                    "(the value is not shown)"
                )
    return None


def shape(value: Any) -> str:
    """What a value is, in words, never the value itself: ``a string``, ``a list``."""
    if isinstance(value, bool):
        return "true or false"
    words = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number"}
    return next((w for t, w in words.items() if isinstance(value, t)), "null")


def expand(doc: Document) -> list[Document]:
    """The items of a List as documents of their own (positions re-rooted; Lists in Lists
    expanded too), or ``[doc]``. Items that name neither apiVersion nor kind take the List's
    (``SecretList`` items are Secrets), as kubectl reads them."""
    if not is_list(doc.data):
        return [doc]
    items: list[Any] = doc.data["items"]
    item_kind = doc.data["kind"].removesuffix("List")
    api_version = doc.data.get("apiVersion")
    positions: list[dict[Any, tuple[int, int]]] = [{} for _ in items]
    for path, pos in doc.positions.items():
        if len(path) > 2 and path[0] == "items" and isinstance(path[1], int):
            positions[path[1]][path[2:]] = pos
    out = []
    for index, item in enumerate(items):
        line, column = doc.positions.get(("items", index), (doc.line, doc.column))
        data = item
        if isinstance(item, dict) and item_kind and "kind" not in item and "apiVersion" not in item:
            data = {"apiVersion": api_version, "kind": item_kind, **item}
        out.extend(expand(Document(data, line, column, positions[index])))
    return out


def split_place(text: str) -> tuple[Source | None, str]:
    """``"a.yaml:3:5: bad"`` -> ``(Source("a.yaml", 3, 5), "bad")``, as yamlio words errors."""
    match = _PLACE.fullmatch(text)
    if match is None:
        return None, text
    return Source(match["path"], int(match["line"]), int(match["column"])), match["message"]


def kind_lines(text: str) -> dict[str, list[int]]:
    """Lines (1-based) of top-level ``kind: X`` in a template, by kind, in order."""
    found: dict[str, list[int]] = {}
    for match in _KIND_LINE.finditer(text):
        found.setdefault(match.group(1), []).append(text.count("\n", 0, match.start()) + 1)
    return found


@dataclass
class Collector:
    """What one rendering produced so far: manifests and findings, in order; ``confine`` is
    the repository as the render may read it (and what it read)."""

    target: str
    confine: Confinement
    manifests: list[Manifest] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    inputs_known: bool = True
    """False when the render read something no path names (a kustomize remote base)."""

    def finding(self, message: str, source: Source | None, severity: Severity = "error") -> None:
        self.findings.append(Finding(message, source, target=self.target, severity=severity))

    def from_error(self, err: GitopsError, path: str) -> None:
        """A ManifestError/RenderError whose text starts with ``path:line:col:`` as a Finding."""
        place, message = split_place(str(err))
        self.finding(message, place or Source(path))

    def refuse(self, err: GitopsError) -> None:
        """A path the render may not read (``confine``): its message names the place."""
        self.from_error(err, self.target)

    def read(self, file: FilePath, shown: str) -> list[Document]:
        """The documents of ``file``; a read, encoding or syntax error becomes a Finding."""
        try:
            return load_file(file.read_bytes(), shown)
        except GitopsError as err:
            self.from_error(err, shown)
        except OSError as err:
            self.finding(f"cannot read: {err.strerror}", Source(shown))
        return []

    def add(self, doc: Document, shown: str) -> None:
        """One document of ``shown``: a Manifest per object, a Finding per non-object."""
        if is_config_document(doc.data):
            return
        for item in expand(doc):
            self.add_object(item.data, Source(shown, item.line, item.column), item.positions)

    def add_object(
        self,
        data: Any,
        place: Source,
        positions: Mapping[Path, tuple[int, int]] | None = None,
    ) -> None:
        """A Manifest, or a Finding at the field that keeps ``data`` from being an object."""
        positions = positions or {}
        problem = not_an_object(data)
        if problem is None:
            self.manifests.append(Manifest(data, place, positions))
            return
        path, message = problem
        at = positions.get(path) if path else None
        self.finding(message, Source(place.path, *at) if at else place)
