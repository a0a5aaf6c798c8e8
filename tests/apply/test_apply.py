"""`gitops-action apply` on the real control plane: create, re-apply, change, prune, report."""

from __future__ import annotations

import base64
from collections import Counter
from pathlib import Path

import pytest
import yaml

from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import (
    APPLYSET_ID,
    CONTAINS,
    PART_OF,
    REVISION_ANNOTATION,
    TOOLING,
)
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.manifests import configmap, deployment, dump, secret, service
from tests.site import Site
from tests.support import Delegating

pytestmark = pytest.mark.cluster

SECRET_VALUE = "hunter2-do-not-print"


def stack() -> dict[str, str]:
    return {
        "deploy/config.yaml": dump(
            configmap("settings", color="blue"), secret("creds", password=SECRET_VALUE)
        ),
        "deploy/web.yaml": dump(service("web"), deployment("web", replicas=2)),
    }


class Counting(Delegating):
    """The real Kube adapter, counting server-side applies (writes and dry-runs)."""

    def __init__(self, kube: Kube) -> None:
        super().__init__(kube)
        self.applies: Counter[str] = Counter()

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        self.applies["dry-run" if dry_run else "write"] += 1
        return self.kube.apply(obj, resource, dry_run=dry_run, force=force)


def test_apply_creates_every_object_labels_it_and_records_the_applyset_parent(site: Site) -> None:
    head = site.commit(stack())

    result = site.apply()

    assert result.code == 0, result.err
    parent = site.inventory_parent()
    assert parent is not None
    applyset = parent["metadata"]["labels"][APPLYSET_ID]
    annotations = parent["metadata"]["annotations"]
    assert annotations[TOOLING] == "gitops-action/v1"
    assert annotations[REVISION_ANNOTATION] == head
    assert annotations[CONTAINS] == "ConfigMap,Deployment.apps,Secret,Service"
    for kind, name in [
        ("ConfigMap", "settings"),
        ("Secret", "creds"),
        ("Service", "web"),
        ("Deployment", "web"),
    ]:
        obj = site.get(kind, name)
        assert obj is not None, f"{kind}/{name} was not created"
        assert obj["metadata"]["labels"][PART_OF] == applyset
        managers = {
            m["manager"] for m in obj["metadata"]["managedFields"] if m["operation"] == "Apply"
        }
        assert managers == {"gitops-action"}
    assert site.members() == {
        f"ConfigMap/{site.namespace}/settings",
        f"Secret/{site.namespace}/creds",
        f"Service/{site.namespace}/web",
        f"Deployment/{site.namespace}/web",
    }
    deployment_status = site.get("Deployment", "web")["status"]  # type: ignore[index]
    assert deployment_status["availableReplicas"] == 2, "apply returned before the rollout"
    assert "applied (4)" in result.out
    assert SECRET_VALUE not in result.out + result.err


def test_reapplying_the_same_commit_writes_nothing_and_skips_every_dry_run(site: Site) -> None:
    site.commit(stack())
    assert site.apply().code == 0
    kinds = [
        ("ConfigMap", "settings"),
        ("Secret", "creds"),
        ("Service", "web"),
        ("Deployment", "web"),
    ]
    before = {k: site.version(*k) for k in [*kinds, ("Secret", "gitops-action-app")]}

    counting = Counting(site.kube())
    code, out, err = site.apply_with(counting)  # type: ignore[arg-type]

    assert code == 0, err
    assert counting.applies == Counter(), "an unchanged object was dry-run or written"
    assert {k: site.version(*k) for k in before} == before
    assert "0 create, 0 update, 0 delete, 4 unchanged" in out


def test_an_object_changed_outside_git_is_dry_run_and_written_back(site: Site) -> None:
    site.commit(stack())
    assert site.apply().code == 0
    path = f"/api/v1/namespaces/{site.namespace}/configmaps/settings"
    status, _ = site.control_plane.request(
        "PATCH", path, {"data": {"color": "red"}}, content_type="application/merge-patch+json"
    )
    assert status == 200

    counting = Counting(site.kube())
    code, out, err = site.apply_with(counting)  # type: ignore[arg-type]

    assert code == 0, err
    assert site.get("ConfigMap", "settings")["data"] == {"color": "blue"}  # type: ignore[index]
    # The patch made its author own data.color: the dry-run meets a conflict, forces, and says
    # whose field it takes. The object is back to what the record says; the record is written
    # again for the object's new resourceVersion (which lets later runs skip projecting it).
    assert counting.applies == Counter({"dry-run": 2, "write": 2})
    assert f"~ update ConfigMap/{site.namespace}/settings" in out
    assert 'warning: fields taken over from other managers: .data.color from "' in out


def test_a_merge_that_changes_adds_and_removes_objects_prunes_only_our_removed_member(
    site: Site,
) -> None:
    site.configure(wait={"timeout": 30}, protect=["Secret"])
    site.commit({
        "deploy/a.yaml": dump(configmap("kept", v="1"), configmap("removed", v="1")),
        "deploy/b.yaml": dump(secret("protected"), configmap("changed", v="1")),
    })  # fmt: skip
    assert site.apply().code == 0
    # A look-alike made by someone else: same kind and namespace, no part-of label.
    site.control_plane.request(
        "POST", f"/api/v1/namespaces/{site.namespace}/configmaps", configmap("lookalike", v="1")
    )
    kept_version = site.version("ConfigMap", "kept")

    site.commit(
        {"deploy/b.yaml": dump(configmap("changed", v="2"), configmap("added", v="1")),
         "deploy/a.yaml": dump(configmap("kept", v="1"))},
    )  # fmt: skip
    result, report = site.apply_json()

    assert result.code == 0, result.err
    assert site.get("ConfigMap", "removed") is None
    assert site.get("Secret", "protected") is not None
    assert site.get("ConfigMap", "lookalike") is not None
    assert site.get("ConfigMap", "changed")["data"] == {"v": "2"}  # type: ignore[index]
    assert site.get("ConfigMap", "added") is not None
    assert site.version("ConfigMap", "kept") == kept_version
    actions = {(r["kind"], r["name"]): r["action"] for r in report["targets"][0]["resources"]}
    assert actions == {
        ("ConfigMap", "added"): "create",
        ("ConfigMap", "changed"): "update",
        ("ConfigMap", "kept"): "unchanged",
        ("ConfigMap", "removed"): "delete",
        ("Secret", "protected"): "unchanged",
    }
    protected = next(r for r in report["targets"][0]["resources"] if r["name"] == "protected")
    assert protected["warnings"] == [
        "left Git but stays in the cluster: Secret is a protected kind (protect in .gitops.yaml)"
    ]
    # The protected Secret stays a member: it still carries the label, so the record says so.
    assert f"Secret/{site.namespace}/protected" in site.members()
    assert f"ConfigMap/{site.namespace}/removed" not in site.members()
    assert "pruned (1): ConfigMap" in result.out


def test_no_prune_keeps_what_left_git_as_a_member_for_a_later_prune(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("one"), configmap("two"), configmap("three"))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("one"), configmap("two"))})

    assert site.apply("--no-prune").code == 0
    assert site.get("ConfigMap", "three") is not None
    assert f"ConfigMap/{site.namespace}/three" in site.members()

    assert site.apply().code == 0
    assert site.get("ConfigMap", "three") is None


def test_dry_run_writes_nothing_and_reports_what_would_change(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("old"), configmap("kept"))})
    assert site.apply().code == 0
    parent_version = site.version("Secret", "gitops-action-app")
    site.commit({"deploy/a.yaml": dump(configmap("new"), configmap("kept"), deployment("web"))})

    result, report = site.apply_json("--dry-run")

    assert result.code == 0, result.err
    assert site.get("ConfigMap", "new") is None
    assert site.get("Deployment", "web") is None
    assert site.get("ConfigMap", "old") is not None
    assert site.version("Secret", "gitops-action-app") == parent_version
    assert report["targets"][0]["summary"] == {
        "create": 2,
        "update": 0,
        "delete": 1,
        "unchanged": 1,
        "adopt": 0,
    }
    assert "dry run: nothing was written" in result.out


def test_the_json_report_has_the_contract_shape(site: Site) -> None:
    head = site.commit(
        {
            "deploy/a.yaml": dump(
                configmap("settings", color="blue"), secret("creds", password=SECRET_VALUE)
            )
        }
    )

    result, report = site.apply_json()

    assert result.code == 0, result.err
    assert set(report) == {"version", "command", "revision", "targets"}
    assert (report["version"], report["command"], report["revision"]) == (1, "apply", head)
    [target] = report["targets"]
    assert set(target) == {"name", "summary", "resources", "errors"}
    assert target["name"] == "app"
    assert target["errors"] == []
    assert target["summary"] == {"create": 2, "update": 0, "delete": 0, "unchanged": 0, "adopt": 0}
    for row in target["resources"]:
        assert {"apiVersion", "kind", "namespace", "name", "action", "diff", "warnings"} <= set(row)
        assert row["action"] in {"create", "update", "delete", "unchanged"}
        assert row["namespace"] == site.namespace
    creds = next(r for r in target["resources"] if r["name"] == "creds")
    assert "password: (hidden, added)" in creds["diff"]
    assert SECRET_VALUE not in str(report)
    assert base64.b64encode(SECRET_VALUE.encode()).decode() not in str(report)


def test_a_dirty_working_tree_is_refused_naming_the_files(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("settings"))})
    site.repo.write(
        {"deploy/a.yaml": dump(configmap("settings", edited="yes")), "deploy/new.yaml": "{}\n"}
    )

    result = site.apply()

    assert result.code == 1
    assert "refusing to apply from a dirty working tree" in result.err
    assert "deploy/a.yaml" in result.err
    assert "deploy/new.yaml" in result.err
    assert "Commit or stash them" in result.err
    assert site.get("ConfigMap", "settings") is None
    assert site.inventory_parent() is None


def test_another_targets_members_are_never_pruned_nor_shared(site: Site) -> None:
    config = {
        "version": 1,
        "targets": [
            {"name": "one", "path": "deploy/one", "namespace": site.namespace},
            {"name": "two", "path": "deploy/two", "namespace": site.namespace},
        ],
    }
    site.target = config["targets"][0]
    site.commit({
        ".gitops.yaml": yaml.safe_dump(config),
        "deploy/one/a.yaml": dump(configmap("one-a"), configmap("one-b")),
        "deploy/two/a.yaml": dump(configmap("two-a"), configmap("two-b")),
    })  # fmt: skip
    assert site.apply().code == 0
    site.commit({"deploy/one/a.yaml": dump(configmap("one-a"))})

    assert site.apply(before=("--target", "one")).code == 0

    assert site.get("ConfigMap", "one-b") is None
    assert site.get("ConfigMap", "two-a") is not None and site.get("ConfigMap", "two-b") is not None
    site.commit(
        {"deploy/two/a.yaml": dump(configmap("two-a"), configmap("two-b"), configmap("one-a"))}
    )

    shared = site.apply()

    assert shared.code == 1
    assert f"ConfigMap/{site.namespace}/one-a: belongs to another ApplySet" in shared.out
    assert f"ConfigMap/{site.namespace}/one-a: also defined by target one" in shared.out


def test_step_outputs_name_the_changes_and_the_report(site: Site, tmp_path: Path) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("settings"))})
    outputs, report = tmp_path / "outputs", tmp_path / "out.json"
    summary = tmp_path / "summary.md"
    env = {"GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)}

    assert site.apply("--output-json", str(report), env=env).code == 0
    assert outputs.read_text() == f"report={report}\nchanges=true\n"
    assert "### gitops-action apply · `app` · ✅ applied" in summary.read_text()

    outputs.unlink()
    assert site.apply(env=env).code == 0
    assert outputs.read_text() == "changes=false\n"
