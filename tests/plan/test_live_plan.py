"""The live plan against the real control plane: true, noise-free, and cheap in API calls."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.config import IgnoreRule, Target
from gitops_action.models import ResourceDiff, TargetReport
from gitops_action.plan.live import live_plan

from .live_helpers import Counting, apply_all, edit, manifests

pytestmark = pytest.mark.cluster

WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{containerPort: 8080}]
          resources: {requests: {cpu: "0.5", memory: 64Mi}, limits: {memory: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {LOG_LEVEL: info, "app.conf": "a=1\\nb=2\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {password: hunter2}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "postgres:16", ports: [{containerPort: 5432, name: pg}]}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: backup, image: "backup:1", args: [--all]}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: cache}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - host: web.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"""


@pytest.fixture(scope="module")
def kube(kubeconfig: Path) -> Iterator[Kube]:
    yield Kube(kubeconfig)


def target(namespace: str, **settings: object) -> Target:
    return Target(name="web", path="deploy", namespace=namespace, **settings)  # type: ignore[arg-type]


def rows(report: TargetReport) -> dict[str, ResourceDiff]:
    return {str(r.key): r for r in report.resources}


def test_right_after_applying_the_same_objects_the_plan_has_no_changes(
    kube: Kube, namespace: str
) -> None:
    desired = manifests(WORKLOADS, namespace)
    apply_all(kube, desired, target(namespace))
    report = live_plan(kube, target(namespace), desired, desired)
    assert [(str(r.key), r.action, r.diff) for r in report.changed] == []
    assert len(report.resources) == 10
    assert all(not r.warnings and not r.error for r in report.resources)


def test_an_image_bump_is_one_update_with_a_server_side_diff(kube: Kube, namespace: str) -> None:
    base = manifests(WORKLOADS, namespace)
    apply_all(kube, base, target(namespace))
    head = manifests(WORKLOADS.replace("image: web:1", "image: web:2"), namespace)
    report = live_plan(kube, target(namespace), head, base)
    changed = [(str(r.key), r.action) for r in report.changed]
    assert changed == [(f"Deployment/{namespace}/web", "update")]
    diff = report.changed[0].diff
    assert diff.startswith("--- live\n+++ desired\n")
    assert "-      - image: web:1\n+      - image: web:2\n" in diff
    assert "imagePullPolicy: IfNotPresent" in diff  # context is the server's defaulted object


def test_an_out_of_band_change_to_a_touched_object_is_warned(kube: Kube, namespace: str) -> None:
    base = manifests(WORKLOADS, namespace)
    apply_all(kube, base, target(namespace))
    web = next(m.obj for m in base if m.kind == "Deployment")
    edit(
        kube,
        web,
        {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:hotfix"}]}}}},
    )
    head = manifests(WORKLOADS.replace("replicas: 2", "replicas: 3"), namespace)
    report = live_plan(kube, target(namespace), head, base)
    row = rows(report)[f"Deployment/{namespace}/web"]
    assert row.action == "update"
    assert row.warnings == (
        'fields taken over from other managers: .spec.template.spec.containers[name="web"].image from "kubectl-edit"',
        "live differs from the base branch: merging overwrites a change made outside Git",
    )
    assert "-      - image: web:hotfix\n+      - image: web:1\n" in row.diff
    assert "-  replicas: 2\n+  replicas: 3\n" in row.diff


def test_drift_on_an_object_the_pull_request_does_not_touch_gets_a_note(
    kube: Kube, namespace: str
) -> None:
    desired = manifests(WORKLOADS, namespace)
    apply_all(kube, desired, target(namespace))
    config = next(m.obj for m in desired if m.kind == "ConfigMap")
    edit(kube, config, {"data": {"LOG_LEVEL": "debug"}})
    row = rows(live_plan(kube, target(namespace), desired, desired))[
        f"ConfigMap/{namespace}/web-config"
    ]
    assert row.action == "update"
    assert row.notes == (
        "this pull request does not change it: the cluster differs from Git (drift), "
        "and applying restores Git's version",
    )
    assert "-  LOG_LEVEL: debug\n+  LOG_LEVEL: info\n" in row.diff


def test_ignored_paths_are_never_shown(kube: Kube, namespace: str) -> None:
    desired = manifests(WORKLOADS, namespace)
    apply_all(kube, desired, target(namespace))
    web = next(m.obj for m in desired if m.kind == "Deployment")
    edit(kube, web, {"spec": {"replicas": 4}}, manager="autoscaler")
    ignoring = target(namespace, ignore=(IgnoreRule(kind="Deployment", paths=("/spec/replicas",)),))
    assert live_plan(kube, ignoring, desired, desired).changed == ()
    assert len(live_plan(kube, target(namespace), desired, desired).changed) == 1


def test_secret_values_are_never_in_the_live_diff(kube: Kube, namespace: str) -> None:
    base = manifests(WORKLOADS, namespace)
    apply_all(kube, base, target(namespace))
    head = manifests(WORKLOADS.replace("password: hunter2", "password: correct-horse"), namespace)
    report = live_plan(kube, target(namespace), head, base)
    row = rows(report)[f"Secret/{namespace}/web-secret"]
    assert row.action == "update"
    text = json.dumps([row.diff, row.warnings])
    for value in ("hunter2", "correct-horse"):
        assert value not in text and base64.b64encode(value.encode()).decode() not in text
    assert "-  password: (hidden)\n+  password: (hidden, changed)\n" in row.diff


def test_an_immutable_change_is_an_error_on_that_object_with_the_servers_message(
    kube: Kube, namespace: str
) -> None:
    base = manifests(WORKLOADS, namespace)
    apply_all(kube, base, target(namespace))
    head = manifests(
        WORKLOADS.replace(
            "matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}",
            "matchLabels: {app: web2}}\n  template:\n    metadata: {labels: {app: web2}}",
        ),
        namespace,
    )
    row = rows(live_plan(kube, target(namespace), head, base))[f"Deployment/{namespace}/web"]
    assert row.action == "update"
    assert row.error.startswith("the API server rejected the dry-run: ")
    assert "field is immutable" in row.error
    assert row.error.endswith(
        f". The field (spec.selector) cannot change once the object exists: delete "
        f"Deployment/{namespace}/web and apply again to re-create it (its pods or data go with "
        "it), or give it a new name in Git"
    )
    assert "/spec/selector is immutable" in row.warnings[0]
    assert row.diff.startswith("--- base\n+++ head\n")


def test_an_invalid_value_is_an_error_row_not_a_crash(kube: Kube, namespace: str) -> None:
    base = manifests(WORKLOADS, namespace)
    apply_all(kube, base, target(namespace))
    head = manifests(WORKLOADS.replace("replicas: 2", "replicas: -1"), namespace)
    report = live_plan(kube, target(namespace), head, base)
    row = rows(report)[f"Deployment/{namespace}/web"]
    assert "spec.replicas: Invalid value: -1" in row.error
    assert [r for r in report.resources if r.error] == [row]


def test_objects_in_a_namespace_the_plan_creates_are_creations_with_a_note(
    kube: Kube, namespace: str
) -> None:
    fresh = f"{namespace}-new"
    head = manifests(
        f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {fresh}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: {fresh}}}\ndata: {{a: '1'}}\n"
    )
    by = rows(live_plan(kube, target(namespace), head, []))
    assert by[f"Namespace/{fresh}"].action == "create"
    config = by[f"ConfigMap/{fresh}/c"]
    assert (config.action, config.error) == ("create", "")
    assert config.notes == (
        f"its Namespace {fresh} is created by the same apply: shown as rendered; the server "
        "checks it once the Namespace exists",
    )


def test_custom_resources_whose_crd_the_plan_creates_are_creations_with_a_note(
    kube: Kube, namespace: str
) -> None:
    head = manifests(
        CRD
        + f"---\napiVersion: example.com/v1\nkind: Gadget\nmetadata: {{name: g1, namespace: {namespace}}}\nspec: {{size: 3}}\n"
    )
    by = rows(live_plan(kube, target(namespace), head, []))
    assert by["CustomResourceDefinition/gadgets.example.com"].action == "create"
    gadget = by[f"Gadget/{namespace}/g1"]
    assert (gadget.action, gadget.error) == ("create", "")
    assert gadget.notes == (
        "its CustomResourceDefinition is created by the same apply: shown as rendered; the "
        "server checks it once the CRD exists",
    )


def test_a_kind_the_cluster_does_not_serve_is_an_error_that_says_what_to_do(
    kube: Kube, namespace: str
) -> None:
    head = manifests(
        f"apiVersion: nope.example.com/v1\nkind: Thing\nmetadata: {{name: t, namespace: {namespace}}}\n"
    )
    (row,) = live_plan(kube, target(namespace), head, []).resources
    assert row.error == (
        "the cluster does not serve nope.example.com/v1 Thing: install its "
        "CustomResourceDefinition first (or add it to this target), or fix the apiVersion"
    )


def test_an_object_that_left_git_but_was_not_applied_by_us_stays(
    kube: Kube, namespace: str
) -> None:
    base = manifests(WORKLOADS, namespace)
    head = [m for m in base if m.kind != "ConfigMap"]
    apply_all(kube, head, target(namespace))
    other = Target(name="other", path="deploy", namespace=namespace)
    apply_all(kube, [m for m in base if m.kind == "ConfigMap"], other)
    row = rows(live_plan(kube, target(namespace), head, base))[f"ConfigMap/{namespace}/web-config"]
    assert (row.action, row.warnings) == (
        "unchanged",
        (
            "left Git but stays in the cluster: it carries no part-of label of this target (it "
            "was not deployed by gitops-action for it), so apply never deletes it; delete it by "
            "hand if it should go",
        ),
    )


def test_a_member_that_left_git_is_a_deletion(kube: Kube, namespace: str) -> None:
    base = manifests(WORKLOADS, namespace)
    apply_all(kube, base, target(namespace))
    head = [m for m in base if m.kind != "ConfigMap"]
    row = rows(live_plan(kube, target(namespace), head, base))[f"ConfigMap/{namespace}/web-config"]
    assert row.action == "delete"
    assert row.diff.startswith("--- live\n+++ /dev/null\n")


def test_live_objects_come_from_one_list_per_kind_and_namespace(kube: Kube, namespace: str) -> None:
    many = "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{v: '{i}'}}\n"
        for i in range(30)
    )
    desired = manifests(many + "---\n" + WORKLOADS, namespace)
    apply_all(kube, desired, target(namespace))
    counting = Counting(kube)
    live_plan(counting, target(namespace), desired, desired)  # type: ignore[arg-type]
    assert counting.calls["list"] == 1  # the 31 ConfigMaps
    # One object of each other kind: a GET is cheaper; and the inventory's parent.
    assert counting.calls["get"] == 10
    assert counting.calls["dry-run"] == 40
    assert counting.calls["apply"] == 0


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
"""
