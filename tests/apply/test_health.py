"""Health after apply: rollouts waited for, and an unhealthy object named with why."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gitops_action.cluster.diagnose import pod_problem, selector
from gitops_action.cluster.health import assess
from gitops_action.cluster.inventory import REVISION_ANNOTATION
from tests.manifests import configmap, deployment, dump
from tests.site import Site


@pytest.mark.cluster
def test_a_deployment_that_can_never_be_scheduled_fails_within_its_timeout_naming_itself_and_why(
    site: Site,
) -> None:
    site.configure(wait={"timeout": 5})
    head = site.commit({
        "deploy/ok.yaml": dump(configmap("settings"), deployment("fits")),
        "deploy/big.yaml": dump(deployment("huge", cpu="1000")),
        "deploy/picky.yaml": dump(deployment("picky", node_selector={"disk": "nvme"})),
    })  # fmt: skip

    result, report = site.apply_json()

    assert result.code == 1
    errors = report["targets"][0]["errors"]
    huge = next(e for e in errors if f"Deployment/{site.namespace}/huge" in e)
    assert huge.startswith(
        f"deploy/big.yaml:1:1: Deployment/{site.namespace}/huge: not healthy after 5s: "
    )
    assert "0 of 1 updated replicas available" in huge
    assert "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu." in huge
    picky = next(e for e in errors if f"Deployment/{site.namespace}/picky" in e)
    assert "node(s) didn't match Pod's node affinity/selector" in picky
    assert not any("fits" in e for e in errors)
    # Applied (the cluster runs this commit, unhealthy): recorded, so a re-run is not stale.
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] == head

    again = site.apply("--timeout", "1")
    assert again.code == 1, "a re-run must not hide a rollout that is still broken"
    assert "Insufficient cpu" in again.out


@pytest.mark.cluster
def test_no_wait_returns_without_checking_health(site: Site) -> None:
    site.configure(wait={"timeout": 5})
    site.commit({"deploy/big.yaml": dump(deployment("huge", cpu="1000"))})

    result = site.apply("--no-wait")

    assert result.code == 0, result.out
    assert site.get("Deployment", "huge") is not None
    assert "== target app: ✅ applied: 1 written; health not waited for" in result.out


@pytest.mark.cluster
def test_a_successful_apply_says_what_it_wrote_and_what_it_waited_for(site: Site) -> None:
    site.configure(wait={"timeout": 60})
    site.commit({"deploy/app.yaml": dump(configmap("settings"), deployment("web", replicas=2))})

    first = site.apply()
    again = site.apply()

    assert first.code == 0, first.out
    assert re.search(r"✅ applied: 2 written; 1 healthy in \d+ s \(1 Deployment\)", first.out)
    assert "✅ applied: nothing to change; 1 healthy in" in again.out


def deployment_status(**status: Any) -> dict[str, Any]:
    obj = deployment("web", replicas=2)
    obj["metadata"]["generation"] = 2
    obj["status"] = {"observedGeneration": 2, **status}
    return obj


@pytest.mark.parametrize(
    ("status", "state", "reason"),
    [
        ({"observedGeneration": 1}, "waiting", "its controller has not yet seen generation 2"),
        ({"updatedReplicas": 1, "replicas": 2}, "waiting", "1 of 2 replicas updated"),
        (
            {"updatedReplicas": 2, "replicas": 3},
            "waiting",
            "1 old replicas are pending termination",
        ),
        (
            {"updatedReplicas": 2, "replicas": 2, "availableReplicas": 1},
            "waiting",
            "1 of 2 updated replicas available",
        ),
        ({"updatedReplicas": 2, "replicas": 2, "availableReplicas": 2}, "ready", ""),
        (
            {
                "conditions": [
                    {
                        "type": "Progressing",
                        "status": "False",
                        "reason": "ProgressDeadlineExceeded",
                        "message": "too slow",
                    }
                ]
            },
            "failed",
            "the rollout exceeded its progress deadline (ProgressDeadlineExceeded: too slow)",
        ),
    ],
)
def test_a_deployment_is_ready_only_when_every_replica_is_updated_and_available(
    status: dict[str, Any], state: str, reason: str
) -> None:
    verdict = assess(deployment_status(**status))
    assert (verdict.state, verdict.reason) == (state, reason)


def test_a_failed_job_is_final_and_a_complete_one_is_ready() -> None:
    job: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "migrate"},
        "spec": {},
    }
    failed = {
        **job,
        "status": {
            "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]
        },
    }
    complete = {**job, "status": {"conditions": [{"type": "Complete", "status": "True"}]}}
    running = {**job, "status": {"active": 1}}
    assert assess(failed).state == "failed"
    assert assess(failed).reason == "the Job failed (BackoffLimitExceeded)"
    assert assess(complete).state == "ready"
    assert assess(running).reason == "0 of 1 completions"


def test_statefulsets_daemonsets_crds_and_ready_conditions_follow_their_rules() -> None:
    sts = {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "generation": 1},
        "spec": {"replicas": 3},
        "status": {"observedGeneration": 1, "readyReplicas": 3, "availableReplicas": 3,
                   "currentRevision": "a", "updateRevision": "b"},
    }  # fmt: skip
    assert assess(sts).reason == "rolling update in progress"
    sts["status"]["currentRevision"] = "b"
    assert assess(sts).state == "ready"
    ds = {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
        "status": {"observedGeneration": 1, "desiredNumberScheduled": 2,
                   "updatedNumberScheduled": 2, "numberAvailable": 1},
    }  # fmt: skip
    assert assess(ds).reason == "1 of 2 pods available"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "x"}, "status": {"conditions": [{"type": "Established", "status": "True"}]}}  # fmt: skip
    assert assess(crd).state == "ready"
    cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "tls"},
            "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Issuing", "message": "in progress"}]}}  # fmt: skip
    assert assess(cert).reason == "Ready is False (Issuing: in progress)"
    assert assess(configmap("plain")).state == "ready"


def test_pod_problems_say_what_stops_the_pod() -> None:
    pending = {
        "status": {
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/1 nodes are available: 1 Insufficient cpu.",
                }
            ]
        }
    }
    pulling = {
        "status": {
            "containerStatuses": [
                {
                    "name": "app",
                    "state": {"waiting": {"reason": "ImagePullBackOff", "message": "not found"}},
                }
            ]
        }
    }
    crashed = {
        "status": {
            "containerStatuses": [
                {"name": "app", "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}
            ]
        }
    }
    assert pod_problem(pending) == "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu."
    assert pod_problem(pulling) == "container app: ImagePullBackOff: not found"
    assert pod_problem(crashed) == "container app exited with code 2 (Error)"
    assert (
        selector(
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
            }
        )
        == "app=web,tier in (a,b)"
    )
