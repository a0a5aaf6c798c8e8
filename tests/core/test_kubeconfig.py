"""Our kubeconfig loader against the real API server: every way of authenticating we support."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from gitops_action.adapters.kube import Kube
from gitops_action.adapters.kubeconfig import load
from gitops_action.errors import ClusterError
from tests.cluster.controlplane import ControlPlane


def config(
    server: str, ca: str | None, user: dict[str, object], **cluster: object
) -> dict[str, object]:
    entry: dict[str, object] = {"server": server, **cluster}
    if ca:
        entry["certificate-authority"] = ca
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "test",
        "clusters": [{"name": "c", "cluster": entry}],
        "users": [{"name": "u", "user": user}],
        "contexts": [
            {"name": "test", "context": {"cluster": "c", "user": "u", "namespace": "ns1"}}
        ],
    }


def write(path: Path, doc: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.cluster
def test_a_token_with_a_ca_file_relative_to_the_kubeconfig(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    (tmp_path / "ca.crt").write_bytes(control_plane.ca_cert.read_bytes())
    path = write(
        tmp_path / "config",
        config(control_plane.server, "ca.crt", {"token": control_plane.admin_token}),
    )
    kube = Kube(path)
    assert kube.version() == "v1.36.3"
    assert kube.default_namespace == "ns1"


@pytest.mark.cluster
def test_a_client_certificate_signed_by_the_cluster_ca(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    pki = control_plane.directory / "pki"
    key, csr, crt = tmp_path / "k.pem", tmp_path / "c.csr", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                    "-subj", "/O=system:masters/CN=cert-tester"], check=True, capture_output=True)  # fmt: skip
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", pki / "ca.crt", "-CAkey", pki / "ca.key",
                    "-CAcreateserial", "-days", "1", "-out", crt], check=True, capture_output=True)  # fmt: skip
    user = {
        "client-certificate-data": base64.b64encode(crt.read_bytes()).decode(),
        "client-key": str(key),
    }
    ca = base64.b64encode(control_plane.ca_cert.read_bytes()).decode()
    path = write(
        tmp_path / "config",
        config(control_plane.server, None, user, **{"certificate-authority-data": ca}),
    )
    kube = Kube(path)
    review = kube.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                          body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})  # fmt: skip
    assert review["status"]["userInfo"]["username"] == "cert-tester"


@pytest.mark.cluster
def test_an_exec_plugin_token_is_renewed_before_it_expires(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    plugin = tmp_path / "plugin.sh"
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {
            "token": control_plane.admin_token,
            "expirationTimestamp": "2000-01-01T00:00:00Z",
        },
    }
    plugin.write_text(
        f"#!/bin/sh\necho run >> {runs}\ntest -n \"$KUBERNETES_EXEC_INFO\" || exit 7\ncat <<'J'\n{json.dumps(credential)}\nJ\n"
    )
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": str(plugin),
            "provideClusterInfo": True,
        }
    }
    ca = str(control_plane.ca_cert)
    kube = Kube(write(tmp_path / "config", config(control_plane.server, ca, user)))
    assert kube.version() == "v1.36.3"
    kube.version()
    # Already expired: every request asks the plugin again (and the first load asked once).
    assert runs.read_text().count("run") == 3


def test_kubeconfig_files_merge_with_the_first_file_winning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(tmp_path / "a", config("https://first:6443", None, {"token": "a"}))
    second_doc = config("https://second:6443", None, {"token": "b"})
    second_doc["current-context"] = "other"
    second_doc["contexts"].append({"name": "other", "context": {"cluster": "c", "user": "u"}})  # type: ignore[attr-defined]
    second = write(tmp_path / "b", second_doc)
    monkeypatch.setenv("KUBECONFIG", f"{first}:{tmp_path / 'missing'}:{second}")
    cluster = load()
    assert (cluster.context, cluster.server, cluster.authorization()) == (
        "test",
        "https://first:6443",
        "Bearer a",
    )
    other = load(context="other")
    assert (other.server, other.namespace) == ("https://first:6443", "default")


def test_a_legacy_auth_provider_is_refused_with_what_to_use(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config", config("https://x:6443", None, {"auth-provider": {"name": "gcp"}})
    )
    with pytest.raises(
        ClusterError,
        match=r"uses the auth-provider 'gcp', removed from kubectl in 1.26; use its exec plugin",
    ):
        load(path)


def test_a_context_pointing_at_nothing_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "config", config("https://x:6443", None, {"token": "t"}))
    with pytest.raises(ClusterError, match=r"no context named 'prod'; the contexts are: test$"):
        load(path, "prod")


def test_no_kubeconfig_at_all_says_how_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(
        ClusterError, match=r"no kubeconfig at .*: pass --kubeconfig PATH, set KUBECONFIG"
    ):
        load(tmp_path / "nope")


def test_a_failing_exec_plugin_names_itself_and_its_output(tmp_path: Path) -> None:
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "sh",
            "args": ["-c", "echo expired >&2; exit 3"],
        }
    }
    path = write(tmp_path / "config", config("https://x:6443", None, user))
    with pytest.raises(
        ClusterError, match=r"the credential plugin 'sh' of context 'test' exited 3: expired"
    ):
        load(path)


def test_a_kubeconfig_that_is_not_yaml_is_an_error_that_never_quotes_its_lines(
    tmp_path: Path,
) -> None:
    # PyYAML's own message quotes the line, and a kubeconfig's lines are credentials.
    path = tmp_path / "config"
    path.write_text("users:\n- name: u\n  user:\n    token: tok-Secret-0001: [\n")
    with pytest.raises(ClusterError) as err:
        load(path)
    assert str(err.value) == (
        f"{path}:4:27: cannot read the kubeconfig: mapping values are not allowed here"
    )
