"""Plain YAML: every document of every file, with its exact place; non-objects are findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.errors import ManifestError
from gitops_action.models import Source

from .conftest import Render, WriteFiles

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  key: value
"""


def test_plain_reads_every_document_of_every_yaml_file_recursively_in_path_order(
    write: WriteFiles, render: Render
) -> None:
    write({
        "app/b.yaml": CONFIGMAP.format(name="b") + "---\n" + CONFIGMAP.format(name="b2"),
        "app/a.yml": CONFIGMAP.format(name="a"),
        "app/sub/c.yaml": "# a comment first\n" + CONFIGMAP.format(name="c"),
        "app/notes.txt": "not yaml: [",
    })  # fmt: skip
    rendered = render("app")
    assert rendered.renderer == "plain"
    assert rendered.findings == ()
    assert [m.key.name for m in rendered.manifests] == ["a", "b", "b2", "c"]
    assert [m.source for m in rendered.manifests] == [
        Source("app/a.yml", 1, 1),
        Source("app/b.yaml", 1, 1),
        Source("app/b.yaml", 8, 1),
        Source("app/sub/c.yaml", 2, 1),
    ]


def test_plain_keeps_the_position_of_every_field(write: WriteFiles, render: Render) -> None:
    write({"app/cm.yaml": "---\n" + CONFIGMAP.format(name="x")})
    (manifest,) = render("app").manifests
    assert manifest.where(("data", "key")) == Source("app/cm.yaml", 7, 3)
    assert manifest.where(("metadata", "name")) == Source("app/cm.yaml", 5, 3)


def test_plain_expands_a_list_into_its_items_at_their_own_lines(
    write: WriteFiles, render: Render
) -> None:
    write({
        "app/list.yaml": """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: one
              - apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: two
            """,
    })  # fmt: skip
    rendered = render("app")
    assert [(m.key.name, m.source) for m in rendered.manifests] == [
        ("one", Source("app/list.yaml", 4, 5)),
        ("two", Source("app/list.yaml", 8, 5)),
    ]
    assert rendered.manifests[1].where(("metadata", "name")) == Source("app/list.yaml", 11, 7)


def test_plain_passes_over_files_that_configure_tools(write: WriteFiles, render: Render) -> None:
    write({
        "app/cm.yaml": CONFIGMAP.format(name="kept"),
        "app/kustomization.yaml": "resources: [cm.yaml]\n",
        "app/Kustomization": "resources: [cm.yaml]\n",
        "app/labels.yaml": "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\n",
        "app/fn.yaml": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
        "app/comp.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        "app/.gitops.yaml": "version: 1\n",
        "app/.hidden/cm.yaml": CONFIGMAP.format(name="hidden"),
        "app/chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
        "app/chart/values.yaml": "replicas: 1\n",
        "app/chart/templates/cm.yaml": "{{ .Values.nope }}\n",
    })  # fmt: skip
    rendered = render("app", render="plain")
    assert [m.key.name for m in rendered.manifests] == ["kept"]
    assert rendered.errors == ()
    (warning,) = rendered.findings
    assert warning.severity == "warning"
    assert warning.source == Source("app/chart/Chart.yaml")
    assert "render: helm" in warning.message


def test_plain_reports_documents_that_are_not_objects_with_file_and_line(
    write: WriteFiles, render: Render
) -> None:
    write({
        "app/a.yaml": CONFIGMAP.format(name="ok") + "---\nname: no-kind\n---\n- a\n- list\n",
        "app/b.yaml": "apiVersion: v1\nkind: List\nitems:\n  - just-a-string\n",
    })  # fmt: skip
    rendered = render("app", name="web")
    assert [m.key.name for m in rendered.manifests] == ["ok"]
    assert [str(f) for f in rendered.findings] == [
        "app/a.yaml:8:1: not a Kubernetes object: missing apiVersion and kind",
        "app/a.yaml:10:1: not a Kubernetes object: a YAML list where a mapping was expected",
        "app/b.yaml:4:5: not a Kubernetes object: a YAML str where a mapping was expected",
    ]
    assert {f.target for f in rendered.findings} == {"web"}


def test_plain_reports_syntax_and_encoding_errors_and_goes_on_with_other_files(
    write: WriteFiles, render: Render, repo: Path
) -> None:
    write({
        "app/1-bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
        "app/2-dup.yaml": "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n",
        "app/4-ok.yaml": CONFIGMAP.format(name="ok"),
    })  # fmt: skip
    (repo / "app/3-latin1.yaml").write_bytes(b"apiVersion: v1\nkind: ConfigMap\n# caf\xe9\n")
    rendered = render("app")
    assert [m.key.name for m in rendered.manifests] == ["ok"]
    places = [(f.source.path, f.source.line) for f in rendered.findings if f.source]
    assert places == [("app/1-bad.yaml", 5), ("app/2-dup.yaml", 3), ("app/3-latin1.yaml", 3)]
    assert "duplicate key 'kind'" in rendered.findings[1].message
    assert "not valid UTF-8" in rendered.findings[2].message


def test_raise_for_errors_lists_every_error_one_a_line(write: WriteFiles, render: Render) -> None:
    write({"app/a.yaml": "kind: A\n---\nkind: B\n"})
    rendered = render("app")
    with pytest.raises(ManifestError) as raised:
        rendered.raise_for_errors()
    assert str(raised.value).splitlines() == [
        "app/a.yaml:1:1: not a Kubernetes object: missing apiVersion",
        "app/a.yaml:3:1: not a Kubernetes object: missing apiVersion",
    ]


def test_an_object_without_a_name_is_an_error_at_its_metadata_and_never_a_manifest(
    write: WriteFiles, render: Render
) -> None:
    # A plan row "ConfigMap/web/" says nothing, and apply could not write it.
    write({
        "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {}\n",
        "app/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
    })  # fmt: skip
    rendered = render("app")
    assert [str(f) for f in rendered.findings] == [
        "app/a.yaml:1:1: missing metadata.name: every ConfigMap needs one",
        "app/b.yaml:3:1: missing metadata.name: every ConfigMap needs one",
    ]
    assert rendered.manifests == ()
