"""Secrets are masked by construction: every field of a Secret but its identity and type is
hidden, wherever the Secret is (a List of any apiVersion, a List in a List) and whatever shape
its values have (mis-indented, a string where a mapping belongs)."""

from __future__ import annotations

import base64
from typing import Any

from gitops_action.core.diff import compare
from gitops_action.core.normalize import normalize
from gitops_action.core.secrets import mask, mask_pair
from gitops_action.models import ResourceKey

SECRET = ResourceKey("", "Secret", "prod", "db")
VALUE = "hunter2-value"


def secret(api_version: str = "v1", **fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "prod"},
        **fields,
    }


def shown(obj: dict[str, Any]) -> str:
    """Every way the value could be written, checked against the masked text."""
    return repr(mask(obj))


def assert_hidden(text: str, value: str = VALUE) -> None:
    assert value not in text
    assert base64.b64encode(value.encode()).decode() not in text


def test_a_mis_indented_password_at_the_top_level_is_hidden_and_its_change_shown() -> None:
    old = normalize(secret(type="Opaque", password="old-" + VALUE))
    new = normalize(secret(type="Opaque", password=VALUE))
    row = compare(SECRET, "v1", old, new)
    assert_hidden(row.diff + repr(row.warnings))
    assert_hidden(row.diff, "old-" + VALUE)
    assert "-password: (hidden)\n+password: (hidden, changed)\n" in row.diff
    assert "type: Opaque" in row.diff
    assert row.warnings == ("Secret keys changed (changed: password); values are not shown",)


def test_a_secret_of_any_api_version_is_masked() -> None:
    assert_hidden(shown(secret("example.com/v1", stringData={"k": VALUE})))
    assert_hidden(shown(secret("v2", data={"k": base64.b64encode(VALUE.encode()).decode()})))


def test_data_that_is_a_string_or_a_list_is_hidden_whole() -> None:
    for data in (VALUE, [VALUE, "x"], {"nested": {"deeper": VALUE}}, 12345):
        masked = mask(secret(data=data))
        assert_hidden(repr(masked), VALUE)
        assert masked["data"] in ("(hidden, added)", {"nested": "(hidden, added)"})


def test_a_stray_field_of_metadata_is_hidden_and_object_meta_is_not() -> None:
    obj = secret(type="Opaque", immutable=True, data={"k": "dg=="})
    obj["metadata"] |= {"password": VALUE, "labels": {"app": "db"}}
    masked = mask(obj)
    assert_hidden(repr(masked))
    assert masked["metadata"] == {
        "name": "db",
        "namespace": "prod",
        "labels": {"app": "db"},
        "password": "(hidden, added)",
    }
    assert (masked["type"], masked["immutable"]) == ("Opaque", True)


def test_type_or_metadata_of_the_wrong_type_are_hidden_not_shown() -> None:
    masked = mask({**secret(type={"password": VALUE}), "metadata": VALUE})
    assert_hidden(repr(masked))
    assert masked["type"] == masked["metadata"] == "(hidden, added)"


def test_secrets_at_any_depth_of_any_list_are_masked() -> None:
    inner = {
        "apiVersion": "example.com/v9",
        "kind": "SecretList",
        "items": [{"data": {"k": VALUE}}],
    }
    outer = {
        "apiVersion": "example.com/v1",
        "kind": "ThingList",
        "metadata": {"name": "all"},
        "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "data": {"shown": "yes"}},
            secret("v7", stringData={"k": VALUE}),
            {"apiVersion": "v1", "kind": "List", "items": [inner, secret(token=VALUE)]},
        ],
    }
    masked = mask(outer)
    assert_hidden(repr(masked))
    assert masked["items"][0] == outer["items"][0]  # not a Secret: as it is
    assert masked["items"][2]["items"][0]["items"][0] == {"data": {"k": "(hidden, added)"}}


def test_items_of_a_secret_list_that_are_not_a_list_are_hidden_whole() -> None:
    obj = {"apiVersion": "v1", "kind": "SecretList", "metadata": {"name": "x"}, "items": VALUE}
    old, new, _ = mask_pair(obj, {**obj, "items": {"a": VALUE}})
    assert_hidden(repr((old, new)))
    assert (old or {})["items"] == "(hidden)"
    assert (new or {})["items"] == "(hidden, changed)"


def test_a_list_without_secrets_is_left_as_it_is() -> None:
    cms = {"apiVersion": "v1", "kind": "List", "items": [{"kind": "ConfigMap", "data": {"a": "b"}}]}
    assert mask(cms) == cms
