"""Least-privilege identities: a ServiceAccount, its Role (and ClusterRole), and a kubeconfig.

ServiceAccounts rather than more static tokens: as many as the tests need, made while the
cluster runs, and gone with their namespace.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.cluster.api import JSON, Api, kubeconfig_text, write_kubeconfig

RBAC = "/apis/rbac.authorization.k8s.io/v1"


def restricted_kubeconfig(
    admin: Api,
    directory: Path,
    namespace: str,
    rules: Sequence[Mapping[str, Any]],
    *,
    cluster_rules: Sequence[Mapping[str, Any]] = (),
    name: str | None = None,
) -> Path:
    """Create (as `admin`) an identity that may do only `rules` in `namespace` and
    `cluster_rules` cluster-wide; write its kubeconfig into `directory` and return the path.

    Rules are RBAC PolicyRule dicts, e.g. {"apiGroups": [""], "resources": ["configmaps"],
    "verbs": ["get", "list"]}. The token comes from the TokenRequest API and lasts a day.
    """
    name = name or f"restricted-{secrets.token_hex(3)}"
    ns_path = f"/api/v1/namespaces/{namespace}"
    admin.call("POST", f"{ns_path}/serviceaccounts", {"metadata": {"name": name}})
    grants: list[tuple[str, str, JSON, Sequence[Mapping[str, Any]]]] = [
        (f"{RBAC}/namespaces/{namespace}", "Role", {"name": name}, rules)
    ]
    if cluster_rules:
        # Owned by the Namespace object, so the garbage collector deletes them with it.
        ns_uid = (admin.get(ns_path) or {}).get("metadata", {}).get("uid", "")
        owner = {"apiVersion": "v1", "kind": "Namespace", "name": namespace, "uid": ns_uid}
        meta = {"name": f"{namespace}:{name}", "ownerReferences": [owner]}
        grants.append((RBAC, "ClusterRole", meta, cluster_rules))
    subjects = [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]
    for base, kind, meta, granted in grants:
        admin.call("POST", f"{base}/{kind.lower()}s", {"metadata": meta, "rules": list(granted)})
        role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": meta["name"]}
        binding = {"metadata": meta, "roleRef": role_ref, "subjects": subjects}
        admin.call("POST", f"{base}/{kind.lower()}bindings", binding)
    token_request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 24 * 3600},
    }
    issued = admin.call("POST", f"{ns_path}/serviceaccounts/{name}/token", token_request)
    user = f"system:serviceaccount:{namespace}:{name}"
    text = kubeconfig_text(
        admin.server, admin.ca_cert.read_bytes(), user, issued["status"]["token"], namespace
    )
    return write_kubeconfig(directory / f"{namespace}.{name}.kubeconfig", text)
