"""From parsed YAML documents to Manifests that know their place, and from errors to Findings.

Every renderer ends here: a document becomes one Manifest (or one per item of a ``kind: List``),
a file or document that cannot be an object becomes an error Finding with ``file:line:column``,
and kustomize's own configuration files are passed over, because they are not objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.yamlio import Document, load_file
from ..errors import GitopsError
from ..models import Finding, Manifest, Severity, Source, split_api_version

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
    """``kind: List`` (or any ``*List``) of ``apiVersion: v1`` with ``items``, as kubectl
    reads it."""
    return (
        isinstance(data, dict)
        and data.get("apiVersion") == "v1"
        and str(data.get("kind", "")).endswith("List")
        and isinstance(data.get("items"), list)
    )


def not_an_object(data: Any) -> str | None:
    """Why ``data`` cannot be a Kubernetes object, or None when it has apiVersion and kind."""
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else type(data).__name__
        return f"not a Kubernetes object: a YAML {kind} where a mapping was expected"
    missing = [k for k in ("apiVersion", "kind") if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        return f"not a Kubernetes object: missing {' and '.join(missing)}"
    return None


def expand(doc: Document) -> list[Document]:
    """The items of a List as documents of their own (positions re-rooted), or ``[doc]``."""
    if not is_list(doc.data):
        return [doc]
    items: list[Any] = doc.data["items"]
    positions: list[dict[Any, tuple[int, int]]] = [{} for _ in items]
    for path, pos in doc.positions.items():
        if len(path) > 2 and path[0] == "items" and isinstance(path[1], int):
            positions[path[1]][path[2:]] = pos
    out = []
    for index, item in enumerate(items):
        line, column = doc.positions.get(("items", index), (doc.line, doc.column))
        out.append(Document(item, line, column, positions[index]))
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
    """What one rendering produced so far: manifests and findings, in order."""

    target: str
    manifests: list[Manifest] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def finding(self, message: str, source: Source | None, severity: Severity = "error") -> None:
        self.findings.append(Finding(message, source, target=self.target, severity=severity))

    def from_error(self, err: GitopsError, path: str) -> None:
        """A ManifestError/RenderError whose text starts with ``path:line:col:`` as a Finding."""
        place, message = split_place(str(err))
        self.finding(message, place or Source(path))

    def read(self, file: Path, shown: str) -> list[Document]:
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
            problem = not_an_object(item.data)
            place = Source(shown, item.line, item.column)
            if problem:
                self.finding(problem, place)
            else:
                self.manifests.append(Manifest(item.data, place, item.positions))
