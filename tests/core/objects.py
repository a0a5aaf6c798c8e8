"""Small Kubernetes objects for the review-rule tests, normalized as the plan compares them,
and one risky change per rule (``RISKY``), shared by the rule tests and the comment snapshots."""

from __future__ import annotations

from typing import Any

from gitops_action.core.diff import compare
from gitops_action.core.normalize import normalize
from gitops_action.models import KubeObject, ResourceDiff, ResourceKey

RBAC = "rbac.authorization.k8s.io/v1"


def obj(
    api_version: str, kind: str, name: str, namespace: str = "shop", **fields: Any
) -> KubeObject:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **fields}


def row(old: KubeObject | None, new: KubeObject | None) -> ResourceDiff:
    """The plan's row for one object, as ``diff_sets`` makes it (both sides normalized)."""
    some = new if new is not None else old
    assert some is not None
    key = ResourceKey.of(some)
    return compare(
        key,
        str(some["apiVersion"]),
        normalize(old) if old is not None else None,
        normalize(new) if new is not None else None,
    )


def risks(old: KubeObject | None, new: KubeObject | None) -> list[tuple[str, str]]:
    return [(r.rule, r.message) for r in row(old, new).risks]


def role(*rules: dict[str, Any], kind: str = "ClusterRole", name: str = "reader") -> KubeObject:
    return obj(RBAC, kind, name, "" if kind == "ClusterRole" else "shop", rules=list(rules))


def allow(
    verbs: list[str], resources: list[str], groups: list[str] | None = None, **more: Any
) -> dict[str, Any]:
    return {
        "apiGroups": groups if groups is not None else [""],
        "resources": resources,
        "verbs": verbs,
        **more,
    }


def binding(
    role_name: str, *subjects: str, kind: str = "ClusterRoleBinding", role_kind: str = "ClusterRole"
) -> KubeObject:
    return obj(
        RBAC,
        kind,
        "ops",
        "" if kind == "ClusterRoleBinding" else "shop",
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        subjects=[{"kind": "ServiceAccount", "name": s, "namespace": "shop"} for s in subjects],
    )


def pod_template(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": list(containers), **spec},
    }


def container(name: str = "web", image: str = "web:1", **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": image, **fields}


def deployment(
    *containers: dict[str, Any],
    replicas: int | None = 2,
    name: str = "web",
    selector: str = "web",
    **spec: Any,
) -> KubeObject:
    body: dict[str, Any] = {
        "selector": {"matchLabels": {"app": selector}},
        "template": pod_template(*(containers or (container(),)), **spec),
    }
    if replicas is not None:
        body["replicas"] = replicas
    return obj("apps/v1", "Deployment", name, spec=body)


def statefulset(claims: list[str], **spec: Any) -> KubeObject:
    templates = [
        {
            "metadata": {"name": c},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
        for c in claims
    ]
    return obj(
        "apps/v1",
        "StatefulSet",
        "db",
        spec={
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": pod_template(container("db", "postgres:16")),
            "volumeClaimTemplates": templates,
            **spec,
        },
    )


def service(kind: str | None = None) -> KubeObject:
    spec: dict[str, Any] = {"selector": {"app": "web"}, "ports": [{"port": 80}]}
    if kind:
        spec["type"] = kind
    return obj("v1", "Service", "web", spec=spec)


def ingress(*hosts: str) -> KubeObject:
    rules = [{"host": h} if h else {} for h in hosts]
    for rule in rules:
        rule["http"] = {
            "paths": [
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                }
            ]
        }
    return obj("networking.k8s.io/v1", "Ingress", "web", spec={"rules": rules})


def network_policy(
    *ingress_rules: dict[str, Any],
    types: list[str] | None = None,
    egress: list[dict[str, Any]] | None = None,
) -> KubeObject:
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": {"app": "db"}},
        "ingress": list(ingress_rules),
    }
    if types is not None:
        spec["policyTypes"] = types
    if egress is not None:
        spec["egress"] = egress
    return obj("networking.k8s.io/v1", "NetworkPolicy", "db", spec=spec)


FROM_WEB = {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}
FROM_JOBS = {"from": [{"podSelector": {"matchLabels": {"app": "jobs"}}}], "ports": [{"port": 5432}]}


def pdb() -> KubeObject:
    return obj(
        "policy/v1",
        "PodDisruptionBudget",
        "web",
        spec={"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
    )


def secure(**fields: Any) -> dict[str, Any]:
    return {"securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False, **fields}}


RISKY: dict[str, tuple[KubeObject | None, KubeObject | None]] = {
    "rbac-wildcard": (role(allow(["get"], ["pods"])), role(allow(["*"], ["pods"]))),
    "rbac-escalation-verbs": (
        role(allow(["get"], ["pods"])),
        role(allow(["get"], ["pods"]), allow(["impersonate"], ["serviceaccounts"])),
    ),
    "rbac-new-permissions": (
        role(allow(["get"], ["pods"])),
        role(allow(["get", "delete"], ["pods"])),
    ),
    "rbac-powerful-binding": (None, binding("cluster-admin", "deployer")),
    "pod-privileged": (deployment(), deployment(container(securityContext={"privileged": True}))),
    "pod-host-path": (
        deployment(),
        deployment(volumes=[{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]),
    ),
    "pod-host-namespaces": (deployment(), deployment(hostNetwork=True, hostPID=True)),
    "pod-capabilities-added": (
        deployment(),
        deployment(container(securityContext={"capabilities": {"add": ["NET_ADMIN"]}})),
    ),
    "pod-run-as-non-root-dropped": (
        deployment(container(**secure())),
        deployment(container(securityContext={"allowPrivilegeEscalation": False})),
    ),
    "pod-privilege-escalation": (
        deployment(container(**secure())),
        deployment(container(securityContext={"runAsNonRoot": True})),
    ),
    "service-exposed": (service(), service("LoadBalancer")),
    "ingress-host-added": (
        ingress("shop.example.com"),
        ingress("shop.example.com", "admin.example.com"),
    ),
    "network-policy-loosened": (network_policy(FROM_WEB), None),
    "replicas-to-zero": (deployment(replicas=3), deployment(replicas=0)),
    "pdb-removed": (pdb(), None),
    "selector-changed": (deployment(), deployment(selector="web-v2")),
    "statefulset-claims-changed": (statefulset(["data"]), statefulset(["data", "wal"])),
}
"""One change each rule calls out, by rule name."""
