"""Fields the API server refuses to change after creation.

A plan that changes one of them will fail at apply time (or needs a delete and re-create), so
the plan warns about it before the merge, naming the field and what to do.
"""

from __future__ import annotations

from ..models import KubeObject, ResourceKey
from .normalize import get_path

# (group, kind) -> JSON pointers that cannot change once the object exists.
IMMUTABLE: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): ("/spec/selector",),
    ("apps", "ReplicaSet"): ("/spec/selector",),
    ("apps", "DaemonSet"): ("/spec/selector",),
    ("apps", "StatefulSet"): (
        "/spec/selector",
        "/spec/serviceName",
        "/spec/volumeClaimTemplates",
        "/spec/podManagementPolicy",
    ),
    ("batch", "Job"): ("/spec/selector", "/spec/template", "/spec/completions"),
    ("", "Service"): ("/spec/clusterIP", "/spec/clusterIPs", "/spec/ipFamilies"),
    ("", "PersistentVolumeClaim"): (
        "/spec/storageClassName",
        "/spec/accessModes",
        "/spec/volumeName",
        "/spec/selector",
        "/spec/volumeMode",
        "/spec/dataSource",
    ),
    ("", "PersistentVolume"): ("/spec/csi", "/spec/claimRef"),
    ("rbac.authorization.k8s.io", "RoleBinding"): ("/roleRef",),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("/roleRef",),
    ("storage.k8s.io", "StorageClass"): (
        "/provisioner",
        "/parameters",
        "/reclaimPolicy",
        "/volumeBindingMode",
    ),
}

_IMMUTABLE_DATA_KINDS = {("", "ConfigMap"), ("", "Secret")}


def immutable_changes(key: ResourceKey, old: KubeObject, new: KubeObject) -> list[str]:
    """Warnings for each immutable field that differs between two versions of one object.

    A field that one side leaves unset is not reported: the server fills it (a Service's
    clusterIP) and an offline diff cannot know the value it would choose.
    """
    warnings: list[str] = []
    for pointer in IMMUTABLE.get((key.group, key.kind), ()):
        before, after = get_path(old, pointer), get_path(new, pointer)
        if before is not None and after is not None and before != after:
            warnings.append(
                f"{pointer} is immutable: apply will be rejected; delete and re-create "
                f"{key} (or give it a new name) to change it"
            )
    if (key.group, key.kind) in _IMMUTABLE_DATA_KINDS and old.get("immutable") is True:
        for field in ("data", "binaryData"):
            if old.get(field) != new.get(field):
                warnings.append(
                    f"{key} is immutable (immutable: true): /{field} cannot change; "
                    "create a new object with a new name instead"
                )
    return warnings
