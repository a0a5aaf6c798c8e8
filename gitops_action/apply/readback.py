"""What a write or a deletion did when its answer never came: read it back.

A request whose connection broke may have been carried out before the break: the adapter's
retries then failed too, so its outcome is unknown (the server once finished six writes that
were reported "not applied"). Read back with a GET once the server answers again, a write took
when the live values of the fields we own are the ones the server's dry-run answered (the
inventory's live fingerprint of both: the same projection the record keeps); a deletion took
when the object is gone or being deleted. What cannot be read stays unknown, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..cluster.inventory import Inventory
from ..cluster.objects import parallel
from ..errors import ClusterError
from ..models import KubeObject, ResourceKey
from ..ports import ApiResource, Cluster


@dataclass(frozen=True)
class Found:
    """Unknown outcomes, resolved where the server answered."""

    done: Mapping[ResourceKey, KubeObject | None] = field(default_factory=dict)
    """Took effect: the live object (``None`` for a deletion)."""
    undone: tuple[ResourceKey, ...] = ()
    """Did not take effect."""
    unknown: tuple[ResourceKey, ...] = ()
    """Could not be read back."""


def writes(
    cluster: Cluster,
    inventory: Inventory,
    sent: Mapping[ResourceKey, tuple[ApiResource, KubeObject | None]],
) -> Found:
    """Per key, the served kind and the server's dry-run answer for what was sent."""

    def took(key: ResourceKey) -> tuple[bool, KubeObject | None]:
        resource, answer = sent[key]
        live = cluster.get(resource, key.namespace, key.name)
        if live is None or answer is None:
            return False, live
        return inventory.live_fingerprint(live) == inventory.live_fingerprint(answer), live

    return _resolve(list(sent), took)


def deletions(cluster: Cluster, sent: Mapping[ResourceKey, ApiResource]) -> Found:
    """Per key, the served kind of what a deletion was sent for."""

    def took(key: ResourceKey) -> tuple[bool, KubeObject | None]:
        live = cluster.get(sent[key], key.namespace, key.name)
        gone = live is None or bool((live.get("metadata") or {}).get("deletionTimestamp"))
        return gone, None

    return _resolve(list(sent), took)


def _resolve(
    keys: Sequence[ResourceKey],
    took: Callable[[ResourceKey], tuple[bool, KubeObject | None]],
) -> Found:
    def attempt(key: ResourceKey) -> tuple[bool, KubeObject | None] | ClusterError:
        try:
            return took(key)
        except ClusterError as err:
            return err

    done: dict[ResourceKey, KubeObject | None] = {}
    undone: list[ResourceKey] = []
    unknown: list[ResourceKey] = []
    for key, result in zip(keys, parallel(attempt, keys), strict=True):
        if isinstance(result, ClusterError):
            unknown.append(key)
        elif result[0]:
            done[key] = result[1]
        else:
            undone.append(key)
    return Found(done, tuple(undone), tuple(unknown))
