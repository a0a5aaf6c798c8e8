"""Adoption: objects already in the cluster exactly as Git has them, put there by kubectl or
another tool (the first run of every team that switches), are neither changes nor drift.

The objects are created by the real kubectl (client-side and server-side apply) on the real
control plane; the plan and apply are the CLI's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitops_action.cluster.inventory import PART_OF
from gitops_action.core.normalize import normalize
from tests.manifests import configmap, deployment, dump, secret, service, service_account
from tests.site import Site

pytestmark = pytest.mark.cluster


def app() -> str:
    return dump(
        configmap("settings", color="blue"),
        secret("credentials", password="hunter2"),
        service_account("runner"),
        service("web"),
        deployment("web"),
    )


def plan(site: Site) -> dict[str, Any]:
    out = site.tmp / "plan.json"
    result = site.run(
        site.repo.root, "--kubeconfig", str(site.control_plane.kubeconfig),
        "plan", "--base-ref", "HEAD", "--no-comment", "--output-json", str(out),
    )  # fmt: skip
    assert result.code == 0, result.out + result.err
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def without_ours(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as a person reads it, minus the label adoption adds."""
    out = normalize(obj)
    labels = out["metadata"].get("labels", {})
    labels.pop(PART_OF, None)
    if not labels:
        out["metadata"].pop("labels", None)
    return out


@pytest.mark.parametrize("how", [["apply", "-f", "-"], ["apply", "--server-side", "-f", "-"]])
def test_objects_applied_by_kubectl_are_adopted_not_changed(site: Site, how: list[str]) -> None:
    site.commit({"deploy/app.yaml": app()})
    site.kubectl(*how, stdin=app())
    before = {kind: site.get(kind, name) for kind, name in
              [("ConfigMap", "settings"), ("Deployment", "web"), ("Service", "web")]}  # fmt: skip

    first = plan(site)

    [target] = first["targets"]
    assert target["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 5, "adopt": 5}
    assert target["errors"] == []
    for row in target["resources"]:
        assert (row["action"], row.get("adopt"), row["diff"]) == ("unchanged", True, "")
        assert row["notes"] == [
            "already in the cluster as Git has it, deployed by other means: apply adds it to the "
            "inventory (labels only)"
        ]
        assert "drift" not in row and row["warnings"] == []

    applied, report = site.apply_json()

    assert applied.code == 0, applied.out + applied.err
    assert report["targets"][0]["summary"]["adopt"] == 5
    assert "(5 adopted)" in applied.out
    assert site.members() == {
        f"ConfigMap/{site.namespace}/settings",
        f"Secret/{site.namespace}/credentials",
        f"ServiceAccount/{site.namespace}/runner",
        f"Service/{site.namespace}/web",
        f"Deployment/{site.namespace}/web",
    }
    for (kind, name), old in zip(
        [("ConfigMap", "settings"), ("Deployment", "web"), ("Service", "web")],
        before.values(),
        strict=True,
    ):
        now = site.get(kind, name)
        assert now is not None and old is not None
        assert now["metadata"]["labels"][PART_OF]  # the labels are the only change
        assert without_ours(now) == without_ours(old)
    deployment_now = site.get("Deployment", "web")
    assert deployment_now is not None
    assert deployment_now["metadata"]["generation"] == 1, "the pods were not rolled"

    after = plan(site)

    assert after["targets"][0]["summary"] == {
        "create": 0, "update": 0, "delete": 0, "unchanged": 5, "adopt": 0,
    }  # fmt: skip
    assert all(not r.get("notes") for r in after["targets"][0]["resources"])


def test_an_adopted_object_that_also_differs_is_an_update_that_adds_our_label(site: Site) -> None:
    site.commit({"deploy/app.yaml": dump(configmap("settings", color="green"))})
    site.kubectl("apply", "-f", "-", stdin=dump(configmap("settings", color="blue")))

    [row] = plan(site)["targets"][0]["resources"]

    assert row["action"] == "update" and "adopt" not in row
    assert "-  color: blue\n+  color: green\n" in row["diff"]
    assert f"+    {PART_OF}: " in row["diff"]


def test_an_object_that_left_git_without_our_label_is_left_in_place_and_says_why(
    site: Site,
) -> None:
    site.commit({"deploy/app.yaml": dump(configmap("settings"), configmap("legacy"))})
    site.kubectl("apply", "-f", "-", stdin=dump(configmap("settings"), configmap("legacy")))
    site.commit({"deploy/app.yaml": dump(configmap("settings"))})
    out = site.tmp / "plan.json"

    result = site.run(
        site.repo.root, "--kubeconfig", str(site.control_plane.kubeconfig),
        "plan", "--base-ref", "HEAD~1", "--no-comment", "--output-json", str(out),
    )  # fmt: skip

    assert result.code == 0, result.err
    rows = {r["name"]: r for r in json.loads(out.read_text())["targets"][0]["resources"]}
    assert rows["legacy"]["action"] == "unchanged"
    assert rows["legacy"]["warnings"] == [
        "left Git but stays in the cluster: it carries no part-of label of this target (it was "
        "not deployed by gitops-action for it), so apply never deletes it; delete it by hand if "
        "it should go"
    ]
    assert rows["settings"]["adopt"] is True
    assert site.apply().code == 0
    assert site.get("ConfigMap", "legacy") is not None
