"""Which kinds are namespaced: the built-in API of Kubernetes 1.36, and CRDs met in a target.

Rendering gives a target's namespace to the namespaced objects that name none; a cluster-scoped
object must not get one. The built-in scopes below come from the API server's discovery
document of Kubernetes 1.36 (``api/discovery/aggregated_v2.json`` and ``api__v1.json`` in
k8s.io/kubernetes v1.36.3, alpha and beta groups included). A CRD rendered in the same target
decides for its own kind; any other kind is assumed namespaced, as most custom resources are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..models import Manifest

GroupKind = tuple[str, str]
"""``(group, kind)``; the core group is ``""``."""

_CLUSTER_SCOPED: dict[str, tuple[str, ...]] = {
    "": ("ComponentStatus", "Namespace", "Node", "PersistentVolume"),
    "admissionregistration.k8s.io": (
        "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration",
    ),
    "apiextensions.k8s.io": ("CustomResourceDefinition",),
    "apiregistration.k8s.io": ("APIService",),
    "authentication.k8s.io": ("SelfSubjectReview", "TokenReview"),
    "authorization.k8s.io": (
        "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview",
    ),
    "certificates.k8s.io": ("CertificateSigningRequest", "ClusterTrustBundle"),
    "flowcontrol.apiserver.k8s.io": ("FlowSchema", "PriorityLevelConfiguration"),
    "internal.apiserver.k8s.io": ("StorageVersion",),
    "networking.k8s.io": ("IPAddress", "IngressClass", "ServiceCIDR"),
    "node.k8s.io": ("RuntimeClass",),
    "rbac.authorization.k8s.io": ("ClusterRole", "ClusterRoleBinding"),
    "resource.k8s.io": (
        "DeviceClass", "DeviceTaintRule", "ResourcePoolStatusRequest", "ResourceSlice",
    ),
    "scheduling.k8s.io": ("PriorityClass",),
    "storage.k8s.io": (
        "CSIDriver", "CSINode", "StorageClass", "VolumeAttachment", "VolumeAttributesClass",
    ),
    "storagemigration.k8s.io": ("StorageVersionMigration",),
}  # fmt: skip

_NAMESPACED: dict[str, tuple[str, ...]] = {
    "": (
        "Binding", "ConfigMap", "Endpoints", "Event", "LimitRange", "PersistentVolumeClaim",
        "Pod", "PodTemplate", "ReplicationController", "ResourceQuota", "Secret",
        "Service", "ServiceAccount",
    ),
    "apps": ("ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"),
    "authorization.k8s.io": ("LocalSubjectAccessReview",),
    "autoscaling": ("HorizontalPodAutoscaler",),
    "batch": ("CronJob", "Job"),
    "certificates.k8s.io": ("PodCertificateRequest",),
    "coordination.k8s.io": ("Lease", "LeaseCandidate"),
    "discovery.k8s.io": ("EndpointSlice",),
    "events.k8s.io": ("Event",),
    "networking.k8s.io": ("Ingress", "NetworkPolicy"),
    "policy": ("PodDisruptionBudget",),
    "rbac.authorization.k8s.io": ("Role", "RoleBinding"),
    "resource.k8s.io": ("ResourceClaim", "ResourceClaimTemplate"),
    "scheduling.k8s.io": ("PodGroup", "Workload"),
    "storage.k8s.io": ("CSIStorageCapacity",),
}  # fmt: skip

CLUSTER_SCOPED: frozenset[GroupKind] = frozenset(
    (group, kind) for group, kinds in _CLUSTER_SCOPED.items() for kind in kinds
)
"""Built-in cluster-scoped kinds of Kubernetes 1.36."""

NAMESPACED: frozenset[GroupKind] = frozenset(
    (group, kind) for group, kinds in _NAMESPACED.items() for kind in kinds
)
"""Built-in namespaced kinds of Kubernetes 1.36."""

_NO_CRDS: Mapping[GroupKind, bool] = {}


def is_builtin(group: str, kind: str) -> bool:
    """Whether Kubernetes 1.36 serves this kind itself (no CRD needed)."""
    return (group, kind) in CLUSTER_SCOPED or (group, kind) in NAMESPACED


def is_namespaced(group: str, kind: str, crds: Mapping[GroupKind, bool] = _NO_CRDS) -> bool:
    """Whether objects of this kind live in a namespace.

    ``crds`` (from ``crd_scopes``) wins over the built-in table, so that a target's own CRD
    decides; unknown kinds are assumed namespaced.
    """
    scope = crds.get((group, kind))
    if scope is not None:
        return scope
    return (group, kind) not in CLUSTER_SCOPED


def crd_scopes(manifests: Iterable[Manifest]) -> dict[GroupKind, bool]:
    """``{(group, kind): namespaced}`` for every CustomResourceDefinition among ``manifests``."""
    scopes: dict[GroupKind, bool] = {}
    for manifest in manifests:
        obj = manifest.obj
        if obj.get("kind") != "CustomResourceDefinition":
            continue
        if not str(obj.get("apiVersion", "")).startswith("apiextensions.k8s.io/"):
            continue
        spec: Any = obj.get("spec")
        if not isinstance(spec, dict):
            continue
        names = spec.get("names")
        group, kind = spec.get("group"), names.get("kind") if isinstance(names, dict) else None
        if isinstance(group, str) and isinstance(kind, str):
            # The API server rejects any scope but these two; treat others as namespaced,
            # like an unknown kind, and let validation report the CRD.
            scopes[(group, kind)] = spec.get("scope") != "Cluster"
    return scopes
