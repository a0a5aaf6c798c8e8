"""Manifest builders shared by the tests: plain dicts, as Git would hold them."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import yaml

Obj = dict[str, Any]


def _meta(name: str, namespace: str | None, labels: Mapping[str, str] | None = None) -> Obj:
    meta: Obj = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


def configmap(name: str, namespace: str | None = None, **data: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(name, namespace),
        "data": data,
    }


def secret(name: str, namespace: str | None = None, **values: str) -> Obj:
    """A Secret with ``values`` base64-encoded in ``data``, as Git usually holds them."""
    data = {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": _meta(name, namespace), "data": data}


def service(name: str, namespace: str | None = None, port: int = 80) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace),
        "spec": {"selector": {"app": name}, "ports": [{"port": port}]},
    }


def service_account(name: str, namespace: str | None = None) -> Obj:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, namespace)}


def namespace(name: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def deployment(
    name: str,
    replicas: int = 1,
    *,
    namespace: str | None = None,
    image: str = "registry.example/app:1",
    cpu: str = "",
    node_selector: Mapping[str, str] | None = None,
) -> Obj:
    """A Deployment of one container; kwok runs no containers, so the image is never pulled."""
    container: Obj = {"name": "app", "image": image}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    pod: Obj = {"containers": [container]}
    if node_selector:
        pod["nodeSelector"] = dict(node_selector)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod},
        },
    }


def dump(*objects: Mapping[str, Any]) -> str:
    """Multi-document YAML of ``objects``, keys in the order they were built."""
    return yaml.safe_dump_all([dict(o) for o in objects], sort_keys=False)
