"""The Kubernetes adapter: discovery, paged LIST, GET, server-side apply, DELETE, and the
create and compare-and-swap update that leases and the inventory parent need.

Authentication comes from a kubeconfig (``kubeconfig.py``: tokens, client certificates, exec
plugins); requests go through one urllib3 pool, so that many threads share kept-alive
connections, and JSON stays plain dicts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import urllib3

from .. import FIELD_MANAGER
from ..core.retry import Decision, OutOfTime, RetryPolicy
from ..errors import NotFound, ServerError, TooManyRequests, Unreachable, api_error
from ..models import KubeObject
from ..ports import ApiResource
from . import kubeconfig as kubeconfig_loader

PAGE_SIZE = 500
POOL_SIZE = 32
_AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)
MAX_RETRY_AFTER = 30.0


class Kube:
    """A connection to one cluster (one kubeconfig context)."""

    def __init__(
        self,
        kubeconfig: Path | None = None,
        context: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.cluster = kubeconfig_loader.load(kubeconfig, context)
        self.context = self.cluster.context
        self._namespace = self.cluster.namespace
        self.host = self.cluster.server
        options: dict[str, Any] = {"maxsize": POOL_SIZE, "block": False}
        if self.cluster.ssl_context is not None:
            options["ssl_context"] = self.cluster.ssl_context
        if self.cluster.tls_server_name:
            options["server_hostname"] = self.cluster.tls_server_name
        self.pool: urllib3.PoolManager = (
            urllib3.ProxyManager(self.cluster.proxy_url, **options)
            if self.cluster.proxy_url
            else urllib3.PoolManager(**options)
        )
        self.timeout = urllib3.Timeout(connect=min(timeout, 10.0), read=timeout)
        self.retry = retry or RetryPolicy(attempts=5, base=0.2, cap=5.0, max_wait=60.0)
        self._discovery: dict[tuple[str, str, str], ApiResource] | None = None
        self._preferred: dict[tuple[str, str], ApiResource] = {}
        self._lock = threading.Lock()

    @property
    def default_namespace(self) -> str:
        return self._namespace

    # -- HTTP ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> Any:
        """JSON in, JSON out; retries 429/5xx and dropped connections with backoff."""
        url = self.host + path + (f"?{urlencode(query)}" if query else "")
        headers = {"Accept": accept, "User-Agent": "gitops-action"}
        token = self.cluster.authorization()
        if token:
            headers["Authorization"] = token
        payload = None
        if body is not None:
            headers["Content-Type"] = content_type
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()

        sent = False  # did any try get a connection (and so may have reached the server)?

        def attempt() -> Any:
            nonlocal sent
            try:
                response = self.pool.request(
                    method, url, body=payload, headers=headers, timeout=self.timeout, retries=False
                )
            except (urllib3.exceptions.HTTPError, OSError) as err:
                # Refused, unresolvable or timed out while connecting: nothing was sent.
                sent |= not isinstance(err, urllib3.exceptions.ConnectTimeoutError)
                raise _Dropped(f"{type(err).__name__}: {err}") from None
            return _decode(response)

        try:
            return self.retry.run(attempt, _may_help)
        except OutOfTime as out:
            failure: Exception = out.cause
        except _Dropped as err:
            failure = err
        if isinstance(failure, _Dropped):
            message = f"cannot reach the API server at {self.host} ({failure})"
            raise Unreachable(message, sent=sent) from None
        raise failure

    # -- discovery -------------------------------------------------------------------------

    def _discover(self) -> dict[tuple[str, str, str], ApiResource]:
        with self._lock:
            if self._discovery is None:
                found: dict[tuple[str, str, str], ApiResource] = {}
                preferred: dict[tuple[str, str], ApiResource] = {}
                for root in ("/api", "/apis"):
                    doc = self.request("GET", root, accept=_AGGREGATED)
                    if doc.get("kind") != "APIGroupDiscoveryList":
                        doc = self._legacy_discovery(root, doc)
                    for group in doc.get("items", []):
                        name = str(group.get("metadata", {}).get("name", ""))
                        for version in group.get("versions", []):
                            for res in version.get("resources", []):
                                kind = (res.get("responseKind") or {}).get("kind")
                                if not kind:
                                    continue
                                item = ApiResource(
                                    group=name,
                                    version=str(version["version"]),
                                    kind=str(kind),
                                    plural=str(res["resource"]),
                                    namespaced=res.get("scope") == "Namespaced",
                                    verbs=frozenset(res.get("verbs") or ()),
                                )
                                found.setdefault((name, item.version, item.kind), item)
                                # Versions are listed in order of preference: keep the first.
                                preferred.setdefault((name, item.kind), item)
                self._discovery, self._preferred = found, preferred
            return self._discovery

    def _legacy_discovery(self, root: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Aggregated discovery's shape from the per-group documents (servers before 1.30)."""
        if root == "/api":
            groups = [("", [f"/api/{v}" for v in doc.get("versions", [])], doc.get("versions", []))]
        else:
            groups = [
                (
                    str(g["name"]),
                    [f"/apis/{v['groupVersion']}" for v in g.get("versions", [])],
                    [v["version"] for v in g.get("versions", [])],
                )
                for g in doc.get("groups", [])
            ]
        items = []
        for name, paths, versions in groups:
            entries = []
            for path, version in zip(paths, versions, strict=True):
                listing = self.request("GET", path)
                resources = [
                    {
                        "resource": r["name"],
                        "responseKind": {"kind": r["kind"]},
                        "scope": "Namespaced" if r.get("namespaced") else "Cluster",
                        "verbs": r.get("verbs", []),
                    }
                    for r in listing.get("resources", [])
                    if "/" not in r["name"]
                ]
                entries.append({"version": version, "resources": resources})
            items.append({"metadata": {"name": name}, "versions": entries})
        return {"items": items}

    def refresh_discovery(self) -> None:
        with self._lock:
            self._discovery = None

    def resource(self, api_version: str, kind: str) -> ApiResource | None:
        group, _, version = api_version.rpartition("/")
        return self._discover().get((group, version, kind))

    def preferred(self, group: str, kind: str) -> ApiResource | None:
        self._discover()
        return self._preferred.get((group, kind))

    def resources(self) -> Sequence[ApiResource]:
        self._discover()
        return list(self._preferred.values())

    # -- objects ---------------------------------------------------------------------------

    def list(
        self, resource: ApiResource, namespace: str = "", label_selector: str = ""
    ) -> list[KubeObject]:
        items: list[KubeObject] = []
        query: dict[str, str] = {"limit": str(PAGE_SIZE)}
        if label_selector:
            query["labelSelector"] = label_selector
        while True:
            page = self.request("GET", resource.path(namespace), query=query)
            for item in page.get("items", []):
                # LIST items carry neither apiVersion nor kind: put them back.
                item.setdefault("apiVersion", resource.api_version)
                item.setdefault("kind", resource.kind)
                items.append(item)
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items
            query["continue"] = token

    def get(self, resource: ApiResource, namespace: str, name: str) -> KubeObject | None:
        try:
            obj: KubeObject = self.request("GET", resource.path(namespace, quote(name)))
        except NotFound:
            return None
        return obj

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        meta = obj.get("metadata") or {}
        query = {"fieldManager": FIELD_MANAGER, "force": "true" if force else "false"}
        if dry_run:
            query["dryRun"] = "All"
        path = resource.path(str(meta.get("namespace") or ""), quote(str(meta["name"])))
        result: KubeObject = self.request(
            "PATCH", path, query=query, body=obj, content_type="application/apply-patch+yaml"
        )
        return result

    def delete(
        self,
        resource: ApiResource,
        namespace: str,
        name: str,
        *,
        dry_run: bool = False,
        resource_version: str = "",
    ) -> bool:
        body: dict[str, Any] = {
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "propagationPolicy": "Background",
        }
        if dry_run:
            body["dryRun"] = ["All"]
        if resource_version:
            body["preconditions"] = {"resourceVersion": resource_version}
        try:
            self.request("DELETE", resource.path(namespace, quote(name)), body=body)
        except NotFound:
            return False
        return True

    def create(self, obj: KubeObject, resource: ApiResource) -> KubeObject:
        namespace = str((obj.get("metadata") or {}).get("namespace") or "")
        query = {"fieldManager": FIELD_MANAGER}
        result: KubeObject = self.request("POST", resource.path(namespace), query=query, body=obj)
        return result

    def update(self, obj: KubeObject, resource: ApiResource) -> KubeObject:
        meta = obj.get("metadata") or {}
        path = resource.path(str(meta.get("namespace") or ""), quote(str(meta["name"])))
        query = {"fieldManager": FIELD_MANAGER}
        result: KubeObject = self.request("PUT", path, query=query, body=obj)
        return result

    def version(self) -> str:
        return str(self.request("GET", "/version").get("gitVersion", ""))


def _decode(response: Any) -> Any:
    data = response.data
    try:
        doc = json.loads(data) if data else {}
    except ValueError:
        doc = {"message": data[:500].decode("utf-8", "replace")}
    if response.status < 400:
        return doc
    message = str(doc.get("message") or f"HTTP {response.status}")
    reason = str(doc.get("reason") or "")
    if response.status in (401, 403):
        message += (
            " (check the kubeconfig's identity and its RBAC: gitops-action needs get/list, "
            "patch for server-side apply, delete for pruning, and for apply get, create, "
            "update and delete on leases)"
        )
    error = api_error(response.status, reason, message, doc if isinstance(doc, dict) else {})
    if isinstance(error, TooManyRequests | ServerError):
        error.retry_after = _seconds(response.headers.get("Retry-After"))
    raise error


class _Dropped(Exception):
    """The connection failed before an answer (refused, reset, timed out)."""


def _may_help(err: Exception) -> Decision:
    """Try again after a dropped connection, a 429 or a 5xx (after ``Retry-After`` if given)."""
    if isinstance(err, _Dropped):
        return True
    if isinstance(err, TooManyRequests | ServerError):
        return err.retry_after or True
    return None


def _seconds(header: str | None) -> float | None:
    try:
        return min(float(header), MAX_RETRY_AFTER) if header else None
    except ValueError:
        return None
