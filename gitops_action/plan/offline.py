"""Plan engine: desired objects against a baseline, per target.

Offline (``--no-live``), the baseline is the same target rendered at the base ref, both sides
normalized. The live plan (``live.py``) replaces both sides by objects the API server produced.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..config import Target
from ..core.diff import BASE_HEAD, diff_sets
from ..core.normalize import normalize
from ..core.order import listed
from ..models import KubeObject, Manifest, ResourceKey, TargetReport, by_key


def offline_plan(
    target: Target, head: Iterable[Manifest], base: Iterable[Manifest]
) -> TargetReport:
    desired: dict[ResourceKey, tuple[Manifest, KubeObject]] = {
        key: (m, normalize(m.obj)) for key, m in by_key(head).items()
    }
    baseline = {key: normalize(m.obj) for key, m in by_key(base).items()}
    rows = diff_sets(desired, baseline, labels=BASE_HEAD)
    return TargetReport(name=target.name, resources=tuple(listed(rows)))
