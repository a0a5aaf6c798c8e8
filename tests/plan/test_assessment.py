"""The one assessment that plan and apply share: the plan promises what apply then does,
refusals included, and says what the JSON reader needs to tell changes apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_action.adapters.kube import Kube
from gitops_action.cluster.assess import Assessment, shared_objects
from gitops_action.cluster.inventory import PART_OF
from gitops_action.cluster.placement import Placement
from gitops_action.config import IgnoreRule, Target
from gitops_action.errors import Unreachable
from gitops_action.models import KubeObject, Manifest, ResourceKey
from gitops_action.plan.live import live_plan
from tests.manifests import configmap, deployment, dump
from tests.site import Site
from tests.support import Delegating

from .live_helpers import apply_all, edit, manifests

pytestmark = pytest.mark.cluster


def plan_json(site: Site, base: str = "HEAD") -> dict[str, Any]:
    out = site.tmp / "plan.json"
    result = site.run(
        site.repo.root, "--kubeconfig", str(site.control_plane.kubeconfig),
        "plan", "--base-ref", base, "--no-comment", "--output-json", str(out),
    )  # fmt: skip
    assert result.code in (0, 1), result.err
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def test_the_json_report_tells_drift_from_a_change_the_pull_request_makes(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("drifted", v="1"), configmap("changed", v="1"))})
    assert site.apply().code == 0
    kube = site.kube()
    edit(kube, configmap("drifted", site.namespace), {"data": {"v": "edited"}})
    site.commit({"deploy/a.yaml": dump(configmap("drifted", v="1"), configmap("changed", v="2"))})

    rows = {r["name"]: r for r in plan_json(site, "HEAD~1")["targets"][0]["resources"]}

    assert rows["drifted"]["action"] == "update" and rows["drifted"]["drift"] is True
    assert rows["drifted"]["notes"] == [
        "this pull request does not change it: the cluster differs from Git (drift), "
        "and applying restores Git's version"
    ]
    assert rows["changed"]["action"] == "update" and "drift" not in rows["changed"]


def test_the_plan_shows_the_prune_refusal_that_apply_would_make(site: Site) -> None:
    site.configure(**{"prune-limit": 0.5})
    site.commit({"deploy/a.yaml": dump(*(configmap(f"c{i}") for i in range(4)))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("c0"))})

    [target] = plan_json(site, "HEAD~1")["targets"]
    applied, report = site.apply_json()

    [refusal] = target["errors"]
    assert refusal.startswith("target app: refusing to prune 3 of 4 members (75%)")
    assert report["targets"][0]["errors"] == [refusal]
    assert applied.code == 1 and site.get("ConfigMap", "c3") is not None
    kept = {r["name"]: r for r in target["resources"]}["c3"]
    assert (kept["action"], kept["warnings"]) == (
        "unchanged",
        ["left Git but stays in the cluster: pruning was refused"],
    )


def test_an_object_two_targets_define_on_one_cluster_is_refused_by_plan_and_apply(
    site: Site,
) -> None:
    targets = [
        {"name": "one", "path": "deploy/one", "namespace": site.namespace},
        {"name": "two", "path": "deploy/two", "namespace": site.namespace},
    ]
    site.target = targets[0]
    site.commit({
        ".gitops.yaml": yaml.safe_dump({"version": 1, "targets": targets}),
        "deploy/one/a.yaml": dump(configmap("shared")),
        "deploy/two/a.yaml": dump(configmap("shared"), configmap("own")),
    })  # fmt: skip

    report = plan_json(site)
    applied, applied_report = site.apply_json()

    expected = (
        f"deploy/two/a.yaml:1:1: ConfigMap/{site.namespace}/shared: also defined by target one "
        "on the same cluster: an object belongs to one target; remove it from one of them"
    )
    assert [t["errors"] for t in report["targets"]] == [[], [expected]]
    assert applied.code == 1 and site.get("ConfigMap", "own") is None
    one, two = applied_report["targets"]
    assert expected in two["errors"]
    assert one["errors"] == [
        "target one: not applied: target two failed its checks; nothing was written"
    ]
    assert "⏭️ not applied: target two failed its checks; nothing was written" in applied.out


def test_a_target_whose_dry_run_fails_leaves_the_others_unwritten_and_says_so(
    site: Site,
) -> None:
    targets = [
        {"name": "good", "path": "deploy/good", "namespace": site.namespace},
        {"name": "bad", "path": "deploy/bad", "namespace": site.namespace},
    ]
    bad = configmap("bad")
    bad["data"] = {"not a valid key!": "x"}
    site.target = targets[0]
    site.commit({
        ".gitops.yaml": yaml.safe_dump({"version": 1, "targets": targets}),
        "deploy/good/a.yaml": dump(configmap("fine")),
        "deploy/bad/a.yaml": dump(bad),
    })  # fmt: skip

    result, report = site.apply_json()

    assert result.code == 1
    good = report["targets"][0]
    [row] = good["resources"]
    assert row["action"] == "create"
    assert row["warnings"] == ["not applied: target bad failed its checks; nothing was written"]
    assert good["errors"] == [
        "target good: not applied: target bad failed its checks; nothing was written"
    ]
    assert (
        site.get("ConfigMap", "fine") is None and site.get("Secret", "gitops-action-good") is None
    )


class Unreachable503(Delegating):
    """The real adapter, but every LIST fails as if the API server had gone away."""

    def list(self, *args: Any, **kwargs: Any) -> list[KubeObject]:
        raise Unreachable("cannot reach the API server at https://127.0.0.1:1 (refused)")


def test_a_cluster_error_while_checking_still_writes_the_report_and_outputs(site: Site) -> None:
    from gitops_action.commands.apply import ApplyOptions

    site.commit({"deploy/a.yaml": dump(configmap("a"), configmap("b"))})
    out = site.tmp / "report.json"

    code, text, _ = site.apply_with(
        Unreachable503(site.kube()),  # type: ignore[arg-type]
        ApplyOptions(output_json=out),
    )

    assert code == 1
    [target] = json.loads(out.read_text())["targets"]
    assert target["errors"] == [
        "target app: cannot reach the API server at https://127.0.0.1:1 (refused)"
    ]
    assert "== target app: ❌ failed, nothing written" in text


class Injecting(Delegating):
    """The real adapter behind a mutating webhook that stamps every write of a Deployment,
    dry-runs included, with the time (as sidecar injectors and policy engines do)."""

    def apply(self, obj: KubeObject, resource: Any, *, dry_run: bool, force: bool) -> KubeObject:
        answer: KubeObject = self.kube.apply(obj, resource, dry_run=dry_run, force=force)
        if dry_run and answer["kind"] == "Deployment":
            answer["metadata"].setdefault("annotations", {})["injected-at"] = "12:01"
            answer["metadata"]["managedFields"].append({
                "manager": "injector", "operation": "Update", "apiVersion": "apps/v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {"f:injected-at": {}}}},
            })  # fmt: skip
        return answer


def test_fields_of_ignored_managers_are_not_shown_but_ours_are(
    kubeconfig: Path, namespace: str
) -> None:
    kube = Kube(kubeconfig)
    desired = manifests(dump(deployment("web", replicas=2)), namespace)
    target = Target(name="web", path="deploy", namespace=namespace)
    apply_all(kube, desired, target)
    web = desired[0].obj
    edit(kube, web, {"metadata": {"annotations": {"injected-at": "12:00"}}}, manager="injector")
    edit(kube, web, {"spec": {"replicas": 5}}, manager="injector")  # a field Git sets too
    ignoring = Target(
        name="web", path="deploy", namespace=namespace,
        ignore=(IgnoreRule(kind="Deployment", managers=("injector",)),),
    )  # fmt: skip
    cluster = Injecting(kube)

    [row] = live_plan(cluster, ignoring, desired, desired).resources  # type: ignore[arg-type]
    [unfiltered] = live_plan(cluster, target, desired, desired).resources  # type: ignore[arg-type]

    assert "-    injected-at: '12:00'\n+    injected-at: '12:01'\n" in unfiltered.diff
    assert "injected-at" not in row.diff, "a field only the ignored manager holds is not shown"
    assert "-  replicas: 5\n+  replicas: 2\n" in row.diff, "a field Git sets is always shown"


def _assessment(target: Target, *keys: ResourceKey) -> Assessment:
    manifests = {
        k: Manifest({"apiVersion": "v1", "kind": k.kind, "metadata": {"name": k.name}})
        for k in keys
    }
    placement = Placement(manifests, {}, frozenset(), {})
    from gitops_action.cluster.inventory import Inventory

    return Assessment(
        target, Inventory(target.name, "ns"), None, placement, {}, {}, {},
        frozenset(), frozenset(),
    )  # fmt: skip


def test_the_shared_object_rule_keys_by_cluster_as_validate_does() -> None:
    role = ResourceKey("rbac.authorization.k8s.io", "ClusterRole", "", "reader")
    staging = Target(name="staging", path="a", context="staging")
    production = Target(name="production", path="b", context="production")
    again = Target(name="again", path="c", context="staging")

    shared = shared_objects(
        [_assessment(staging, role), _assessment(production, role), _assessment(again, role)]
    )

    assert list(shared) == ["again"]
    [problem] = shared["again"]
    assert "also defined by target staging on the same cluster" in problem.message


def test_create_namespace_makes_a_first_plan_and_apply_work_in_a_new_namespace(
    site: Site, control_plane: Any
) -> None:
    fresh = f"{site.namespace}-new"
    site.target = {"name": "app", "path": "deploy", "namespace": fresh, "create-namespace": True}
    site.repo.write({".gitops.yaml": yaml.safe_dump({"version": 1, "targets": [site.target]})})
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="blue"))})
    try:
        [target] = plan_json(site)["targets"]
        applied, report = site.apply_json()

        rows = {r["kind"]: r for r in target["resources"]}
        assert target["errors"] == [] and rows["Namespace"]["action"] == "create"
        assert rows["ConfigMap"]["action"] == "create" and "error" not in rows["ConfigMap"]
        assert applied.code == 0, applied.out + applied.err
        namespace = control_plane.get(f"/api/v1/namespaces/{fresh}")
        assert namespace["metadata"]["labels"][PART_OF]
        assert site.get("ConfigMap", "settings", fresh) is not None
        assert plan_json(site)["targets"][0]["summary"]["create"] == 0
        assert report["targets"][0]["errors"] == []
    finally:
        control_plane.request("DELETE", f"/api/v1/namespaces/{fresh}")
