"""The inventory of a target: an ApplySet parent (KEP-3659) with our own records in it.

The parent is a Secret ``gitops-action-<target>`` in the target's namespace, labelled with the
ApplySet id; every member carries ``applyset.kubernetes.io/part-of: <id>``, so ``kubectl``'s
ApplySet support understands it, and pruning never touches an object without that label.

The parent also records, per member, two fingerprints taken at apply time: of the rendered
object (did Git change since?) and of the live values of the fields we own (did the cluster
change since?). When both still match, plan and verify know the object is unchanged without a
dry-run. Fingerprints are HMACs keyed by a random per-target salt kept in the same Secret, so
no unsalted hash of a Secret value is ever stored.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import FIELD_MANAGER
from ..core.fieldsets import owned_by, project
from ..core.normalize import normalize
from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster

PART_OF = "applyset.kubernetes.io/part-of"
APPLYSET_ID = "applyset.kubernetes.io/id"
TOOLING = "applyset.kubernetes.io/tooling"
CONTAINS = "applyset.kubernetes.io/contains-group-kinds"
ADDITIONAL_NAMESPACES = "applyset.kubernetes.io/additional-namespaces"
TARGET_LABEL = "gitops-action.io/target"
REVISION_ANNOTATION = "gitops-action.io/revision"
TOOLING_VALUE = "gitops-action/v1"
DATA_KEY = "inventory.json.gz"
SALT_KEY = "salt"
PARENT = ApiResource(group="", version="v1", kind="Secret", plural="secrets", namespaced=True)


def parent_name(target: str) -> str:
    return f"gitops-action-{target}"


def applyset_id(name: str, namespace: str, kind: str = "Secret", group: str = "") -> str:
    """The KEP-3659 id: ``applyset-<base64url(sha256(name.namespace.kind.group))>-v1``."""
    digest = hashlib.sha256(f"{name}.{namespace}.{kind}.{group}".encode()).digest()
    return f"applyset-{base64.urlsafe_b64encode(digest).decode().rstrip('=')}-v1"


@dataclass(frozen=True)
class Member:
    api_version: str
    desired: str
    """Fingerprint of the normalized rendered object that was applied."""
    live: str
    """Fingerprint of the live values of the fields we own, right after the apply."""
    version: str = ""
    """The live object's resourceVersion when ``live`` was taken: while it is the same, the
    object is byte for byte the same, and ``live`` holds without projecting it again."""


@dataclass(frozen=True)
class Inventory:
    target: str
    namespace: str
    revision: str = ""
    salt: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
    members: Mapping[ResourceKey, Member] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return parent_name(self.target)

    @property
    def id(self) -> str:
        return applyset_id(self.name, self.namespace)

    def fingerprint(self, value: Any) -> str:
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(self.salt.encode(), canonical.encode(), hashlib.sha256).hexdigest()[:32]

    def desired_fingerprint(self, rendered: KubeObject) -> str:
        return self.fingerprint(normalize(rendered))

    def live_fingerprint(self, live: KubeObject) -> str:
        return self.fingerprint(project(live, owned_by(live, FIELD_MANAGER)))

    def unchanged(self, key: ResourceKey, rendered: KubeObject, live: KubeObject | None) -> bool:
        """True when Git and the cluster are both as they were right after the last apply."""
        member = self.members.get(key)
        if member is None or live is None:
            return False
        if member.desired != self.desired_fingerprint(rendered):
            return False
        version = (live.get("metadata") or {}).get("resourceVersion")
        return (member.version and version == member.version) or (
            member.live == self.live_fingerprint(live)
        )

    def parent(self, group_kinds: Iterable[str] = (), namespaces: Iterable[str] = ()) -> KubeObject:
        """The parent Secret to apply, with the ApplySet labels and annotations and our records."""
        records = {
            "|".join((k.group, k.kind, k.namespace, k.name)): [
                m.api_version,
                m.desired,
                m.live,
                *([m.version] if m.version else []),
            ]
            for k, m in sorted(self.members.items())
        }
        kinds = sorted(set(group_kinds) | {k.group_kind for k in self.members})
        others = sorted(
            (set(namespaces) | {k.namespace for k in self.members}) - {self.namespace, ""}
        )
        blob = gzip.compress(json.dumps({"version": 1, "members": records}).encode(), mtime=0)
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": {APPLYSET_ID: self.id, TARGET_LABEL: self.target},
                "annotations": {
                    TOOLING: TOOLING_VALUE,
                    CONTAINS: ",".join(kinds),
                    ADDITIONAL_NAMESPACES: ",".join(others),
                    REVISION_ANNOTATION: self.revision,
                },
            },
            "type": "gitops-action.io/inventory",
            "data": {
                DATA_KEY: base64.b64encode(blob).decode(),
                SALT_KEY: base64.b64encode(self.salt.encode()).decode(),
            },
        }


def from_parent(target: str, obj: KubeObject) -> Inventory:
    meta = obj.get("metadata") or {}
    data = obj.get("data") or {}
    salt = base64.b64decode(data.get(SALT_KEY, "")).decode() or secrets.token_hex(16)
    members: dict[ResourceKey, Member] = {}
    if DATA_KEY in data:
        doc = json.loads(gzip.decompress(base64.b64decode(data[DATA_KEY])))
        for raw_key, fields in doc.get("members", {}).items():
            group, kind, namespace, name = raw_key.split("|", 3)
            members[ResourceKey(group, kind, namespace, name)] = Member(*fields[:4])
    return Inventory(
        target=target,
        namespace=str(meta.get("namespace", "")),
        revision=str((meta.get("annotations") or {}).get(REVISION_ANNOTATION, "")),
        salt=salt,
        members=members,
    )


@dataclass(frozen=True)
class Recorded:
    """The live ApplySet parent (``None`` before the first apply) and what it records (a new,
    empty inventory before the first apply: same id, same namespace)."""

    parent: KubeObject | None
    inventory: Inventory


def read(cluster: Cluster, target: str, namespace: str) -> Recorded:
    """The target's inventory as the cluster holds it now."""
    obj = cluster.get(PARENT, namespace, parent_name(target))
    inventory = from_parent(target, obj) if obj is not None else Inventory(target, namespace)
    return Recorded(obj, inventory)


def contains_group_kinds(parent: KubeObject) -> list[str]:
    raw = str(((parent.get("metadata") or {}).get("annotations") or {}).get(CONTAINS, ""))
    return [k for k in raw.split(",") if k]


def label_member(obj: KubeObject, inventory_id: str) -> KubeObject:
    """A copy of ``obj`` carrying the part-of label."""
    meta = dict(obj.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), PART_OF: inventory_id}
    return {**obj, "metadata": meta}


def member_scopes(
    cluster: Cluster, inventory: Inventory, parent: KubeObject | None
) -> set[tuple[ApiResource, str]]:
    """Every kind and namespace the ApplySet spans: the group-kinds its parent records (a
    superset written before any member) and those of its recorded members, in the parent's
    namespace, its additional namespaces and the members' namespaces."""
    kinds = set(contains_group_kinds(parent) if parent else ())
    kinds |= {k.group_kind for k in inventory.members}
    annotations = ((parent or {}).get("metadata") or {}).get("annotations") or {}
    raw = str(annotations.get(ADDITIONAL_NAMESPACES, ""))
    namespaces = {inventory.namespace, *(n for n in raw.split(",") if n)}
    namespaces |= {k.namespace for k in inventory.members if k.namespace}
    served = {(r.group, r.kind): r for r in cluster.resources()}
    scopes: set[tuple[ApiResource, str]] = set()
    for group_kind in sorted(kinds):
        kind, _, group = group_kind.partition(".")
        resource = served.get((group, kind))
        if resource is None:  # its CRD is gone, and its objects with it
            continue
        scopes.update((resource, ns) for ns in (namespaces if resource.namespaced else {""}))
    return scopes
