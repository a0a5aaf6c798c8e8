"""pytest plugin: one real control plane per session, a fresh namespace per test.

Registered from tests/conftest.py (`pytest_plugins = ["tests.cluster.fixtures"]`). Fixtures:

- `control_plane` (session): a running `ControlPlane`. Reuses `make cluster` when `.cluster/` is
  up, ready and runs the current pins' binaries; otherwise builds the binaries if needed,
  starts a cluster in a temporary directory and stops it at the end of the session (and at
  exit, and if pytest is killed: its processes die with it).
- `kubeconfig` (session): the admin kubeconfig's Path.
- `kube_api` (session): a `kubernetes.client.ApiClient` for the admin.
- `namespace` (function): the name of a new namespace, deleted after the test.

Without Go and without built binaries the cluster tests are skipped locally, with how to get them;
under CI=true that is an error instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.api import ClusterError
from tests.cluster.build import HOW_TO_GET_GO, build
from tests.cluster.controlplane import DEFAULT_DIR, ControlPlane, remove
from tests.cluster.pins import current_install
from tests.cluster.processes import wait_until

CLUSTER_FIXTURES = frozenset({"control_plane", "kubeconfig", "kube_api", "namespace"})
NAMESPACE_LABEL = "gitops-action.test/namespace"
TEMP_PREFIX = "gitops-action-cluster-"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _remove_stale_clusters(min_age: float = 60.0) -> None:
    """Delete the directories of earlier sessions' clusters that no longer run (a session that
    was killed outright leaves its directory; its processes died with it)."""
    for directory in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        plane = ControlPlane.load(directory)
        try:
            # Young directories may belong to a session that is starting its cluster now.
            if plane is None or time.time() - (directory / "state.json").stat().st_mtime < min_age:
                continue
            if not any(plane.running(name) for name in plane.argv):
                remove(directory)
        except (OSError, ClusterError):  # another session got there first, or not ours
            continue


def _start_or_reuse() -> tuple[ControlPlane, bool]:
    """The running `make cluster`, or a new cluster; and whether this session owns it."""
    install = current_install()
    existing = ControlPlane.load(DEFAULT_DIR)
    # A `make cluster` started before the pins changed would test the wrong version.
    if existing is not None and existing.built_from(install) and existing.healthy():
        return existing, False
    if not install.is_complete():
        if shutil.which("go") is None and not _in_ci():
            pytest.skip(f"these tests need the local Kubernetes control plane: {HOW_TO_GET_GO}")
        install = build()
    _remove_stale_clusters()
    directory = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    atexit.register(remove, directory)
    plane = ControlPlane.create(directory, install, die_with_parent=True)
    plane.start()
    return plane, True


@pytest.fixture(scope="session")
def control_plane() -> Iterator[ControlPlane]:
    """A running control plane for the whole session (see the module docstring)."""
    plane, owned = _start_or_reuse()
    try:
        yield plane
    finally:
        if owned:
            remove(plane.directory)
        elif not plane.running("kube-apiserver"):
            # A test stopped the API server of the developer's `make cluster`: bring it back.
            plane.start_apiserver()


@pytest.fixture(scope="session")
def kubeconfig(control_plane: ControlPlane) -> Path:
    """Path of the admin kubeconfig (system:masters)."""
    return control_plane.kubeconfig


def new_api_client(kubeconfig: Path) -> Any:
    """A kubernetes.client.ApiClient for a kubeconfig, e.g. one from restricted_kubeconfig()."""
    from kubernetes import config

    new_client: Any = config.new_client_from_config  # typed package, unannotated function
    return new_client(config_file=str(kubeconfig))


@pytest.fixture(scope="session")
def kube_api(kubeconfig: Path) -> Iterator[Any]:
    """A kubernetes.client.ApiClient for the admin."""
    api = new_api_client(kubeconfig)
    try:
        yield api
    finally:
        api.close()


def _namespace_name(test_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-")[:40].rstrip("-")
    return f"t-{slug}-{secrets.token_hex(3)}"


@pytest.fixture
def namespace(control_plane: ControlPlane, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new namespace named after the test, ready for pods (its default ServiceAccount exists);
    deleted afterwards without waiting for it to go."""
    name = _namespace_name(request.node.name)
    body = {"metadata": {"name": name, "labels": {NAMESPACE_LABEL: "true"}}}
    status, result = control_plane.request("POST", "/api/v1/namespaces", body)
    assert status == 201, f"creating namespace {name}: HTTP {status}: {result}"
    # The ServiceAccount admission plugin rejects pods until kube-controller-manager has made
    # the namespace's default ServiceAccount.
    wait_until(
        lambda: control_plane.get(f"/api/v1/namespaces/{name}/serviceaccounts/default") is not None,
        30,
        f"the default ServiceAccount in {name}",
    )
    try:
        yield name
    finally:
        control_plane.request(
            "DELETE", f"/api/v1/namespaces/{name}", {"propagationPolicy": "Background"}
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a cluster fixture with `cluster`, so `-m "not cluster"`
    deselects it even where the marker was forgotten."""
    for item in items:
        if CLUSTER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.cluster)
