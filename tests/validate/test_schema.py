"""Schema validation of built-in kinds against the Kubernetes 1.36 OpenAPI schemas, offline,
strict about unknown fields like ``kubectl --validate=strict``; and of custom resources whose
CRD is in the same target."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.validate import formats
from tests.validate.helpers import check

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
"""
WIDGET_CRD = (Path(__file__).parent / "realistic" / "widgets.yaml").read_text().split("---\n")[0]
WIDGET = "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"


def test_a_type_error_points_at_the_exact_line_of_the_field() -> None:
    assert check(DEPLOYMENT + "  replicas: three\n") == [
        'deploy/web.yaml:13:3: Deployment/web: spec.replicas must be an integer, got "three"'
    ]


def test_an_unknown_field_is_an_error_with_the_closest_field_suggested() -> None:
    assert check(DEPLOYMENT + "  replica: 3\n") == [
        "deploy/web.yaml:13:3: Deployment/web: unknown field spec.replica; "
        "did you mean spec.replicas?"
    ]


def test_an_unknown_field_differing_only_in_case_suggests_the_right_case() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  Type: ClusterIP\n"
    assert check(text) == [
        "deploy/web.yaml:5:3: Service/s: unknown field spec.Type; did you mean spec.type?"
    ]


def test_an_unknown_field_in_metadata_is_caught_too() -> None:
    assert check("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, lables: {a: b}}\n") == [
        "deploy/web.yaml:3:21: ConfigMap/c: unknown field metadata.lables; "
        "did you mean metadata.labels?"
    ]


def test_an_invalid_quantity_is_an_error_and_valid_forms_pass() -> None:
    resources = (
        "          resources:\n"
        "            requests: {cpu: half, memory: 1Gi}\n"
        "            limits: {cpu: '0.5', memory: 1.5Gi, nvidia.com/gpu: 1,\n"
        "                     ephemeral-storage: 2e9}\n"
    )
    assert check(DEPLOYMENT + resources) == [
        "deploy/web.yaml:14:24: Deployment/web: spec.template.spec.containers[0].resources."
        'requests.cpu must be a quantity such as 500m, 0.5, 128Mi or 1Gi, got "half"'
    ]


@pytest.mark.parametrize(
    "text", ["0.5", "500m", "1", "+1", ".5", "5.", "1.5Gi", "1e3", "2E", " 1Gi"]
)
def test_quantities_the_api_server_parses_are_valid(text: str) -> None:
    assert formats.is_quantity(text)


@pytest.mark.parametrize("text", ["half", "", "1.5.5", "100Mb", "1e", "1 Gi", "0x10", "1ki"])
def test_quantities_the_api_server_refuses_are_invalid(text: str) -> None:
    assert not formats.is_quantity(text)


def test_int_or_string_refuses_a_fraction() -> None:
    assert check(DEPLOYMENT + "  strategy: {rollingUpdate: {maxSurge: 1.5}}\n") == [
        "deploy/web.yaml:13:30: Deployment/web: spec.strategy.rollingUpdate.maxSurge must be an "
        'integer or a string, got 1.5; quote it: "1.5"'
    ]


def test_an_int32_out_of_range_is_an_error() -> None:
    ports = "          ports: [{containerPort: 99999999999}]\n"
    assert check(DEPLOYMENT + ports) == [
        "deploy/web.yaml:13:20: Deployment/web: spec.template.spec.containers[0].ports[0]."
        "containerPort must be between -2147483648 and 2147483647 (int32), got 99999999999"
    ]


def test_a_missing_required_field_points_at_its_parent() -> None:
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template: {}\n"
    assert check(text) == [
        "deploy/web.yaml:5:1: Deployment/web: missing required field spec.selector"
    ]


def test_unquoted_numbers_and_booleans_where_strings_are_expected_say_to_quote_them() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  port: 8080\n  tls: yes\n"
    assert check(text) == [
        'deploy/web.yaml:5:3: ConfigMap/c: data.port must be a string, got 8080; quote it: "8080"',
        'deploy/web.yaml:6:3: ConfigMap/c: data.tls must be a string, got true; quote it: "true"',
    ]


def test_secret_values_are_never_quoted_in_messages() -> None:
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
        "data:\n  password: hunter2\nstringData:\n  pin: 12345\n"
    )
    findings = check(text)
    assert findings == [
        "deploy/web.yaml:5:3: Secret/s: data.password must be base64-encoded; "
        "for plain text use stringData",
        "deploy/web.yaml:7:3: Secret/s: stringData.pin must be a string, got an integer; quote it",
    ]
    assert not any("hunter2" in f or "12345" in f for f in findings)


def test_a_removed_api_version_names_the_one_to_use() -> None:
    assert check(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
    ) == [
        "deploy/web.yaml:1:1: PodDisruptionBudget/p: policy/v1beta1 PodDisruptionBudget is not "
        "served by Kubernetes 1.36; use policy/v1"
    ]
    assert check("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n") == [
        "deploy/web.yaml:1:1: Ingress/i: extensions/v1beta1 Ingress is not served by "
        "Kubernetes 1.36; use networking.k8s.io/v1"
    ]


def test_a_misspelt_built_in_kind_suggests_the_right_one() -> None:
    assert check("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: p}\n") == [
        'deploy/web.yaml:2:1: Deploymnet/p: unknown kind "Deploymnet" in apps/v1; '
        'did you mean "Deployment"?'
    ]


def test_a_custom_resource_without_its_crd_is_not_schema_checked() -> None:
    text = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {anything: 1}\n"
    assert check(text) == []


def test_a_custom_resource_is_checked_against_the_crd_of_its_target() -> None:
    body = "spec:\n  size: 0\n  color: Green\n  sku: abc\n  tags: [a, b, c, d, e, f]\n"
    assert check(WIDGET_CRD + WIDGET + body + "  port: 1.5\n  colour: red\n") == [
        "deploy/web.yaml:52:3: Widget/w: spec.size must be at least 1, got 0",
        'deploy/web.yaml:53:3: Widget/w: spec.color must be one of "red", "green", "blue", '
        'got "Green"; did you mean "green"?',
        'deploy/web.yaml:54:3: Widget/w: spec.sku must match the pattern "^[A-Z]{3}-[0-9]+$", '
        'got "abc"',
        "deploy/web.yaml:55:3: Widget/w: spec.tags must have at most 5 items, got 6",
        "deploy/web.yaml:56:3: Widget/w: spec.port must be an integer or a string, got 1.5; "
        'quote it: "1.5"',
        "deploy/web.yaml:57:3: Widget/w: unknown field spec.colour; did you mean spec.color?",
    ]


def test_a_custom_resource_of_a_version_its_crd_lacks_is_an_error() -> None:
    text = WIDGET_CRD + WIDGET.replace("example.com/v1", "example.com/v2")
    assert check(text) == [
        "deploy/web.yaml:48:1: Widget/w: example.com/v2 Widget is not served: "
        "its CRD serves versions v1"
    ]


def test_an_integral_float_is_an_integer_as_server_side_apply_reads_it() -> None:
    assert check(DEPLOYMENT + "  replicas: 3.0\n") == []
    assert check(DEPLOYMENT + "  replicas: 3.5\n") == [
        "deploy/web.yaml:13:3: Deployment/web: spec.replicas must be an integer, got 3.5"
    ]
