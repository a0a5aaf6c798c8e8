"""Field sets of server-side apply: who owns which field, and projections onto them."""

from __future__ import annotations

from typing import Any

from gitops_action.core.fieldsets import drop, managers, owned_by, project

LIVE: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "labels": {"app": "web", "team": "a"},
        "managedFields": [
            {
                "manager": "gitops-action", "operation": "Apply",
                "fieldsV1": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {
                        "f:replicas": {},
                        "f:template": {"f:spec": {"f:containers": {
                            'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}},
                        }}},
                    },
                },
            },
            {
                "manager": "kubectl-label", "operation": "Update",
                "fieldsV1": {"f:metadata": {"f:labels": {"f:team": {}}}},
            },
            {
                "manager": "gitops-action", "operation": "Update", "subresource": "status",
                "fieldsV1": {"f:status": {"f:replicas": {}}},
            },
        ],
    },
    "spec": {
        "replicas": 3,
        "template": {"spec": {"containers": [
            {"name": "web", "image": "web:1", "args": ["--x"]},
            {"name": "sidecar", "image": "proxy:2"},
        ]}},
    },
}  # fmt: skip


def test_a_managers_field_set_leaves_out_other_operations_and_subresources() -> None:
    ours = owned_by(LIVE, "gitops-action")
    assert set(ours) == {"f:metadata", "f:spec"}
    assert owned_by(LIVE, "kubectl-label") == {}  # an Update, not an Apply
    assert owned_by(LIVE, "kubectl-label", operation=None) == {
        "f:metadata": {"f:labels": {"f:team": {}}}
    }
    assert managers(LIVE) == {"gitops-action", "kubectl-label"}


def test_a_projection_holds_exactly_the_owned_values_keyed_by_the_field_set() -> None:
    projected = project(LIVE, owned_by(LIVE, "gitops-action"))
    assert projected == {
        "f:metadata": {"f:labels": {"f:app": "web"}},
        "f:spec": {
            "f:replicas": 3,
            "f:template": {"f:spec": {"f:containers": {
                'k:{"name":"web"}': {"f:image": "web:1", "f:name": "web"},
            }}},
        },
    }  # fmt: skip


def test_a_change_to_an_owned_value_changes_the_projection_and_others_do_not() -> None:
    fields = owned_by(LIVE, "gitops-action")
    before = project(LIVE, fields)
    other = {**LIVE, "metadata": {**LIVE["metadata"], "labels": {"app": "web", "team": "b"}}}
    assert project(other, fields) == before
    scaled = {**LIVE, "spec": {**LIVE["spec"], "replicas": 4}}
    assert project(scaled, fields) != before


def test_dropping_a_managers_fields_keeps_the_ones_we_own_too() -> None:
    obj = {"metadata": {"labels": {"app": "web", "team": "a"}}, "spec": {"replicas": 3}}
    theirs = {"f:metadata": {"f:labels": {"f:team": {}, "f:app": {}}}, "f:spec": {"f:replicas": {}}}
    ours = {"f:spec": {"f:replicas": {}}}
    drop(obj, theirs, ours)
    assert obj == {"metadata": {"labels": {}}, "spec": {"replicas": 3}}
