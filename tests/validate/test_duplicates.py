"""The same object twice: in one target (after namespace defaulting), or in two targets that
deploy to the same cluster, where each apply would undo the other and prune would fight."""

from __future__ import annotations

from gitops_action.config import Target
from gitops_action.render import Rendered
from gitops_action.validate.checks import check_target, validate
from tests.validate.helpers import manifests

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n{ns}data: {{a: b}}\n"
STAGING = Target(name="staging", path="deploy/staging", namespace="shop")


def test_the_same_object_in_two_files_of_a_target_names_both_files() -> None:
    found = check_target(
        STAGING,
        manifests(CM.format(ns=""), "deploy/staging/a.yaml")
        + manifests("---\n" + CM.format(ns="  namespace: shop\n"), "deploy/staging/b.yaml"),
    )
    assert [str(f) for f in found] == [
        "deploy/staging/b.yaml:2:1: ConfigMap/shop/web: defined twice in target staging "
        "(deploy/staging/a.yaml:1:1 and deploy/staging/b.yaml:2:1); keep one"
    ]


def test_another_api_version_of_the_same_kind_is_still_the_same_object() -> None:
    text = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
        "spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}\n---\n"
        "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
        "spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}\n"
    )
    found = [str(f) for f in check_target(STAGING, manifests(text, "deploy/staging/hpa.yaml"))]
    assert found == [
        "deploy/staging/hpa.yaml:6:1: HorizontalPodAutoscaler/shop/web: defined twice in target "
        "staging (deploy/staging/hpa.yaml:1:1 and deploy/staging/hpa.yaml:6:1); keep one"
    ]


def test_the_same_name_in_other_kinds_or_namespaces_is_no_duplicate() -> None:
    text = (
        CM.format(ns="")
        + "---\n"
        + CM.format(ns="  namespace: other\n")
        + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: web}\n"
    )
    assert check_target(STAGING, manifests(text, "deploy/staging/a.yaml")) == []


def _rendered(target: Target, path: str) -> Rendered:
    return Rendered(target, tuple(manifests(CM.format(ns=""), path)), ())


def test_the_same_object_in_two_targets_on_one_cluster_names_both_targets() -> None:
    canary = Target(name="canary", path="deploy/canary", namespace="shop")
    found = validate(
        [_rendered(STAGING, "deploy/staging/cm.yaml"), _rendered(canary, "deploy/canary/cm.yaml")]
    )
    assert [str(f) for f in found] == [
        "deploy/canary/cm.yaml:1:1: ConfigMap/shop/web: in two targets on the same cluster, "
        "staging (deploy/staging/cm.yaml:1:1) and canary (deploy/canary/cm.yaml:1:1); "
        "keep it in one of them"
    ]
    assert found[0].target == "canary"


def test_targets_on_other_kubeconfig_contexts_may_hold_the_same_object() -> None:
    prod = Target(name="prod", path="deploy/prod", namespace="shop", context="prod")
    found = validate(
        [_rendered(STAGING, "deploy/staging/cm.yaml"), _rendered(prod, "deploy/prod/cm.yaml")]
    )
    assert found == []
