"""The inventory's records: the ApplySet parent, its salted fingerprints, and what they prove."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from gitops_action.cluster.inventory import (
    ADDITIONAL_NAMESPACES,
    APPLYSET_ID,
    CONTAINS,
    REVISION_ANNOTATION,
    Inventory,
    Member,
    applyset_id,
    from_parent,
)
from gitops_action.models import ResourceKey

KEY = ResourceKey("", "ConfigMap", "web", "settings")
OTHER = ResourceKey("apps", "Deployment", "jobs", "runner")


def live(value: str, manager: str = "gitops-action") -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {
            "name": "settings", "namespace": "web", "resourceVersion": "7",
            "managedFields": [{
                "manager": manager, "operation": "Apply",
                "fieldsV1": {"f:data": {"f:color": {}}},
            }],
        },
        "data": {"color": value},
    }  # fmt: skip


def test_the_parent_round_trips_members_revision_and_salt() -> None:
    inventory = Inventory(
        "app", "web", revision="abc123", salt="s" * 32,
        members={KEY: Member("v1", "d1", "l1"), OTHER: Member("apps/v1", "d2", "l2")},
    )  # fmt: skip

    parent = inventory.parent(group_kinds=["Service"])

    meta = parent["metadata"]
    assert meta["labels"][APPLYSET_ID] == applyset_id("gitops-action-app", "web")
    assert meta["annotations"][CONTAINS] == "ConfigMap,Deployment.apps,Service"
    assert meta["annotations"][ADDITIONAL_NAMESPACES] == "jobs"
    assert meta["annotations"][REVISION_ANNOTATION] == "abc123"
    again = from_parent("app", parent)
    assert (again.revision, again.salt, dict(again.members)) == (
        "abc123", "s" * 32, dict(inventory.members),
    )  # fmt: skip


def test_fingerprints_are_salted_so_equal_values_differ_across_targets() -> None:
    one = Inventory("app", "web", salt="a" * 32)
    two = Inventory("app", "web", salt="b" * 32)
    assert one.fingerprint({"password": "hunter2"}) != two.fingerprint({"password": "hunter2"})
    blob = base64.b64decode(one.parent()["data"]["inventory.json.gz"])
    assert "hunter2" not in gzip.decompress(blob).decode()


def test_an_object_is_proven_unchanged_only_while_git_and_our_live_fields_match() -> None:
    inventory = Inventory("app", "web", salt="x" * 32)
    rendered = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                "data": {"color": "blue"}}  # fmt: skip
    member = Member(
        "v1", inventory.desired_fingerprint(rendered), inventory.live_fingerprint(live("blue"))
    )
    recorded = Inventory("app", "web", salt="x" * 32, members={KEY: member})

    assert recorded.unchanged(KEY, rendered, live("blue"))
    assert not recorded.unchanged(KEY, {**rendered, "data": {"color": "red"}}, live("blue"))
    assert not recorded.unchanged(KEY, rendered, live("green"))  # changed in the cluster
    assert not recorded.unchanged(KEY, rendered, None)  # deleted in the cluster
    assert not recorded.unchanged(OTHER, rendered, live("blue"))  # never recorded
    # Only our fields count: a value someone else owns is not ours to prove.
    relabelled = live("blue")
    relabelled["metadata"]["labels"] = {"team": "a"}
    assert recorded.unchanged(KEY, rendered, relabelled)


def test_the_stored_record_is_compact_json_keyed_by_group_kind_namespace_name() -> None:
    inventory = Inventory("app", "web", members={KEY: Member("v1", "d", "l")})
    blob = base64.b64decode(inventory.parent()["data"]["inventory.json.gz"])
    assert json.loads(gzip.decompress(blob)) == {
        "version": 1, "members": {"|ConfigMap|web|settings": ["v1", "d", "l"]},
    }  # fmt: skip


def test_an_object_at_its_recorded_version_is_unchanged_without_projecting_it() -> None:
    inventory = Inventory("app", "web", salt="x" * 32)
    rendered = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                "data": {"color": "blue"}}  # fmt: skip
    member = Member("v1", inventory.desired_fingerprint(rendered), "not-this", version="7")
    recorded = Inventory("app", "web", salt="x" * 32, members={KEY: member})
    again = from_parent("app", recorded.parent())

    assert again.members[KEY].version == "7"
    assert again.unchanged(KEY, rendered, live("blue"))  # resourceVersion 7: the same bytes
    moved = live("blue")
    moved["metadata"]["resourceVersion"] = "8"
    assert not again.unchanged(KEY, rendered, moved)  # then the fingerprint decides
    old = Inventory("app", "web", salt="x" * 32, members={KEY: Member("v1", "d", "l")})
    assert from_parent("app", old.parent()).members[KEY] == Member("v1", "d", "l")
