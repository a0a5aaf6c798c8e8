"""Proof that the local control plane behaves like a real cluster where gitops-action relies on it:
workloads roll out, the API server defaults and canonicalises, server-side apply dry-runs write
nothing, RBAC refuses what a Role does not grant, and the API server can be restarted mid-test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiException

from tests.cluster.components import NODE_NAME
from tests.cluster.controlplane import ControlPlane
from tests.cluster.fixtures import new_api_client
from tests.cluster.pins import load_pins

pytestmark = pytest.mark.cluster


def deployment(name: str, replicas: int = 2, cpu: str = "100m") -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            # kwok runs no containers, so the image is never pulled.
                            "name": "app",
                            "image": "registry.invalid/app:1",
                            "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}},
                        }
                    ]
                },
            },
        },
    }


def raw(
    api: Any,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    query: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """One request through the ApiClient, returning the decoded JSON without the client's models
    (which would re-shape what the server sent). Errors raise ApiException, as the typed APIs do.
    """
    method, url, headers, serialized, _ = api.param_serialize(
        method=method,
        resource_path=path,
        query_params=query or [],
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(method, url, header_params=headers, body=serialized)
    response.read()
    if response.status >= 400:
        raise ApiException(http_resp=response)
    decoded: dict[str, Any] = json.loads(response.data)
    return decoded


def wait_for(check: Any, timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def test_a_deployment_rolls_out_with_pods_made_ready_by_kwok(kube_api: Any, namespace: str) -> None:
    apps: Any = client.AppsV1Api(kube_api)
    core: Any = client.CoreV1Api(kube_api)
    apps.create_namespaced_deployment(namespace, deployment("web", replicas=3))

    def rolled_out() -> Any:
        status = apps.read_namespaced_deployment_status("web", namespace).status
        return status.available_replicas == 3 and status.updated_replicas == 3 and status

    status = wait_for(rolled_out, what="deployment web to roll out")
    assert status.ready_replicas == 3
    pods = core.list_namespaced_pod(namespace, label_selector="app=web").items
    assert len(pods) == 3
    for pod in pods:
        assert pod.spec.node_name == NODE_NAME
        assert pod.status.phase == "Running"
        ready = {c.type: c.status for c in pod.status.conditions}
        assert ready["Ready"] == "True"


def test_the_api_server_fills_in_defaults_when_an_object_is_created(
    kube_api: Any, namespace: str
) -> None:
    created = raw(
        kube_api, "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", deployment("web")
    )
    container = created["spec"]["template"]["spec"]["containers"][0]
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert created["spec"]["strategy"]["type"] == "RollingUpdate"
    assert created["spec"]["revisionHistoryLimit"] == 10


def test_half_a_cpu_comes_back_in_canonical_form_as_500m(kube_api: Any, namespace: str) -> None:
    raw(
        kube_api,
        "POST",
        f"/apis/apps/v1/namespaces/{namespace}/deployments",
        deployment("web", cpu="0.5"),
    )
    live = raw(kube_api, "GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/web")
    requests = live["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
    assert requests == {"cpu": "500m", "memory": "64Mi"}


def test_a_server_side_apply_dry_run_shows_the_result_and_writes_nothing(
    kube_api: Any, namespace: str
) -> None:
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments/web"
    query = [("dryRun", "All"), ("fieldManager", "gitops-action"), ("force", "true")]
    apply_yaml = "application/apply-patch+yaml"

    # Against nothing: the server shows the object it would create, defaulted, and keeps none.
    would_create = raw(
        kube_api, "PATCH", path, deployment("web", cpu="0.5"), content_type=apply_yaml, query=query
    )
    container = would_create["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"]["cpu"] == "500m"
    assert container["terminationMessagePath"] == "/dev/termination-log"
    managers = {entry["manager"] for entry in would_create["metadata"]["managedFields"]}
    assert managers == {"gitops-action"}
    with pytest.raises(ApiException) as missing:
        client.AppsV1Api(kube_api).read_namespaced_deployment("web", namespace)
    assert missing.value.status == 404

    # Against a live object: the answer has the change, the live object does not.
    raw(kube_api, "PATCH", path, deployment("web"), content_type=apply_yaml, query=query[1:])
    would_update = raw(
        kube_api, "PATCH", path, deployment("web", replicas=5), content_type=apply_yaml, query=query
    )
    assert would_update["spec"]["replicas"] == 5
    live = raw(kube_api, "GET", path)
    assert live["spec"]["replicas"] == 2
    # The spec was never written again (its status may be, by the deployment controller).
    assert live["metadata"]["generation"] == 1


def test_a_restricted_identity_may_read_what_its_role_allows_and_write_nothing(
    control_plane: ControlPlane, kube_api: Any, namespace: str
) -> None:
    core_admin: Any = client.CoreV1Api(kube_api)
    core_admin.create_namespaced_config_map(
        namespace, {"metadata": {"name": "settings"}, "data": {"color": "blue"}}
    )
    read_configmaps = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]
    path = control_plane.restricted_kubeconfig(namespace, read_configmaps)
    restricted = new_api_client(path)
    try:
        core: Any = client.CoreV1Api(restricted)
        listed = core.list_namespaced_config_map(namespace).items
        assert "settings" in {cm.metadata.name for cm in listed}
        assert core.read_namespaced_config_map("settings", namespace).data == {"color": "blue"}

        refused: list[Callable[[], object]] = [
            lambda: core.create_namespaced_config_map(namespace, {"metadata": {"name": "x"}}),
            lambda: core.patch_namespaced_config_map("settings", namespace, {"data": {"a": "b"}}),
            lambda: core.list_namespaced_secret(namespace),
            lambda: core.list_namespaced_config_map("default"),
        ]
        for call in refused:
            with pytest.raises(ApiException) as error:
                call()
            assert error.value.status == 403
    finally:
        restricted.close()


def test_cluster_rules_grant_a_restricted_identity_cluster_wide_reads_and_no_more(
    control_plane: ControlPlane, namespace: str
) -> None:
    list_namespaces = [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list"]}]
    path = control_plane.restricted_kubeconfig(namespace, [], cluster_rules=list_namespaces)
    restricted = new_api_client(path)
    try:
        core: Any = client.CoreV1Api(restricted)
        assert namespace in {ns.metadata.name for ns in core.list_namespace().items}
        with pytest.raises(ApiException) as error:
            core.list_node()
        assert error.value.status == 403
    finally:
        restricted.close()


def test_version_reports_the_pinned_kubernetes_release(kube_api: Any) -> None:
    version = client.VersionApi(kube_api).get_code()
    assert version.git_version == load_pins().kubernetes == "v1.36.3"
    assert (version.major, version.minor) == ("1", "36")


@pytest.mark.parametrize("graceful", [True, False], ids=["sigterm", "crash"])
def test_the_api_server_restarts_on_the_same_address_with_its_data_and_workloads_still_roll_out(
    control_plane: ControlPlane, kube_api: Any, namespace: str, graceful: bool
) -> None:
    core: Any = client.CoreV1Api(kube_api)
    apps: Any = client.AppsV1Api(kube_api)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "kept"}})
    server = control_plane.server

    control_plane.stop_apiserver(graceful=graceful)
    assert not control_plane.ready()
    control_plane.start_apiserver()

    assert control_plane.server == server
    assert core.read_namespaced_config_map("kept", namespace).metadata.name == "kept"
    apps.create_namespaced_deployment(namespace, deployment("after-restart", replicas=2))

    def available() -> bool:
        status = apps.read_namespaced_deployment_status("after-restart", namespace).status
        return bool(status.available_replicas == 2)

    wait_for(available, timeout=20, what="a rollout right after the restart")
