"""What changed in one object, as facts for the at-a-glance section: images, replicas,
resource requests and limits, Secret keys rotated (names only), and the RBAC facts that
``core/review`` matches across rows.

Read from the same normalized objects as the diff; Secret facts come from ``secrets``'s
per-key comparison, so no value is ever read here.
"""

from __future__ import annotations

from ..models import Fact, KubeObject, ResourceKey
from .podspec import containers, mapping, pod_spec, replicas
from .rules.base import Change
from .rules.rbac import rbac_facts
from .secrets import SecretChanges

RESOURCE_SECTIONS = ("requests", "limits")


def facts(
    key: ResourceKey,
    old: KubeObject | None,
    new: KubeObject | None,
    secrets: SecretChanges | None = None,
    *,
    unchanged: bool = False,
) -> tuple[Fact, ...]:
    """The facts of one row; for an ``unchanged`` object only the RBAC ones (a role's powers
    matter to a binding elsewhere in the plan)."""
    out = rbac_facts(Change(key, old, new))
    if unchanged or old is None or new is None:
        return tuple(out)
    before, after = replicas(key, old), replicas(key, new)
    if before != after and before is not None and after is not None:
        out.append(Fact("replicas", old=str(before), new=str(after)))
    old_pods = containers(pod_spec(key, old))
    for name, container in containers(pod_spec(key, new)).items():
        previous = old_pods.get(name)
        if previous is not None:
            out.extend(_container_facts(name, previous, container))
    for what, names in (
        ("added", secrets.added if secrets else ()),
        ("changed", secrets.changed if secrets else ()),
        ("removed", secrets.removed if secrets else ()),
    ):
        out.extend(Fact("secret-key", field=n, new=what) for n in names)
    return tuple(out)


def _container_facts(name: str, old: KubeObject, new: KubeObject) -> list[Fact]:
    out = []
    if old.get("image") != new.get("image"):
        out.append(
            Fact(
                "image",
                old=str(old.get("image", "")),
                new=str(new.get("image", "")),
                container=name,
            )
        )
    for section in RESOURCE_SECTIONS:
        before = mapping(mapping(old.get("resources")).get(section))
        after = mapping(mapping(new.get("resources")).get(section))
        for resource in sorted(before.keys() | after.keys()):
            if before.get(resource) != after.get(resource):
                out.append(
                    Fact(
                        "resources",
                        field=f"{section}.{resource}",
                        old=str(before.get(resource, "")),
                        new=str(after.get(resource, "")),
                        container=name,
                    )
                )
    return out
