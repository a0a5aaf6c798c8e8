"""RBAC widened: each rule calls out its change and stays quiet otherwise."""

from __future__ import annotations

from gitops_action.core.review import review
from gitops_action.models import TargetReport
from tests.core.objects import allow, binding, risks, role, row


def test_a_clusterrole_gaining_a_wildcard_verb_is_called_out() -> None:
    old, new = role(allow(["get"], ["pods"])), role(allow(["*"], ["pods"]))
    assert risks(old, new) == [("rbac-wildcard", 'grants "*": * on pods')]


def test_a_new_role_with_a_wildcard_resource_is_called_out() -> None:
    new = role(allow(["get"], ["*"], ["apps"]), kind="Role")
    assert risks(None, new) == [("rbac-wildcard", 'grants "*": get on *.apps')]


def test_a_wildcard_the_role_already_had_is_not_called_out_again() -> None:
    old = role(allow(["*"], ["pods"]))
    new = role(allow(["*"], ["pods"]), allow(["*"], ["pods"], resourceNames=["web"]))
    assert risks(old, new) == []


def test_new_verbs_and_resources_on_an_existing_role_are_called_out() -> None:
    old = role(allow(["get"], ["pods"]))
    new = role(allow(["get", "delete"], ["pods", "secrets"]))
    assert risks(old, new) == [
        ("rbac-new-permissions", "grants more: delete on pods, delete on secrets, get on secrets")
    ]


def test_dropping_resource_names_widens_a_role() -> None:
    old = role(allow(["get"], ["secrets"], resourceNames=["tls"]))
    new = role(allow(["get"], ["secrets"]))
    assert risks(old, new) == [("rbac-new-permissions", "grants more: get on secrets")]


def test_a_role_that_only_loses_permissions_or_is_reordered_is_quiet() -> None:
    old = role(allow(["get", "list"], ["pods"]), allow(["get"], ["configmaps"]))
    assert risks(old, role(allow(["get"], ["configmaps"]), allow(["list", "get"], ["pods"]))) == []
    assert risks(old, role(allow(["get"], ["pods"]))) == []


def test_a_new_ordinary_role_is_not_a_widening() -> None:
    assert risks(None, role(allow(["get", "list"], ["pods"]))) == []


def test_a_role_gaining_impersonate_is_called_out_as_a_powerful_verb() -> None:
    old = role(allow(["get"], ["pods"]))
    new = role(allow(["get"], ["pods"]), allow(["impersonate"], ["serviceaccounts"]))
    assert risks(old, new) == [
        (
            "rbac-escalation-verbs",
            "grants impersonate on serviceaccounts: whoever holds it can gain permissions it was not given",
        )
    ]


def test_a_new_role_with_bind_and_escalate_is_called_out() -> None:
    new = role(allow(["bind", "escalate"], ["clusterroles"], ["rbac.authorization.k8s.io"]))
    assert [rule for rule, _ in risks(None, new)] == ["rbac-escalation-verbs"]


def test_a_role_keeping_its_powerful_verbs_is_quiet() -> None:
    old = role(allow(["bind"], ["roles"], ["rbac.authorization.k8s.io"]))
    new = role(allow(["bind"], ["roles"], ["rbac.authorization.k8s.io"]), allow(["get"], ["pods"]))
    assert [rule for rule, _ in risks(old, new)] == ["rbac-new-permissions"]


def test_a_binding_to_cluster_admin_is_called_out() -> None:
    assert risks(None, binding("cluster-admin", "deployer")) == [
        (
            "rbac-powerful-binding",
            'binds ClusterRole "cluster-admin" (every permission in the cluster) to ServiceAccount "deployer"',
        )
    ]


def test_a_new_subject_of_the_edit_role_is_called_out() -> None:
    old = binding("edit", "ci", kind="RoleBinding")
    new = binding("edit", "ci", "intern", kind="RoleBinding")
    assert risks(old, new) == [
        (
            "rbac-powerful-binding",
            'binds ClusterRole "edit" (impersonate on ServiceAccounts) to ServiceAccount "intern"',
        )
    ]


def test_a_binding_to_cluster_admin_losing_a_subject_or_to_view_is_quiet() -> None:
    assert risks(binding("cluster-admin", "a", "b"), binding("cluster-admin", "a")) == []
    assert risks(None, binding("view", "deployer")) == []


def test_a_binding_to_a_powerful_clusterrole_of_the_same_plan_is_called_out() -> None:
    powerful = role(
        allow(["escalate", "get"], ["clusterroles"], ["rbac.authorization.k8s.io"]), name="ops"
    )
    target = TargetReport(
        "prod",
        (row(powerful, powerful), row(None, binding("ops", "deployer"))),
    )
    unchanged_role, bound = review(target).resources
    assert unchanged_role.action == "unchanged" and unchanged_role.risks == ()
    assert [(r.rule, r.message) for r in bound.risks] == [
        (
            "rbac-powerful-binding",
            'binds ClusterRole/ops, which grants escalate (in this plan), to ServiceAccount "deployer"',
        )
    ]
    assert review(review(target)) == review(target)  # idempotent


def test_a_binding_to_a_harmless_or_unknown_clusterrole_stays_quiet() -> None:
    harmless = role(allow(["get"], ["pods"]), name="ops")
    target = TargetReport(
        "prod",
        (row(None, harmless), row(None, binding("ops", "a")), row(None, binding("elsewhere", "b"))),
    )
    assert [r.risks for r in review(target).resources] == [(), (), ()]
