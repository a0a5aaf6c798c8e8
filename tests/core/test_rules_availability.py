"""Availability: each rule calls out its change and stays quiet otherwise."""

from __future__ import annotations

from tests.core.objects import deployment, pdb, risks, row, statefulset


def test_scaling_a_deployment_to_zero_is_called_out() -> None:
    assert risks(deployment(replicas=3), deployment(replicas=0)) == [
        ("replicas-to-zero", "scales to 0 replicas (from 3): nothing will serve")
    ]


def test_an_unset_replica_count_set_to_zero_is_called_out() -> None:
    assert [rule for rule, _ in risks(deployment(replicas=None), deployment(replicas=0))] == [
        "replicas-to-zero"
    ]


def test_scaling_down_but_not_to_zero_or_creating_at_zero_is_quiet() -> None:
    assert risks(deployment(replicas=3), deployment(replicas=1)) == []
    assert risks(None, deployment(replicas=0)) == []
    assert risks(deployment(replicas=0), deployment(replicas=0, hostIPC=False)) == []


def test_a_deleted_pod_disruption_budget_is_called_out() -> None:
    assert risks(pdb(), None) == [
        (
            "pdb-removed",
            "deleted: node drains and upgrades may then evict every pod it protected at once",
        )
    ]


def test_a_changed_or_new_pod_disruption_budget_is_quiet() -> None:
    assert risks(None, pdb()) == []
    changed = pdb()
    changed["spec"] = {**changed["spec"], "minAvailable": 2}
    assert risks(pdb(), changed) == []


def test_a_changed_deployment_selector_is_called_out() -> None:
    assert risks(deployment(), deployment(selector="web-v2")) == [
        (
            "selector-changed",
            "spec.selector changes: the Deployment must be deleted and re-created to apply it, and its pods go with it",
        )
    ]
    # The immutable-field warning stays: the rule adds what re-creating costs.
    warnings = row(deployment(), deployment(selector="web-v2")).warnings
    assert any(w.startswith("/spec/selector is immutable") for w in warnings)


def test_a_deployment_with_the_same_selector_is_quiet() -> None:
    assert risks(deployment(), deployment(replicas=5)) == []


def test_changed_volume_claim_templates_are_called_out() -> None:
    assert risks(statefulset(["data"]), statefulset(["data", "wal"])) == [
        (
            "statefulset-claims-changed",
            "spec.volumeClaimTemplates changes: the StatefulSet must be deleted and re-created to apply it; its pods go with it, its existing claims stay",
        )
    ]


def test_a_statefulset_with_the_same_claims_is_quiet() -> None:
    assert risks(statefulset(["data"]), statefulset(["data"], replicas=3)) == []
