"""The desired-state fingerprint a plan comment publishes: stable, and blind to Secret values."""

from __future__ import annotations

from gitops_action.core.desired import desired_fingerprint
from gitops_action.models import Manifest, Source
from tests.manifests import configmap, secret


def fingerprint(*objects: dict[str, object], where: str = "a.yaml") -> str:
    return desired_fingerprint(
        Manifest(dict(o), Source(where, i + 1)) for i, o in enumerate(objects)
    )


def test_the_fingerprint_ignores_the_order_of_objects_and_where_they_came_from() -> None:
    one, two = configmap("a", x="1"), configmap("b", y="2")
    assert fingerprint(one, two) == fingerprint(two, one, where="elsewhere.yaml")
    assert fingerprint(one, two).startswith("sha256:") and len(fingerprint(one)) == 23


def test_any_field_that_changes_moves_the_fingerprint() -> None:
    assert fingerprint(configmap("a", x="1")) != fingerprint(configmap("a", x="2"))
    assert fingerprint(configmap("a", x="1")) != fingerprint(configmap("a", x="1"), configmap("b"))


def test_a_secret_value_changed_alone_does_not_move_it_but_a_key_does() -> None:
    before = fingerprint(secret("db", password="hunter2"))
    assert fingerprint(secret("db", password="correct-horse")) == before
    assert fingerprint(secret("db", password="hunter2", user="app")) != before
    assert fingerprint(secret("db", passwd="hunter2")) != before
