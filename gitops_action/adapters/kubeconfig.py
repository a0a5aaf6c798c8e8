"""Kubeconfig -> how to reach and authenticate to one cluster.

What kubectl reads, for the cases that exist today: ``KUBECONFIG`` as a list of files merged
(the first file that sets a name wins), paths relative to the file that names them, CA and
client certificates as files or inline data, ``insecure-skip-tls-verify``, ``tls-server-name``,
``proxy-url``, bearer tokens (``token``, ``tokenFile``), basic auth, and exec credential
plugins (EKS, GKE, AKS and kubelogin use them), whose token is cached until shortly before it
expires. The legacy ``auth-provider`` entries, removed from kubectl in 1.26, are refused with
what to use instead.

Our own small loader, not the official client's: importing ``kubernetes`` costs a third of a
second and 30 MB in every command, for 800 model classes we never use.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ..errors import ClusterError

EXEC_MARGIN = 60.0
"""Renew an exec plugin's credential this many seconds before it expires."""


@dataclass
class Cluster:
    """One context of a kubeconfig, resolved."""

    context: str
    server: str
    namespace: str
    ssl_context: ssl.SSLContext | None
    tls_server_name: str | None = None
    proxy_url: str | None = None
    _auth: _Auth | None = None

    def authorization(self) -> str | None:
        """The Authorization header value, renewed when an exec credential nears its end."""
        return self._auth.header() if self._auth else None


def load(path: Path | None = None, context: str | None = None) -> Cluster:
    """The cluster of ``context`` (default: the current context) in the kubeconfig."""
    files = _files(path)
    where = " + ".join(str(f) for f in files)
    config = _merged(files)
    name = context or config["current-context"]
    if not name:
        raise ClusterError(f"{where}: no current-context; pass --context NAME")
    if name not in config["contexts"]:
        known = ", ".join(config["contexts"]) or "(none)"
        raise ClusterError(f"{where}: no context named {name!r}; the contexts are: {known}")
    try:
        entry = config["contexts"][name]
        cluster = config["clusters"][entry.get("cluster", "")]
        user = config["users"].get(entry.get("user", ""), {})
    except KeyError as missing:
        raise ClusterError(
            f"{where}: context {name!r} refers to {missing} which the kubeconfig does not "
            "define; check its contexts, clusters and users"
        ) from None
    server = str(cluster.get("server", "")).rstrip("/")
    if not server:
        raise ClusterError(f"{where}: cluster of context {name!r} has no server")
    auth = _Auth(user, server, where, name)
    return Cluster(
        context=name,
        server=server,
        namespace=str(entry.get("namespace") or "default"),
        ssl_context=_tls(cluster, user, auth, where) if server.startswith("https") else None,
        tls_server_name=cluster.get("tls-server-name") or None,
        proxy_url=cluster.get("proxy-url") or None,
        _auth=auth,
    )


def _files(path: Path | None) -> list[Path]:
    if path is not None:
        candidates = [path]
    elif os.environ.get("KUBECONFIG"):
        candidates = [Path(p) for p in os.environ["KUBECONFIG"].split(os.pathsep) if p]
    else:
        candidates = [Path("~/.kube/config").expanduser()]
    existing = [p for p in candidates if p.is_file()]
    if not existing:
        shown = ", ".join(map(str, candidates)) or "$KUBECONFIG"
        raise ClusterError(
            f"no kubeconfig at {shown}: pass --kubeconfig PATH, set KUBECONFIG, "
            "or the action's kubeconfig input"
        )
    return existing


def _merged(files: list[Path]) -> dict[str, Any]:
    """kubectl's merge: for each named entry and for current-context, the first file wins."""
    merged: dict[str, Any] = {"current-context": "", "clusters": {}, "contexts": {}, "users": {}}
    for file in files:
        try:
            doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.MarkedYAMLError as err:
            # Never str(err): PyYAML quotes the line, and a kubeconfig's lines are credentials.
            mark = err.problem_mark or err.context_mark
            where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
            problem = err.problem or err.context or "not valid YAML"
            raise ClusterError(f"{where}: cannot read the kubeconfig: {problem}") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            reason = getattr(err, "strerror", None) or type(err).__name__
            raise ClusterError(f"{file}: cannot read the kubeconfig: {reason}") from None
        if not isinstance(doc, dict):
            raise ClusterError(f"{file}: not a kubeconfig (expected a mapping)")
        merged["current-context"] = merged["current-context"] or doc.get("current-context", "")
        for section, inner in (("clusters", "cluster"), ("contexts", "context"), ("users", "user")):
            for item in doc.get(section) or ():
                value = dict(item.get(inner) or {})
                value["_dir"] = file.resolve().parent  # relative paths are relative to the file
                merged[section].setdefault(str(item.get("name", "")), value)
    return merged


def _data(entry: Mapping[str, Any], key: str) -> bytes | None:
    """``key-data`` (base64) or the file ``key`` names, relative to its kubeconfig."""
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    if entry.get(key):
        file = Path(entry["_dir"]) / Path(str(entry[key])).expanduser()
        return file.read_bytes()
    return None


def _tls(
    cluster: Mapping[str, Any], user: Mapping[str, Any], auth: _Auth, where: str
) -> ssl.SSLContext:
    context = ssl.create_default_context()
    try:
        if cluster.get("insecure-skip-tls-verify"):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif (ca := _data(cluster, "certificate-authority")) is not None:
            context = ssl.create_default_context(cadata=ca.decode())
        cert = _data(user, "client-certificate") or auth.exec_cert
        key = _data(user, "client-key") or auth.exec_key
        if cert and key:
            _load_chain(context, cert, key)
    except (OSError, ssl.SSLError, ValueError) as err:
        raise ClusterError(f"{where}: cannot use the kubeconfig's certificates: {err}") from None
    return context


def _load_chain(context: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    """``load_cert_chain`` reads files only: hand it private, short-lived ones."""
    with tempfile.TemporaryDirectory(prefix="gitops-action-tls-") as folder:
        cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        for file, data in ((cert_file, cert), (key_file, key)):
            file.touch(mode=0o600)
            file.write_bytes(data)
        context.load_cert_chain(cert_file, key_file)


@dataclass
class _Auth:
    """A user's credentials: static, or from an exec plugin and renewed as it expires."""

    user: Mapping[str, Any]
    server: str
    where: str
    context: str
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _token: str | None = None
    _expires: float = float("inf")
    exec_cert: bytes | None = None
    exec_key: bytes | None = None

    def __post_init__(self) -> None:
        if self.user.get("auth-provider"):
            name = (self.user["auth-provider"] or {}).get("name", "?")
            raise ClusterError(
                f"{self.where}: context {self.context!r} uses the auth-provider {name!r}, removed "
                "from kubectl in 1.26; use its exec plugin instead (gke-gcloud-auth-plugin, "
                "kubelogin, aws eks get-token)"
            )
        if self.user.get("exec"):
            self._run_exec()  # also yields client certificates, needed for TLS up front

    def header(self) -> str | None:
        user = self.user
        if user.get("exec"):
            with self._lock:
                if time.time() > self._expires - EXEC_MARGIN:
                    self._run_exec()
                return f"Bearer {self._token}" if self._token else None
        if user.get("token"):
            return f"Bearer {user['token']}"
        if user.get("tokenFile"):
            return f"Bearer {(Path(user['_dir']) / user['tokenFile']).read_text().strip()}"
        if user.get("username"):
            pair = f"{user['username']}:{user.get('password', '')}".encode()
            return f"Basic {base64.b64encode(pair).decode()}"
        return None

    def _run_exec(self) -> None:
        spec = self.user["exec"]
        command = [str(spec.get("command", "")), *map(str, spec.get("args") or ())]
        env = {**os.environ, **{e["name"]: str(e["value"]) for e in spec.get("env") or ()}}
        api_version = spec.get("apiVersion", "client.authentication.k8s.io/v1")
        if spec.get("provideClusterInfo"):
            info = {"kind": "ExecCredential", "apiVersion": api_version,
                    "spec": {"cluster": {"server": self.server}, "interactive": False}}  # fmt: skip
            env["KUBERNETES_EXEC_INFO"] = json.dumps(info)
        try:
            result = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=60, check=False,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as err:
            hint = spec.get("installHint") or f"install {command[0]!r} on the runner"
            raise ClusterError(
                f"{self.where}: the credential plugin {command[0]!r} of context {self.context!r} "
                f"failed ({err}); {hint}"
            ) from None
        if result.returncode != 0:
            raise ClusterError(
                f"{self.where}: the credential plugin {command[0]!r} of context {self.context!r} "
                f"exited {result.returncode}: {result.stderr.strip()[-500:]}"
            )
        try:
            status = json.loads(result.stdout)["status"]
        except (ValueError, KeyError, TypeError):
            raise ClusterError(
                f"{self.where}: the credential plugin {command[0]!r} did not print an "
                "ExecCredential with a status"
            ) from None
        self._token = status.get("token")
        if status.get("clientCertificateData"):
            self.exec_cert = status["clientCertificateData"].encode()
            self.exec_key = str(status.get("clientKeyData", "")).encode()
        stamp = status.get("expirationTimestamp")
        self._expires = (
            datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            if stamp
            else float("inf")
        )
