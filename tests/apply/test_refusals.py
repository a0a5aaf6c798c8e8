"""What apply refuses, before writing anything: stale commits, big prunes, bad objects."""

from __future__ import annotations

import pytest

from gitops_action.cluster.inventory import REVISION_ANNOTATION
from tests.manifests import configmap, deployment, dump
from tests.site import Site

pytestmark = pytest.mark.cluster


def test_an_ancestor_of_the_recorded_commit_is_refused_and_accepted_with_force(site: Site) -> None:
    old = site.commit({"deploy/a.yaml": dump(configmap("settings", color="blue"))})
    new = site.commit({"deploy/a.yaml": dump(configmap("settings", color="green"))})
    assert site.apply().code == 0
    site.repo.git("checkout", "-q", "--detach", old)  # a queued run of the older merge

    refused, report = site.apply_json()

    assert refused.code == 1
    stale = f"target app: refusing to apply {old[:12]}: it is an ancestor of {new[:12]}"
    assert f"== target app: ❌ failed, nothing written\nerror: {stale}" in refused.out
    [error] = report["targets"][0]["errors"]  # the report is written, whatever stopped it
    assert error.startswith(stale) and error.endswith("or pass --force.")
    assert site.get("ConfigMap", "settings")["data"] == {"color": "green"}  # type: ignore[index]

    forced = site.apply("--force")

    assert forced.code == 0, forced.err
    assert site.get("ConfigMap", "settings")["data"] == {"color": "blue"}  # type: ignore[index]
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] == old
    assert "--force: applied over the recorded revision" in forced.err


def test_the_same_commit_applied_again_and_a_descendant_pass_the_guard(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="blue"))})
    assert site.apply().code == 0
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="green"))})
    assert site.apply().code == 0


def test_a_prune_over_the_limit_is_refused_before_anything_is_written(site: Site) -> None:
    site.configure(wait={"timeout": 30}, **{"prune-limit": 0.5})
    site.commit({"deploy/a.yaml": dump(*(configmap(f"cm-{i}") for i in range(4)))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("cm-0"), configmap("new"))})

    refused, report = site.apply_json()

    assert refused.code == 1
    assert (
        "refusing to prune 3 of 4 members (75%), more than its prune-limit of 0.5 (50%)"
        in refused.err + refused.out
    )
    statuses = {r["name"]: r["status"] for r in report["targets"][0]["resources"]}
    assert statuses == {
        "cm-0": "unchanged", "new": "not applied",
        "cm-1": "kept", "cm-2": "kept", "cm-3": "kept",
    }  # fmt: skip
    assert "raise prune-limit" in refused.out and "--force" in refused.out
    assert site.get("ConfigMap", "new") is None, "the refusal came after a write"
    assert all(site.get("ConfigMap", f"cm-{i}") is not None for i in range(4))

    forced = site.apply("--force")

    assert forced.code == 0, forced.out
    assert site.get("ConfigMap", "new") is not None
    assert [i for i in range(4) if site.get("ConfigMap", f"cm-{i}") is not None] == [0]


def test_an_empty_render_never_prunes_every_member_without_force(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("one"), configmap("two"))})
    assert site.apply().code == 0
    site.commit({"deploy/README.md": "nothing here any more\n"}, remove=("deploy/a.yaml",))

    refused = site.apply()

    assert refused.code == 1
    assert "renders no objects: refusing to prune all 2 of its members" in refused.out
    assert site.get("ConfigMap", "one") is not None


def test_one_bad_object_fails_the_dry_run_and_none_of_the_good_ones_is_created(site: Site) -> None:
    bad_key = configmap("bad")
    bad_key["data"] = {"not a valid key!": "x"}
    elsewhere = configmap("lost")
    elsewhere["metadata"]["namespace"] = f"{site.namespace}-missing"
    site.commit({
        "deploy/good.yaml": dump(configmap("good-1"), deployment("good-2")),
        "deploy/bad.yaml": dump(bad_key, elsewhere),
    })  # fmt: skip

    result, report = site.apply_json()

    assert result.code == 1
    assert site.get("ConfigMap", "good-1") is None
    assert site.get("Deployment", "good-2") is None
    assert site.inventory_parent() is None
    errors = report["targets"][0]["errors"]
    assert any(
        e.startswith(
            f"deploy/bad.yaml:1:1: ConfigMap/{site.namespace}/bad: the API server rejected the dry-run: "
        )
        and "not a valid key!" in e
        for e in errors
    ), errors
    assert any(
        e.startswith(
            f"deploy/bad.yaml:8:1: ConfigMap/{site.namespace}-missing/lost: the API server rejected the dry-run"
        )
        and "add a Namespace object to this target" in e
        for e in errors
    ), errors
    assert "failed, nothing written" in result.out


def test_an_immutable_field_change_names_the_field_and_what_to_do(site: Site) -> None:
    site.commit({"deploy/web.yaml": dump(deployment("web"))})
    assert site.apply().code == 0
    changed = deployment("web")
    changed["spec"]["selector"]["matchLabels"]["tier"] = "front"
    changed["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    site.commit({"deploy/web.yaml": dump(changed)})

    result = site.apply()

    assert result.code == 1
    assert "field is immutable" in result.out
    assert "(spec.selector)" in result.out
    assert f"delete Deployment/{site.namespace}/web and apply again to re-create it" in result.out


def test_a_field_owned_by_another_manager_fails_when_force_conflicts_is_off(site: Site) -> None:
    site.configure(wait={"timeout": 30}, **{"force-conflicts": False})
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="blue"))})
    assert site.apply().code == 0
    path = f"/api/v1/namespaces/{site.namespace}/configmaps/settings?fieldManager=operator"
    site.control_plane.request(
        "PATCH", path, {"data": {"color": "red"}}, content_type="application/merge-patch+json"
    )
    site.commit({"deploy/a.yaml": dump(configmap("settings", color="green"))})

    result = site.apply()

    assert result.code == 1
    assert 'conflict with "operator"' in result.out
    assert "force-conflicts is off for target app" in result.out
    assert site.get("ConfigMap", "settings")["data"] == {"color": "red"}  # type: ignore[index]
