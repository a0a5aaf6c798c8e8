"""A minimal Kubernetes API client on the standard library, and kubeconfig files.

Enough to start a cluster and check it (readiness, a node, RBAC objects, tokens) before any
virtualenv exists; tests use the `kubernetes` client through the fixtures instead.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLUSTER_NAME = "gitops-action-test"

JSON = dict[str, Any]


class ClusterError(RuntimeError):
    """The control plane could not be started or used; the message says where to look."""


@dataclass(frozen=True)
class Api:
    """Calls to one API server as one bearer-token identity, verifying TLS against ca_cert."""

    server: str
    ca_cert: Path
    token: str

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        content_type: str = "application/json",
        timeout: float = 10.0,
    ) -> tuple[int, JSON]:
        """One call; returns (HTTP status, decoded JSON body). Raises OSError when the server
        cannot be reached."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        context = ssl.create_default_context(cafile=str(self.ca_cert))
        try:
            with urllib.request.urlopen(req, context=context, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            decoded = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            decoded = {"text": raw.decode(errors="replace")}
        return status, decoded if isinstance(decoded, dict) else {"items": decoded}

    def get(self, path: str) -> JSON | None:
        """The object at path; None when it does not exist or the server is unreachable."""
        try:
            status, body = self.request("GET", path)
        except OSError:
            return None
        return body if status == 200 else None

    def call(self, method: str, path: str, body: Mapping[str, Any]) -> JSON:
        """One call that must succeed; ClusterError with the server's message otherwise."""
        status, result = self.request(method, path, body)
        if status >= 300:
            raise ClusterError(f"{method} {path}: HTTP {status}: {result.get('message', result)}")
        return result

    def ready(self) -> bool:
        """Whether /readyz answers ok."""
        try:
            status, _body = self.request("GET", "/readyz", timeout=5.0)
        except OSError:
            return False
        return status == 200


def kubeconfig_text(
    server: str, ca_pem: bytes, user: str, token: str, namespace: str | None = None
) -> str:
    """A self-contained kubeconfig (the CA inline) for a bearer-token user."""
    context = {"cluster": CLUSTER_NAME, "user": user}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CLUSTER_NAME,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": CLUSTER_NAME, "context": context}],
        "current-context": CLUSTER_NAME,
    }
    # JSON is YAML: every kubeconfig reader accepts it, and no YAML library is needed here.
    return json.dumps(config, indent=2) + "\n"


def write_kubeconfig(path: Path, text: str) -> Path:
    """Write a kubeconfig readable by its owner only (it holds a token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path
