"""validate rejects what the API server would: a ConfigMap or Secret over 1 MiB, an object
without a name (reported once, at its place), and Secrets whose values would be quoted."""

from __future__ import annotations

import base64
from pathlib import Path

from gitops_action.config import Target
from gitops_action.render import render_target
from gitops_action.validate.checks import MAX_DATA_BYTES, validate
from tests.validate.helpers import check


def findings(root: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    rendered = render_target(Target(name="web", path="deploy", namespace="web"), root)
    return [str(f) for f in validate([rendered])]


def configmap(**data: str) -> str:
    lines = "".join(f"  {k}: {v}\n" for k, v in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n{lines}"


def test_a_configmap_over_one_mebibyte_is_an_error_at_its_data() -> None:
    half = "x" * (MAX_DATA_BYTES // 2)
    assert check(configmap(a=half, b=half)) == []  # exactly 1 MiB is allowed
    assert check(configmap(a=half, b=half + "y")) == [
        "deploy/web.yaml:5:1: ConfigMap/big: ConfigMap data and binaryData hold 1,048,577 bytes, "
        "over the API server's limit of 1,048,576 (1 MiB); split it in several ConfigMaps or "
        "mount the content another way (a volume, an image)"
    ]


def test_a_configmap_counts_binary_data_decoded() -> None:
    binary = base64.b64encode(b"\0" * (MAX_DATA_BYTES - 10)).decode()
    text = configmap(a="x" * 10) + f"binaryData:\n  bin: {binary}\n"
    assert check(text) == []
    assert "hold 1,048,577 bytes" in check(text.replace("x" * 10, "x" * 11))[0]


def test_a_secret_over_one_mebibyte_is_an_error_counting_decoded_data_and_string_data() -> None:
    data = base64.b64encode(b"\1" * (MAX_DATA_BYTES - 4)).decode()
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\n"
        f"data:\n  a: {data}\nstringData:\n  b: 'four'\n"
    )
    assert check(text) == []
    assert check(text.replace("'four'", "'five!'")) == [
        "deploy/web.yaml:5:1: Secret/big: Secret data hold 1,048,577 bytes, over the API "
        "server's limit of 1,048,576 (1 MiB); split it in several Secrets or mount the content "
        "another way (a volume, an image)"
    ]


def test_an_object_without_a_name_is_one_error_at_its_place(tmp_path: Path) -> None:
    found = findings(tmp_path, {"deploy/a.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {}\n"})
    assert found == ["deploy/a.yaml:1:1: missing metadata.name: every ConfigMap needs one"]


def test_a_secret_whose_data_is_not_a_mapping_is_reported_without_its_value(
    tmp_path: Path,
) -> None:
    found = findings(
        tmp_path,
        {
            "deploy/s.yaml": (
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: c2VjcmV0LXZhbHVl\n"
                "---\napiVersion: v1\nkind: Secret\nmetadata: {name: t}\nstringData: [hunter2]\n"
            )
        },
    )
    assert found == [
        "deploy/s.yaml:4:1: Secret data must be a mapping of key: value, got a string (the "
        "value is not shown)",
        "deploy/s.yaml:9:1: Secret stringData must be a mapping of key: value, got a list (the "
        "value is not shown)",
    ]


def test_no_value_of_a_secret_of_another_group_is_quoted() -> None:
    # A CRD of the same target gives it a schema: its messages must still not quote values.
    crd = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: secrets.example.com}
spec:
  group: example.com
  names: {kind: Secret, plural: secrets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            token: {type: integer}
---
apiVersion: example.com/v1
kind: Secret
metadata: {name: s, namespace: web}
token: "hunter2-value"
"""
    found = check(crd)
    assert found == ["deploy/web.yaml:22:1: Secret/web/s: token must be an integer, got a string"]
