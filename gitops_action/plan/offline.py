"""Plan engine: desired objects against a baseline, per target.

Offline (``--no-live``), the baseline is the same target rendered at the base ref, both sides
normalized. The live plan (``live.py``) replaces both sides by objects the API server produced.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..config import Target
from ..core.diff import Labels, diff_sets
from ..core.normalize import normalize
from ..errors import ManifestError
from ..models import KubeObject, Manifest, ResourceKey, TargetReport

OFFLINE_LABELS = Labels(old="base", new="head")


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


def offline_plan(
    target: Target, head: Iterable[Manifest], base: Iterable[Manifest]
) -> TargetReport:
    desired: dict[ResourceKey, tuple[Manifest, KubeObject]] = {
        key: (m, normalize(m.obj)) for key, m in by_key(head).items()
    }
    baseline = {key: normalize(m.obj) for key, m in by_key(base).items()}
    rows = diff_sets(desired, baseline, labels=OFFLINE_LABELS)
    return TargetReport(name=target.name, resources=tuple(rows))
