"""Pod security loosened: each rule calls out its change and stays quiet otherwise."""

from __future__ import annotations

from tests.core.objects import container, deployment, obj, pod_template, risks, secure


def test_a_container_becoming_privileged_is_called_out() -> None:
    new = deployment(container(securityContext={"privileged": True}))
    assert risks(deployment(), new) == [
        ("pod-privileged", 'container "web" runs privileged: it has every access the node has')
    ]


def test_a_new_privileged_pod_is_called_out_too() -> None:
    pod = obj(
        "v1",
        "Pod",
        "debug",
        spec=pod_template(container("debug", securityContext={"privileged": True}))["spec"],
    )
    assert [rule for rule, _ in risks(None, pod)] == ["pod-privileged"]


def test_an_init_container_of_a_cronjob_is_read_too() -> None:
    def cronjob(privileged: bool) -> dict[str, object]:
        init = container("setup", securityContext={"privileged": privileged})
        template = {"spec": {"initContainers": [init], "containers": [container()]}}
        return obj(
            "batch/v1",
            "CronJob",
            "backup",
            spec={"schedule": "@daily", "jobTemplate": {"spec": {"template": template}}},
        )

    assert [rule for rule, _ in risks(cronjob(False), cronjob(True))] == ["pod-privileged"]


def test_an_already_privileged_container_or_privileged_false_is_quiet() -> None:
    privileged = container(securityContext={"privileged": True})
    assert risks(deployment(privileged), deployment({**privileged, "image": "web:2"})) == []
    assert risks(None, deployment(container(securityContext={"privileged": False}))) == []


def test_a_host_path_volume_is_called_out() -> None:
    new = deployment(volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}])
    assert risks(deployment(), new) == [
        ("pod-host-path", 'mounts the node\'s path "/var/log" (volume "logs")')
    ]


def test_other_volumes_are_quiet() -> None:
    new = deployment(
        volumes=[{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}}]
    )
    assert risks(deployment(), new) == []


def test_host_network_and_pid_are_called_out() -> None:
    assert risks(deployment(), deployment(hostNetwork=True, hostPID=True)) == [
        ("pod-host-namespaces", "shares the node's namespaces: hostNetwork, hostPID")
    ]


def test_host_namespaces_off_or_unchanged_are_quiet() -> None:
    assert risks(deployment(), deployment(hostNetwork=False)) == []
    assert risks(deployment(hostIPC=True), deployment(container(image="web:2"), hostIPC=True)) == []


def test_added_capabilities_are_called_out() -> None:
    caps = {"capabilities": {"add": ["NET_ADMIN", "SYS_TIME"]}}
    assert risks(deployment(), deployment(container(securityContext=caps))) == [
        ("pod-capabilities-added", 'container "web" adds capabilities NET_ADMIN, SYS_TIME')
    ]


def test_net_bind_service_and_dropped_capabilities_are_quiet() -> None:
    bind = {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}
    assert risks(deployment(), deployment(container(securityContext=bind))) == []


def test_run_as_non_root_dropped_from_the_pod_is_called_out() -> None:
    old = deployment(securityContext={"runAsNonRoot": True})
    assert risks(old, deployment()) == [
        (
            "pod-run-as-non-root-dropped",
            'container "web" may run as root: runAsNonRoot is no longer true',
        )
    ]


def test_run_as_non_root_moving_from_container_to_pod_is_quiet() -> None:
    old = deployment(container(securityContext={"runAsNonRoot": True}))
    new = deployment(securityContext={"runAsNonRoot": True})
    assert risks(old, new) == []


def test_a_new_pod_without_run_as_non_root_is_not_called_out() -> None:
    assert risks(None, deployment()) == []


def test_allow_privilege_escalation_turned_on_is_called_out() -> None:
    old = deployment(container(**secure()))
    new = deployment(container(**secure(allowPrivilegeEscalation=True)))
    assert risks(old, new) == [
        (
            "pod-privilege-escalation",
            'container "web" allows privilege escalation (allowPrivilegeEscalation is no longer false)',
        )
    ]


def test_allow_privilege_escalation_false_kept_or_never_set_is_quiet() -> None:
    assert (
        risks(deployment(container(**secure())), deployment(container(image="web:2", **secure())))
        == []
    )
    assert risks(deployment(), deployment(container(image="web:2"))) == []
