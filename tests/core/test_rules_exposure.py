"""Exposure: each rule calls out its change and stays quiet otherwise."""

from __future__ import annotations

from tests.core.objects import FROM_JOBS, FROM_WEB, ingress, network_policy, risks, service


def test_a_service_becoming_a_load_balancer_is_called_out() -> None:
    assert risks(service(), service("LoadBalancer")) == [
        (
            "service-exposed",
            "becomes reachable from outside the cluster: type LoadBalancer (through an external load balancer)",
        )
    ]


def test_a_new_node_port_service_is_called_out() -> None:
    assert risks(None, service("NodePort")) == [
        (
            "service-exposed",
            "becomes reachable from outside the cluster: type NodePort (on every node's IP)",
        )
    ]


def test_a_cluster_ip_service_or_one_that_stays_a_load_balancer_is_quiet() -> None:
    assert risks(None, service("ClusterIP")) == []
    assert (
        risks(
            service("LoadBalancer"),
            {
                **service("LoadBalancer"),
                "metadata": {"name": "web", "namespace": "shop", "labels": {"a": "b"}},
            },
        )
        == []
    )
    assert risks(service("LoadBalancer"), service("NodePort")) == []


def test_an_ingress_serving_a_new_host_is_called_out() -> None:
    assert risks(ingress("shop.example.com"), ingress("shop.example.com", "admin.example.com")) == [
        ("ingress-host-added", 'serves new hosts: "admin.example.com"')
    ]


def test_a_new_catch_all_ingress_is_called_out() -> None:
    assert risks(None, ingress("")) == [("ingress-host-added", 'serves new hosts: "*"')]


def test_an_ingress_with_the_same_or_fewer_hosts_is_quiet() -> None:
    assert risks(ingress("a.example.com", "b.example.com"), ingress("b.example.com")) == []


def test_a_deleted_network_policy_is_called_out() -> None:
    assert risks(network_policy(FROM_WEB), None) == [
        (
            "network-policy-loosened",
            "deleted: the pods it selected accept and send traffic it blocked",
        )
    ]


def test_a_network_policy_gaining_an_ingress_rule_is_called_out() -> None:
    assert risks(network_policy(FROM_WEB), network_policy(FROM_WEB, FROM_JOBS)) == [
        ("network-policy-loosened", "allows more ingress traffic: 1 rule(s) added or changed")
    ]


def test_a_network_policy_allowing_everything_or_dropping_egress_is_called_out() -> None:
    assert risks(network_policy(FROM_WEB), network_policy({})) == [
        ("network-policy-loosened", "allows all ingress traffic (an empty rule)")
    ]
    old = network_policy(FROM_WEB, types=["Ingress", "Egress"])
    assert risks(old, network_policy(FROM_WEB, types=["Ingress"])) == [
        ("network-policy-loosened", "no longer restricts egress traffic")
    ]


def test_a_network_policy_losing_a_rule_or_being_created_is_quiet() -> None:
    assert risks(network_policy(FROM_WEB, FROM_JOBS), network_policy(FROM_WEB)) == []
    assert risks(None, network_policy(FROM_WEB)) == []
    # Egress rules given where policyTypes was unset: Egress was already implied.
    assert (
        risks(
            network_policy(FROM_WEB, egress=[]),
            network_policy(FROM_WEB, types=["Ingress", "Egress"], egress=[]),
        )
        == []
    )
