"""Apply, one phase: write its objects in parallel and say what happened to each.

Each object is applied as its dry-run was (member label; forced only where the dry-run met,
and reported, a conflict). What the server refused is a rejection: the commit's fault. What
got no answer (the server unreachable after the adapter's retries, or a 5xx) may have been
written all the same: it is read back (``readback``), and stays ``unknown`` if it cannot be.
Once the server stops answering, the rest of the phase is not sent at all: certainly not
written.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..cluster.assess import Assessment
from ..cluster.inventory import label_member
from ..cluster.objects import parallel
from ..cluster.writes import Written, apply_one
from ..config import Target
from ..errors import ApiError, ClusterError, ServerError, Unreachable
from ..models import KubeObject, Manifest, ResourceKey
from ..ports import ApiResource, Cluster
from . import readback


@dataclass(frozen=True)
class Phase:
    """What writing one phase did, object by object (the others were not sent)."""

    written: Mapping[ResourceKey, Written]
    """Answered by the server, or read back as written."""
    rejected: Mapping[ResourceKey, ApiError]
    unknown: tuple[ResourceKey, ...]
    """Sent; no answer, and not readable since."""
    lost: ClusterError | None
    """Why the phase stopped: the server stopped answering (``None``: it did not)."""


def write(
    cluster: Cluster,
    target: Target,
    assessment: Assessment,
    keys: Sequence[ResourceKey],
    resources: Mapping[ResourceKey, ApiResource],
    answers: Mapping[ResourceKey, Written],
) -> Phase:
    """Write ``keys`` (their served kinds in ``resources``, their dry-runs in ``answers``)."""
    manifests: Mapping[ResourceKey, Manifest] = assessment.manifests
    away = threading.Event()  # the server stopped answering: send nothing more

    def one(key: ResourceKey) -> Written | ClusterError | None:
        if away.is_set():
            return None
        obj = label_member(manifests[key].obj, assessment.inventory.id)
        answer = answers.get(key)
        try:
            return apply_one(
                cluster, target, obj, resources[key],
                dry_run=False, force=bool(answer and answer.warnings),
            )  # fmt: skip
        except ClusterError as err:
            if not rejected(err):
                away.set()
            return err

    written: dict[ResourceKey, Written] = {}
    refused: dict[ResourceKey, ApiError] = {}
    lost: ClusterError | None = None
    sent: dict[ResourceKey, tuple[ApiResource, KubeObject | None]] = {}
    for key, result in zip(keys, parallel(one, keys), strict=True):
        if result is None:
            continue  # never sent
        if isinstance(result, Written):
            written[key] = result
        elif isinstance(result, ApiError) and rejected(result):
            refused[key] = result
        else:
            lost = lost or result
            if not isinstance(result, Unreachable) or result.sent:  # it may have been written
                answer = answers.get(key)
                sent[key] = (resources[key], answer.obj if answer else None)
    found = readback.writes(cluster, assessment.inventory, sent) if sent else readback.Found()
    written.update({k: Written(live) for k, live in found.done.items() if live is not None})
    return Phase(written, refused, found.unknown, lost)


def rejected(err: ClusterError) -> bool:
    """The server answered, and refused (a 5xx is no answer: the write may have happened)."""
    return isinstance(err, ApiError) and not isinstance(err, ServerError)
