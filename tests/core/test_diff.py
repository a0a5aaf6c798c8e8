"""Normalize, mask and diff: actions, warnings, and no Secret value in any output."""

from __future__ import annotations

import base64
import json

from gitops_action.core.diff import compare, diff_sets, to_yaml
from gitops_action.core.normalize import drop_path, get_path, normalize
from gitops_action.models import Fact, Manifest, ResourceKey

WEB = ResourceKey("apps", "Deployment", "prod", "web")
SECRET = ResourceKey("", "Secret", "prod", "db")


def deployment(image: str = "web:1", replicas: int = 2, **meta: object) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod", **meta},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }


def secret(**values: str) -> dict[str, object]:
    data = {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "prod"},
        "data": data,
    }


def test_normalize_strips_server_noise_and_empty_maps() -> None:
    live = deployment(
        uid="1",
        resourceVersion="5",
        generation=3,
        creationTimestamp="2024-01-01T00:00:00Z",
        managedFields=[{"manager": "kubectl"}],
        annotations={"kubectl.kubernetes.io/last-applied-configuration": "{}"},
        labels={},
    )
    live["status"] = {"replicas": 2}
    assert normalize(live) == deployment()
    assert "status" in live  # the input is not modified


def test_string_data_and_data_with_equal_values_compare_equal() -> None:
    head = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "stringData": {"password": "s3cret"},
    }
    base = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "data": {"password": base64.b64encode(b"s3cret").decode()},
    }
    assert normalize(head) == normalize(base)


def test_an_image_change_is_an_update_with_a_readable_diff() -> None:
    row = compare(WEB, "apps/v1", deployment("web:1"), deployment("web:2"))
    assert row.action == "update"
    assert row.warnings == ()
    assert "-      - image: web:1\n+      - image: web:2\n" in row.diff
    assert row.diff.startswith("--- base\n+++ head\n@@ ")


def test_equal_objects_are_unchanged_with_no_diff() -> None:
    row = compare(WEB, "apps/v1", deployment(), deployment())
    assert (row.action, row.diff, row.warnings) == ("unchanged", "", ())


def test_a_deletion_warns_that_it_will_be_pruned() -> None:
    row = compare(WEB, "apps/v1", deployment(), None)
    assert row.action == "delete"
    assert row.warnings == ("Deployment/prod/web will be deleted (pruned) when this is applied",)
    assert row.diff.startswith("--- base\n+++ /dev/null\n")


def test_an_immutable_selector_change_is_a_warning_that_says_what_to_do() -> None:
    new = deployment()
    new["spec"]["selector"] = {"matchLabels": {"app": "web2"}}  # type: ignore[index]
    row = compare(WEB, "apps/v1", deployment(), new)
    assert row.warnings == (
        "/spec/selector is immutable: apply will be rejected; delete and re-create "
        "Deployment/prod/web (or give it a new name) to change it",
    )


def test_secret_values_never_appear_only_which_keys_changed() -> None:
    old = normalize(secret(password="hunter2", user="admin", old="gone-value"))
    new = normalize(secret(password="correct-horse", user="admin", token="tok-123"))
    row = compare(SECRET, "v1", old, new)
    text = json.dumps([row.diff, row.warnings, repr(row.facts), repr(row.risks)])
    for value in ("hunter2", "correct-horse", "admin", "tok-123", "gone-value"):
        assert value not in text
        assert base64.b64encode(value.encode()).decode() not in text
    assert row.warnings == (
        "Secret keys changed (added: token; changed: password; removed: old); values are not shown",
    )
    assert "-  old: (hidden)\n" in row.diff
    assert "-  password: (hidden)\n+  password: (hidden, changed)\n" in row.diff
    assert "+  token: (hidden, added)\n" in row.diff
    assert "user" not in row.diff.split("@@", 2)[2].replace(" user: (hidden)\n", "")


def test_a_created_secret_shows_keys_only() -> None:
    row = compare(SECRET, "v1", None, normalize(secret(password="hunter2")))
    assert "hunter2" not in row.diff and base64.b64encode(b"hunter2").decode() not in row.diff
    assert "+  password: (hidden, added)\n" in row.diff


def test_secret_with_only_equal_values_is_unchanged() -> None:
    row = compare(SECRET, "v1", normalize(secret(a="1")), normalize(secret(a="1")))
    assert row.action == "unchanged"


def test_diff_sets_matches_by_key_and_orders_rows() -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "prod"},
        "data": {"a": "1"},
    }
    desired = {
        WEB: (Manifest(deployment("web:2")), deployment("web:2")),
        ResourceKey.of(cm): (Manifest(cm), cm),
    }
    baseline = {WEB: deployment("web:1"), SECRET: secret(a="1")}
    rows = diff_sets(desired, baseline)
    assert [(str(r.key), r.action) for r in rows] == [
        ("ConfigMap/prod/cfg", "create"),
        ("Secret/prod/db", "delete"),
        ("Deployment/prod/web", "update"),
    ]


def test_yaml_for_diff_puts_identity_first_and_multiline_text_as_blocks() -> None:
    cm = {
        "data": {"conf": "a=1\nb=2\n"},
        "metadata": {"namespace": "n", "labels": {"x": "y"}, "name": "c"},
        "kind": "ConfigMap",
        "apiVersion": "v1",
    }
    assert to_yaml(cm) == (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n  labels:\n    x: y\n"
        "data:\n  conf: |\n    a=1\n    b=2\n"
    )


def test_json_pointers_reach_into_objects() -> None:
    obj = deployment()
    assert get_path(obj, "/spec/template/spec/containers/0/image") == "web:1"
    assert get_path(obj, "/spec/missing/x") is None
    drop_path(obj, "/spec/template/spec/containers/*/image")
    assert obj["spec"]["template"]["spec"]["containers"] == [{"name": "web"}]  # type: ignore[index]


def test_a_rotated_secret_is_a_fact_naming_its_keys_only() -> None:
    old = normalize(secret(password="hunter2", user="admin", old="gone-value"))
    new = normalize(secret(password="correct-horse", user="admin", token="tok-123"))
    assert compare(SECRET, "v1", old, new).facts == (
        Fact("secret-key", field="token", new="added"),
        Fact("secret-key", field="password", new="changed"),
        Fact("secret-key", field="old", new="removed"),
    )
    assert compare(SECRET, "v1", None, new).facts == ()  # a new Secret is not a rotation


def test_image_replica_and_resource_changes_are_facts_for_the_glance() -> None:
    old = deployment("web:1", replicas=2)
    new = deployment("web:2", replicas=4)
    container = new["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    container["resources"] = {"requests": {"cpu": "250m"}}
    assert compare(WEB, "apps/v1", old, new).facts == (
        Fact("replicas", old="2", new="4"),
        Fact("image", old="web:1", new="web:2", container="web"),
        Fact("resources", field="requests.cpu", old="", new="250m", container="web"),
    )


def test_an_unchanged_object_has_no_risks_and_no_facts() -> None:
    row = compare(WEB, "apps/v1", deployment(), deployment())
    assert (row.risks, row.facts) == ((), ())
