"""Apply and delete order: which phase each kind belongs to.

Objects are written phase by phase, each phase in parallel, so that what an object needs exists
before it: a Namespace before what lives in it, a CRD (Established, discovery refreshed) before
its custom resources, RBAC and ServiceAccounts before the pods that run as them, ConfigMaps and
Secrets before the pods that mount them, Services before the workloads that look them up.
Admission webhooks and policies come last, so that a webhook whose backend is deployed by the
same apply cannot reject (or, with ``failurePolicy: Fail``, block) the rest of it. Deletions run
the phases in reverse: webhooks go first, Namespaces and CRDs last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from ..models import ResourceKey

_RBAC = "rbac.authorization.k8s.io"
_ADMISSION = "admissionregistration.k8s.io"

PHASES: tuple[tuple[str, frozenset[tuple[str, str]]], ...] = (
    (
        "namespaces and CRDs",
        frozenset({("", "Namespace"), ("apiextensions.k8s.io", "CustomResourceDefinition")}),
    ),
    (
        # Quotas, limits and classes are read by admission when pods and claims are created.
        "RBAC and cluster policy",
        frozenset({
            (_RBAC, "ClusterRole"), (_RBAC, "ClusterRoleBinding"),
            (_RBAC, "Role"), (_RBAC, "RoleBinding"),
            ("", "ResourceQuota"), ("", "LimitRange"),
            ("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"),
            ("storage.k8s.io", "StorageClass"), ("networking.k8s.io", "IngressClass"),
        }),
    ),
    ("service accounts", frozenset({("", "ServiceAccount")})),
    (
        "configuration and storage",
        frozenset({
            ("", "ConfigMap"), ("", "Secret"),
            ("", "PersistentVolume"), ("", "PersistentVolumeClaim"),
        }),
    ),
    ("services", frozenset({("", "Service")})),
    (
        "workloads",
        frozenset({
            ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
            ("apps", "ReplicaSet"), ("", "ReplicationController"), ("", "Pod"),
            ("batch", "Job"), ("batch", "CronJob"),
        }),
    ),
    ("everything else", frozenset()),
    (
        "admission webhooks and policies",
        frozenset({
            (_ADMISSION, "MutatingWebhookConfiguration"),
            (_ADMISSION, "ValidatingWebhookConfiguration"),
            (_ADMISSION, "ValidatingAdmissionPolicy"),
            (_ADMISSION, "ValidatingAdmissionPolicyBinding"),
            (_ADMISSION, "MutatingAdmissionPolicy"),
            (_ADMISSION, "MutatingAdmissionPolicyBinding"),
        }),
    ),
)  # fmt: skip


class _Keyed(Protocol):
    @property
    def key(self) -> ResourceKey: ...

    @property
    def action(self) -> str: ...


_Row = TypeVar("_Row", bound=_Keyed)

FIRST = 0
"""The phase of Namespaces and CRDs: what later phases' dry-runs may need to exist."""
_REST = next(i for i, (name, _) in enumerate(PHASES) if name == "everything else")
_INDEX = {gk: index for index, (_, kinds) in enumerate(PHASES) for gk in kinds}


def phase_of(key: ResourceKey) -> int:
    """The phase index of an object (custom resources and unknown kinds: "everything else")."""
    return _INDEX.get((key.group, key.kind), _REST)


def phase_name(index: int) -> str:
    return PHASES[index][0]


def apply_phases(keys: Iterable[ResourceKey]) -> list[tuple[int, list[ResourceKey]]]:
    """The non-empty phases in apply order, each with its objects (sorted, for stable logs)."""
    grouped: dict[int, list[ResourceKey]] = {}
    for key in keys:
        grouped.setdefault(phase_of(key), []).append(key)
    return [(index, sorted(grouped[index])) for index in sorted(grouped)]


def delete_phases(keys: Iterable[ResourceKey]) -> list[tuple[int, list[ResourceKey]]]:
    """The same phases in reverse: the last applied is the first deleted."""
    return list(reversed(apply_phases(keys)))


def listed(rows: Iterable[_Row]) -> list[_Row]:
    """Rows in the order apply works through them: phase by phase (CRDs and Namespaces first,
    webhooks last), then the deletions, which come after every write, in reverse order."""
    count = len(PHASES)

    def place(row: _Row) -> tuple[int, ResourceKey]:
        phase = phase_of(row.key)
        return (count + (count - phase) if row.action == "delete" else phase, row.key)

    return sorted(rows, key=place)
