"""The issue's example plan, as a real git repository: 1,000 objects in apps of ten, and a
head commit that bumps one image tag in 50 Deployments and changes one key in 50 ConfigMaps.

Used by the big-plan tests and, run as a script, to measure the comment before and after a
change to the report (``python -m tests.report.example DIR`` prints the figures).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from tests.support import git

APPS = 100
"""Apps of ten objects each: 1,000 objects."""
CONFIG = "version: 1\ntargets:\n  - name: shop\n    path: deploy\n    namespace: shop\n"


def app_objects(index: int, changed: bool) -> list[dict[str, Any]]:
    """The ten objects of app ``index``; in head, apps 0-49 run the new image and apps 50-99
    log at debug level."""
    app = f"app-{index:02d}"
    labels = {"app": app}
    tag = "1.4.3" if changed and index < APPS // 2 else "1.4.2"
    level = "debug" if changed and index >= APPS // 2 else "info"
    container = {
        "name": "web",
        "image": f"registry.example/shop/web:{tag}",
        "ports": [{"name": "http", "containerPort": 8080}],
        "envFrom": [{"configMapRef": {"name": f"{app}-env"}}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
    }
    pod = {"metadata": {"labels": labels}, "spec": {"containers": [container]}}
    meta = {"name": app, "labels": labels}
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": pod},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {"selector": labels, "ports": [{"name": "http", "port": 80}]},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{app}-env", "labels": labels},
            "data": {"LOG_LEVEL": level, "PORT": "8080", "REGION": "eu-west-1"},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{app}-files", "labels": labels},
            "data": {"motd.txt": f"Welcome to {app}\n"},
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta,
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
            "subjects": [{"kind": "ServiceAccount", "name": app}],
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta,
            "spec": {"minAvailable": 1, "selector": {"matchLabels": labels}},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta,
            "spec": {"podSelector": {"matchLabels": labels}, "policyTypes": ["Ingress"]},
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta,
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                "minReplicas": 2,
                "maxReplicas": 5,
            },
        },
    ]


def write(root: Path, changed: bool) -> None:
    for index in range(APPS):
        path = root / "deploy" / f"app-{index:02d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(app_objects(index, changed)), encoding="utf-8")


def make(root: Path) -> tuple[str, str]:
    """A repository at ``root`` (an empty folder) with the base and head commits."""
    git(root, "init", "-q", "-b", "main")
    (root / ".gitops.yaml").write_text(CONFIG, encoding="utf-8")
    write(root, changed=False)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "1,000 objects")
    base = git(root, "rev-parse", "HEAD")
    write(root, changed=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "new image in 50 Deployments, debug logs in 50 apps")
    return base, git(root, "rev-parse", "HEAD")


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True)
    print(*make(folder))
