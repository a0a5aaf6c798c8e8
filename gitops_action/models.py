"""Domain data shared by every step: where a thing came from, which object it is, what changed.

Frozen dataclasses; one key type (``ResourceKey``) everywhere. Raw Kubernetes objects stay
plain ``dict``s (``KubeObject``) because they round-trip through YAML, JSON and the API.
"""

from __future__ import annotations

import copy
import marshal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

from .errors import ManifestError

KubeObject = dict[str, Any]
"""A Kubernetes object as decoded from YAML or JSON."""

Path = tuple[str | int, ...]
"""A JSON path into an object: ``("spec", "template", "spec", "containers", 0, "image")``."""


_T = TypeVar("_T")


def clone(value: _T) -> _T:
    """A deep copy of decoded YAML/JSON (dicts, lists, scalars): marshal round-trips such data
    several times faster than ``copy.deepcopy``, which handles anything and pays for it."""
    try:
        return cast(_T, marshal.loads(marshal.dumps(cast(Any, value))))
    except ValueError:  # something marshal does not know: the general way
        return copy.deepcopy(value)


PlanAction = Literal["create", "update", "delete", "unchanged"]
VerifyAction = Literal["in-sync", "drifted", "missing", "orphaned"]
Action = PlanAction | VerifyAction
Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Source:
    """A place in a file of the repository, 1-based, as editors and GitHub annotations count."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> ``("apps", "v1")``; ``v1`` -> ``("", "v1")``."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True, order=True)
class ResourceKey:
    """Identity of an object: the API version is not part of it (``apps/v1`` and
    ``apps/v1beta2`` name the same Deployment); namespace is ``""`` when cluster-scoped."""

    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> ResourceKey:
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        group, _ = split_api_version(str(obj.get("apiVersion", "")))
        return cls(
            group,
            str(obj.get("kind", "")),
            str(meta.get("namespace") or ""),
            str(meta.get("name", "")),
        )

    @property
    def group_kind(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True, eq=False)
class Manifest:
    """One desired object and where it came from.

    ``positions`` maps JSON paths inside ``obj`` to (line, column) in ``source.path`` when the
    object was read from a file we can point into (plain YAML, Jinja2 output is mapped to its
    template's lines where possible); renderers that only know the file leave it empty.
    """

    obj: KubeObject
    source: Source | None = None
    positions: Mapping[Path, tuple[int, int]] = field(default_factory=dict)

    @property
    def key(self) -> ResourceKey:
        return ResourceKey.of(self.obj)

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    def where(self, path: Path = ()) -> Source | None:
        """The most precise known place of ``path``: the deepest recorded prefix of it."""
        if self.source is None:
            return None
        for end in range(len(path), 0, -1):
            pos = self.positions.get(path[:end])
            if pos is not None:
                return Source(self.source.path, pos[0], pos[1])
        return self.source

    def describe(self, path: Path = ()) -> str:
        """``file:line:col: Kind/ns/name`` for messages; just the key when the place is unknown."""
        where = self.where(path)
        return f"{where}: {self.key}" if where else str(self.key)


def by_key(manifests: Iterable[Manifest]) -> dict[ResourceKey, Manifest]:
    """Manifests by key; the same object twice is an error naming both places."""
    out: dict[ResourceKey, Manifest] = {}
    for manifest in manifests:
        first = out.get(manifest.key)
        if first is not None:
            raise ManifestError(
                f"{manifest.describe()}: defined twice "
                f"(first at {first.source or 'an earlier document'}); remove one of them"
            )
        out[manifest.key] = manifest
    return out


@dataclass(frozen=True)
class Finding:
    """A validation result about one object or file."""

    message: str
    source: Source | None = None
    key: ResourceKey | None = None
    target: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        parts = [str(p) for p in (self.source, self.key) if p is not None]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass(frozen=True, order=True)
class Change:
    """Who last changed some of an object's fields, from its managedFields."""

    manager: str
    operation: str = ""
    time: str = ""
    """When, as the API server recorded it (RFC 3339); ``""`` when it did not (a scale)."""
    subresource: str = ""

    def __str__(self) -> str:
        via = f" via {self.subresource}" if self.subresource else ""
        when = f" at {self.time}" if self.time else ""
        return f"{self.manager} ({self.operation}{via}){when}"


@dataclass(frozen=True)
class Risk:
    """A risky change a named review rule found in one object (``core/rules``): the rule's
    name, which ``review.ignore`` switches off, and what it found, in one sentence."""

    rule: str
    message: str


FactKind = Literal["image", "replicas", "resources", "secret-key", "grants", "binds"]


@dataclass(frozen=True)
class Fact:
    """One thing a reviewer wants at a glance, read from the two objects of a row.

    ``image``: ``container`` runs ``new`` instead of ``old``; ``replicas``: ``old`` -> ``new``;
    ``resources``: ``container``'s ``field`` (``requests.cpu``) ``old`` -> ``new``;
    ``secret-key``: the key ``field`` was ``new`` (added, changed, removed), never a value;
    ``grants``: a Role or ClusterRole grants the powerful verbs ``new`` (``bind,escalate``);
    ``binds``: a binding gives ``new`` (a Role or ClusterRole's key) to more subjects.
    A side that is not set is ``""``.
    """

    what: FactKind
    field: str = ""
    old: str = ""
    new: str = ""
    container: str = ""


@dataclass(frozen=True)
class ResourceDiff:
    """What happens to one object: the row of the plan, the apply and the verify reports."""

    key: ResourceKey
    api_version: str
    action: Action
    diff: str = ""
    warnings: tuple[str, ...] = ()
    source: Source | None = None
    error: str = ""
    notes: tuple[str, ...] = ()
    adopt: bool = False
    """Live exactly as desired but not yet in the inventory: apply adds only the labels."""
    drift: bool = False
    """An update the pull request does not make: the cluster differs from Git."""
    changed_by: tuple[Change, ...] = ()
    """verify: the managers that hold the drifted fields now, and when they wrote."""
    risks: tuple[Risk, ...] = ()
    """Risky changes the review rules found (``core/rules``)."""
    facts: tuple[Fact, ...] = ()
    """What changed, for the at-a-glance section (``core/facts``)."""
    status: str = ""
    """apply: what the run did to the object (``apply/status.py``); ``""`` when nothing
    was to be written (plan, verify, a dry run)."""


@dataclass(frozen=True)
class ReviewedPlan:
    """apply on a push: the plan reviewed on the merged pull request, next to what is applied
    (``report.reviewed``). Fingerprints are ``core.desired``'s (Secret values masked)."""

    pull: int | None
    """The merged pull request; ``None`` when the commit has none (a direct push)."""
    fingerprint: str
    """The desired state this apply renders."""
    reviewed: str = ""
    """What the pull request's plan comment recorded; ``""`` when it has no plan of the target."""

    @property
    def matches(self) -> bool | None:
        """``None`` when there is nothing to compare with."""
        if self.pull is None or not self.reviewed:
            return None
        return self.reviewed == self.fingerprint


@dataclass(frozen=True)
class TargetReport:
    name: str
    resources: tuple[ResourceDiff, ...] = ()
    errors: tuple[str, ...] = ()
    reviewed: ReviewedPlan | None = None
    """apply on a push: the reviewed plan compared (``None``: not checked)."""

    @property
    def changed(self) -> tuple[ResourceDiff, ...]:
        return tuple(r for r in self.resources if r.action not in ("unchanged", "in-sync"))

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for res in self.resources:
            counts[res.action] = counts.get(res.action, 0) + 1
        return counts

    @property
    def warning_count(self) -> int:
        return sum(len(r.warnings) for r in self.resources)


@dataclass(frozen=True)
class Report:
    command: str
    revision: str
    targets: tuple[TargetReport, ...] = ()
    base_revision: str = ""

    @property
    def has_changes(self) -> bool:
        return any(t.changed for t in self.targets)

    @property
    def has_errors(self) -> bool:
        return any(t.errors or any(r.error for r in t.resources) for t in self.targets)
