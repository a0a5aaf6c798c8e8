"""verify on the real control plane: in sync right after an apply, then out-of-band changes
made with the real kubectl, each found with its exact status and who made it, and changes
that are not ours never reported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitops_action.cluster.inventory import PART_OF, applyset_id, parent_name
from tests.manifests import configmap, deployment, dump, secret, service
from tests.site import Site

pytestmark = pytest.mark.cluster

PASSWORD = "s3cret-value-never-printed"
ROTATED = "r0tated-value-never-printed"


def stack() -> str:
    free = deployment("free")
    del free["spec"]["replicas"]  # an autoscaler's business
    return dump(
        configmap("settings", color="blue"),
        secret("credentials", password=PASSWORD),
        service("web"),
        deployment("web", replicas=2),
        free,
    )


def verify(site: Site, *args: str) -> tuple[int, str, str, dict[str, Any]]:
    out = site.tmp / "verify.json"
    result = site.run(
        site.repo.root, "--kubeconfig", str(site.control_plane.kubeconfig),
        "verify", "--on-drift", "none", "--output-json", str(out), *args,
    )  # fmt: skip
    return result.code, result.out, result.err, json.loads(out.read_text())


def rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['kind']}/{r['name']}": r for r in report["targets"][0]["resources"]}


@pytest.fixture
def applied(site: Site) -> Site:
    site.configure(wait=False)
    site.commit({"deploy/app.yaml": stack()})
    result = site.apply()
    assert result.code == 0, result.out + result.err
    return site


def test_right_after_apply_every_object_is_in_sync_and_exit_code_is_zero(applied: Site) -> None:
    code, out, _, report = verify(applied, "--exit-code")

    assert code == 0, out
    assert report["command"] == "verify"
    [target] = report["targets"]
    assert target["summary"] == {"in-sync": 5, "drifted": 0, "missing": 0, "orphaned": 0}
    assert {r["action"] for r in target["resources"]} == {"in-sync"}
    assert "0 drifted, 0 missing, 0 orphaned, 5 in sync" in out


def test_out_of_band_changes_are_found_with_who_made_them(applied: Site) -> None:
    site = applied
    site.kubectl("scale", "deployment/web", "--replicas=3")
    site.kubectl("patch", "configmap/settings", "--type=merge", "-p", '{"data":{"color":"red"}}')
    rotated = json.dumps({"stringData": {"password": ROTATED}})
    site.kubectl("patch", "secret/credentials", "--type=merge", "-p", rotated)
    site.kubectl("delete", "service/web")
    orphan = configmap("leftover")
    orphan["metadata"]["labels"] = {PART_OF: applyset_id(parent_name("app"), site.namespace)}
    site.kubectl("apply", "-f", "-", stdin=dump(orphan))

    code, out, err, report = verify(site, "--exit-code")

    assert code == 2, out + err
    found = rows(report)
    assert {name: r["action"] for name, r in found.items()} == {
        "ConfigMap/settings": "drifted",
        "Secret/credentials": "drifted",
        "Service/web": "missing",
        "Deployment/web": "drifted",
        "Deployment/free": "in-sync",
        "ConfigMap/leftover": "orphaned",
    }
    scale = found["Deployment/web"]
    assert [(c["manager"], c.get("subresource")) for c in scale["changed_by"]] == [
        ("kubectl", "scale")
    ]
    assert "-  replicas: 3\n+  replicas: 2\n" in scale["diff"]
    patch = found["ConfigMap/settings"]
    [who] = patch["changed_by"]
    assert (who["manager"], who["operation"]) == ("kubectl-patch", "Update") and who["time"]
    assert "-  color: red\n+  color: blue\n" in patch["diff"]
    assert "password: (hidden, changed)" in found["Secret/credentials"]["diff"]
    assert found["Service/web"]["notes"] == [
        "deleted from the cluster after it was applied (the API server keeps no record of "
        "who: see its audit log)"
    ]
    assert found["ConfigMap/leftover"]["notes"] == [
        "labelled as this target's, but no longer in Git: apply prunes it"
    ]
    everything = out + err + json.dumps(report)
    for value in (PASSWORD, ROTATED):
        assert value not in everything
        assert value.encode().hex() not in everything


def test_changes_that_are_not_ours_are_not_drift(applied: Site) -> None:
    site = applied
    site.kubectl("label", "configmap/settings", "team=payments")
    site.kubectl("annotate", "deployment/web", "owner=someone")
    site.kubectl("scale", "deployment/free", "--replicas=4")  # Git sets no replicas here

    code, out, _, report = verify(site, "--exit-code")

    assert code == 0, out
    assert {r["action"] for r in report["targets"][0]["resources"]} == {"in-sync"}


def test_ignored_paths_and_trusted_managers_are_not_drift(applied: Site) -> None:
    site = applied
    site.configure(
        wait=False,
        drift={"ignore": [{"kind": "Deployment", "paths": ["/spec/replicas"]}]},
    )
    site.commit({})
    site.kubectl("scale", "deployment/web", "--replicas=5")

    code, out, _, report = verify(site, "--exit-code")

    assert code == 0, out
    assert rows(report)["Deployment/web"]["action"] == "in-sync"


def test_in_sync_objects_cost_a_list_per_kind_and_no_dry_run(applied: Site) -> None:
    from gitops_action.commands.verify import VerifyOptions
    from gitops_action.commands.verify import run as run_verify
    from tests.plan.live_helpers import Counting

    counting = Counting(applied.kube())
    ctx = applied.context(counting)

    assert run_verify(ctx, VerifyOptions(on_drift="none")) == 0
    # ConfigMap, Secret, Service, Deployment: one label-selected LIST each; the parent: a GET.
    assert counting.calls["list"] == 4
    assert counting.calls["get"] == 1
    assert counting.calls["dry-run"] == 0 and counting.calls["apply"] == 0
