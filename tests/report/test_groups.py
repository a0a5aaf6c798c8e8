"""Identical changes grouped: by the diff with each object's own name set aside."""

from __future__ import annotations

import dataclasses
import json

from gitops_action.models import Report, ResourceDiff, ResourceKey, TargetReport
from gitops_action.report.groups import aside, blocks, group_ids
from gitops_action.report.json import dumps
from gitops_action.report.markdown import resource_block
from tests.report.plans import app, env, plan, row


def bump(name: str, old: str = "shop/web:1", new: str = "shop/web:2") -> ResourceDiff:
    return row(app(name, old), app(name, new))


def test_the_same_image_bump_in_many_deployments_is_one_group() -> None:
    target = plan("shop", *(bump(f"dep-{i}") for i in range(12)), bump("odd", new="shop/web:3"))
    shown = blocks(target)
    assert [len(b.rows) for b in shown] == [12, 1]
    assert shown[0].id and not shown[1].id
    assert shown[0].first.key.name == "dep-0"  # the group stands where its first row is


def test_a_groups_names_are_listed_in_natural_order() -> None:
    target = plan("shop", *(bump(f"dep-{i}") for i in (10, 2, 1, 0, 11)))
    (block,) = blocks(target)
    summary, listing = resource_block(block.first, members=block.keys).split("</summary>", 1)
    assert "<code>dep-0</code>, <code>dep-1</code>, <code>dep-2</code>, …" in summary
    names = [n.split("</code>")[0] for n in listing.split("<code>")[1:6]]
    assert names == ["dep-0", "dep-1", "dep-2", "dep-10", "dep-11"]


def test_the_name_its_leading_parts_and_the_namespace_are_set_aside_as_whole_words() -> None:
    key = ResourceKey("apps", "Deployment", "shop", "dep-1")
    name, stem, namespace = "\x00name-0\x00", "\x00name-1\x00", "\x00namespace\x00"
    assert aside("dep-1 dep-10 dep-1-env x.dep-1 shop/dep-1 deploy", key) == (
        f"{name} {stem}-10 {name}-env x.{name} {namespace}/{name} deploy"
    )


def test_names_made_from_the_app_name_group_like_the_name_itself() -> None:
    target = plan(
        "shop", *(row(env(f"app-{i}", "info"), env(f"app-{i}", "debug")) for i in range(3))
    )
    (group,) = blocks(target)
    assert [k.name for k in group.keys] == ["app-0-env", "app-1-env", "app-2-env"]


def test_different_changes_errors_and_rows_without_a_diff_stay_apart() -> None:
    failed = ResourceDiff(
        ResourceKey("", "ConfigMap", "shop", "a"), "v1", "create", "+x\n", error="rejected"
    )
    also = ResourceDiff(
        ResourceKey("", "ConfigMap", "shop", "b"), "v1", "create", "+x\n", error="rejected"
    )
    kept = ResourceDiff(
        ResourceKey("", "ConfigMap", "shop", "c"), "v1", "unchanged", warnings=("left Git",)
    )
    other = ResourceDiff(
        ResourceKey("", "ConfigMap", "shop", "d"), "v1", "unchanged", warnings=("left Git",)
    )
    target = plan("shop", bump("a"), bump("b", new="shop/web:3"), failed, also, kept, other)
    assert [len(b.rows) for b in blocks(target)] == [1, 1, 1, 1]  # "unchanged" rows are not shown
    assert group_ids(target) == {}


def test_in_json_each_row_keeps_its_diff_and_grouped_rows_share_an_id() -> None:
    target = plan("shop", bump("dep-0"), bump("dep-1"), bump("lone", new="shop/web:3"))
    rows = json.loads(dumps(Report("plan", "abc", (target,))))["targets"][0]["resources"]
    first, second, lone = sorted(rows, key=lambda r: r["name"])
    assert first["group"] == second["group"] and len(first["group"]) == 12
    assert "group" not in lone
    assert "app: dep-0" in first["diff"] and "app: dep-1" in second["diff"]
    assert first["risks"] == second["risks"] == lone["risks"] == []


def test_the_group_id_stays_while_the_change_does() -> None:
    two = group_ids(plan("shop", bump("dep-0"), bump("dep-1")))
    three = group_ids(plan("shop", bump("dep-0"), bump("dep-1"), bump("dep-2")))
    assert set(two.values()) == set(three.values())
    other = group_ids(
        plan("shop", bump("dep-0", new="shop/web:9"), bump("dep-1", new="shop/web:9"))
    )
    assert set(other.values()).isdisjoint(two.values())


def test_verify_rows_with_the_same_drift_share_a_group_and_in_sync_rows_are_not_shown() -> None:
    drifted = [dataclasses.replace(bump(f"dep-{i}"), action="drifted") for i in range(3)]
    in_sync = dataclasses.replace(bump("calm"), action="in-sync")
    (group,) = blocks(TargetReport("shop", (*drifted, in_sync)))
    assert group.id and [k.name for k in group.keys] == ["dep-0", "dep-1", "dep-2"]
