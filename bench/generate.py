"""Generated repositories: N objects in a real git repository, and a second commit changing
one object in ten.

Objects come in apps of ten, one file per kind group (``deploy/<app>/workloads.yaml``, ...):

| per app | objects |
|---|---|
| Deployments | ``web``, ``worker``: a full pod template (ports, env, probes, volumes) |
| Services | ``web``, ``worker``, ``web-metrics`` |
| ConfigMaps | ``config`` (an ``app.yaml`` of about 1 KB), ``env`` (8 keys), ``files`` (2 files) |
| Secrets | ``creds`` (3 keys), ``tls`` (``kubernetes.io/tls``, an RSA certificate and key) |

Two choices keep the local control plane honest for a benchmark, and are the same for both
tools: Deployments have ``replicas: 0`` (the objects are complete and defaulted by the server,
but no pods are scheduled, so the controllers do not compete with the measured commands for
the cores), and Services are headless (``clusterIP: None``: the control plane's service range is
a /24, which a thousand objects in several namespaces would exhaust).

The change in head rotates over the app's objects (app ``i`` changes its object ``i % 10``):
an image tag, a Service port, a ConfigMap value, a Secret value, a rotated certificate.
"""

from __future__ import annotations

import base64
import functools
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

APP_SIZE = 10
TARGET = "bench"
FOLDER = "deploy"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}
Obj = dict[str, Any]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _labels(app: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "bench",
    }


def deployment(app: str, component: str, tag: str) -> Obj:
    selector = {"app.kubernetes.io/name": app, "app.kubernetes.io/component": component}
    container = {
        "name": component,
        "image": f"registry.example/{app}/{component}:{tag}",
        "ports": [
            {"name": "http", "containerPort": 8080},
            {"name": "metrics", "containerPort": 9090},
        ],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "COMPONENT", "value": component},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        ],
        "envFrom": [
            {"configMapRef": {"name": f"{app}-env"}},
            {"secretRef": {"name": f"{app}-creds"}},
        ],
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "1", "memory": "256Mi"},
        },
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/livez", "port": "http"}, "periodSeconds": 10},
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/app"},
            {"name": "tls", "mountPath": "/etc/tls", "readOnly": True},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{app}-{component}", "labels": _labels(app, component)},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": _labels(app, component)},
                "spec": {
                    "containers": [container],
                    "volumes": [
                        {"name": "config", "configMap": {"name": f"{app}-config"}},
                        {"name": "tls", "secret": {"secretName": f"{app}-tls"}},
                    ],
                },
            },
        },
    }


def service(app: str, component: str, port: int) -> Obj:
    target = "metrics" if component.endswith("metrics") else "http"
    selector_component = component.removesuffix("-metrics")
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"{app}-{component}", "labels": _labels(app, component)},
        "spec": {
            "clusterIP": "None",
            "selector": {
                "app.kubernetes.io/name": app,
                "app.kubernetes.io/component": selector_component,
            },
            "ports": [{"name": target, "port": port, "targetPort": target}],
        },
    }


def configmap(app: str, name: str, data: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{app}-{name}", "labels": _labels(app, "config")},
        "data": data,
    }


def secret(app: str, name: str, data: dict[str, str], kind: str = "Opaque") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": f"{app}-{name}", "labels": _labels(app, "secret")},
        "type": kind,
        "data": {k: _b64(v) for k, v in data.items()},
    }


@functools.cache
def tls_pair(index: int) -> tuple[str, str]:
    """A real self-signed certificate and its key (the API server warns about a TLS Secret
    without PEM data); ``index`` 1 is the rotated one."""
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
                "-subj", f"/CN=bench-{index}.example", "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        return cert.read_text(), key.read_text()


def app_objects(index: int, changed: bool) -> list[Obj]:
    """The ten objects of app ``index``; with ``changed``, object ``index % 10`` differs."""
    app = f"app-{index:04d}"
    slot = index % APP_SIZE if changed else -1
    app_yaml = "\n".join(
        [
            "server:",
            "  port: 8080",
            f"  workers: {8 if slot == 5 else 4}",
            "  timeouts: {read: 30s, write: 30s, idle: 120s}",
            "database:",
            f"  host: db.{app}.svc",
            "  pool: {min: 2, max: 20}",
            "features:",
            *[f"  flag_{n:02d}: {str(n % 3 == 0).lower()}" for n in range(30)],
        ]
    )
    env = {f"SETTING_{n}": f"value-{n}" for n in range(8)}
    if slot == 6:
        env["SETTING_3"] = "value-3-changed"
    motd = f"Welcome to {app}{'!' if slot == 7 else ''}\n"
    creds = {"username": app, "password": f"pw-{index}-v{2 if slot == 8 else 1}", "token": "t" * 40}
    cert, key = tls_pair(1 if slot == 9 else 0)
    tls = {"tls.crt": cert, "tls.key": key}
    return [
        deployment(app, "web", "1.4.2" if slot != 0 else "1.4.3"),
        deployment(app, "worker", "1.4.2" if slot != 1 else "1.4.3"),
        service(app, "web", 80 if slot != 2 else 8080),
        service(app, "worker", 80 if slot != 3 else 8080),
        service(app, "web-metrics", 9090 if slot != 4 else 9091),
        configmap(app, "config", {"app.yaml": app_yaml + "\n"}),
        configmap(app, "env", env),
        configmap(app, "files", {"motd.txt": motd, "robots.txt": "User-agent: *\n"}),
        secret(app, "creds", creds),
        secret(app, "tls", tls, "kubernetes.io/tls"),
    ]


def objects(n: int, changed: bool = False) -> Iterator[tuple[str, list[Obj]]]:
    """``(file, objects)`` for ``n`` objects, grouped as in the module docstring."""
    left = n
    index = 0
    while left > 0:
        objs = app_objects(index, changed)[:left]
        app = f"app-{index:04d}"
        groups: dict[str, list[Obj]] = {}
        for obj in objs:
            name = {
                "Deployment": "workloads",
                "Service": "services",
                "ConfigMap": "config",
                "Secret": "secrets",
            }[obj["kind"]]
            groups.setdefault(name, []).append(obj)
        for name, group in groups.items():
            yield f"{FOLDER}/{app}/{name}.yaml", group
        left -= len(objs)
        index += 1


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def config_text(namespace: str) -> str:
    return (
        "version: 1\n"
        "targets:\n"
        f"  - name: {TARGET}\n"
        f"    path: {FOLDER}\n"
        f"    namespace: {namespace}\n"
        "    wait: false\n"
    )


@dataclass
class BenchRepo:
    """A generated repository: ``base`` (N objects) and, after ``change()``, ``head``."""

    root: Path
    n: int
    changed: bool = False
    """Whether head (one object in ten changed) is committed."""

    @property
    def folder(self) -> Path:
        return self.root / FOLDER

    def write_objects(self, changed: bool) -> None:
        for name, objs in objects(self.n, changed):
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump_all(objs, sort_keys=False), encoding="utf-8")

    def commit(self, message: str) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.root, "rev-parse", "HEAD")

    def set_namespace(self, namespace: str) -> str:
        """Point the target at ``namespace``, committed (apply refuses a dirty tree)."""
        (self.root / ".gitops.yaml").write_text(config_text(namespace), encoding="utf-8")
        return self.commit(f"target namespace {namespace}")

    def change(self) -> str:
        """Commit head: one object in ten changed."""
        self.changed = True
        self.write_objects(changed=True)
        return self.commit("change one object in ten")

    def checkout(self, ref: str) -> None:
        git(self.root, "checkout", "-q", ref)

    def labelled_copy(self, dest: Path, labels: dict[str, str]) -> Path:
        """The objects of the checked-out commit with ``labels`` added, in ``dest`` (outside
        the repository): what ``gitops-action apply`` writes, for kubectl to diff."""
        for name, objs in objects(self.n, self.changed):
            for obj in objs:
                obj["metadata"]["labels"] = {**obj["metadata"].get("labels", {}), **labels}
            path = dest / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump_all(objs, sort_keys=False), encoding="utf-8")
        return dest / FOLDER


def make_repo(root: Path, n: int, namespace: str) -> BenchRepo:
    """A new repository at ``root`` with N objects committed (the base)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    repo = BenchRepo(root, n)
    (root / ".gitops.yaml").write_text(config_text(namespace), encoding="utf-8")
    repo.write_objects(changed=False)
    repo.commit(f"{n} objects")
    return repo


def count_changed(n: int) -> int:
    """How many objects head changes (one per app of ten, if that app has the object)."""
    return sum(1 for index in range((n + APP_SIZE - 1) // APP_SIZE) if index % 10 < n - index * 10)
