"""Objects that wait for the first phase: custom resources of a CRD this apply creates.

Their kind is not served until the CRD is Established and discovery lists it; objects in a
Namespace this apply creates only wait for that Namespace, which the first phase writes. Once
the first phase is in, ``settle`` waits for this target's CRDs and for discovery to serve the
waiting kinds, so that they can be dry-run (``cluster.assess.judge``) and written.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..cluster import health
from ..cluster.assess import Assessment
from ..models import ResourceKey
from ..ports import ApiResource, Cluster

CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
DISCOVERY_POLL = 0.5


def settle(
    cluster: Cluster,
    assessment: Assessment,
    timeout: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[ResourceKey, ApiResource], str]:
    """The served kind of every waiting object, once this target's CRDs are Established and
    discovery serves their kinds, and ``""``; or what is still missing after ``timeout``."""
    crds = {k: r for k, r in assessment.resources.items() if (k.group, k.kind) == CRD}
    if crds:
        unready, _ = health.wait(cluster, crds, timeout)
        if unready:
            return {}, "; ".join(
                f"{k}: not Established after {timeout:g}s: {v.reason}"
                for k, v in sorted(unready.items())
            )
    deferred = assessment.deferred
    custom = assessment.placement.custom
    resources = {k: assessment.resources[k] for k in deferred - custom}
    deadline = time.monotonic() + timeout
    missing = sorted(custom)
    while missing:
        cluster.refresh_discovery()
        for key in list(missing):
            manifest = assessment.manifests[key]
            resource = cluster.resource(manifest.api_version, key.kind)
            if resource is not None:
                resources[key] = resource
                missing.remove(key)
        if missing and time.monotonic() >= deadline:
            return {}, "; ".join(
                f"{assessment.manifests[k].describe()}: its CRD is Established but the server "
                f"does not serve {assessment.manifests[k].api_version} {k.kind}: check the "
                "apiVersion against the CRD's served versions"
                for k in missing
            )
        if missing:
            sleep(DISCOVERY_POLL)
    return resources, ""
