"""Files that cannot be read as objects: each is one error naming file:line:column, never a
traceback, and the other files of the target are still checked."""

from __future__ import annotations

from pathlib import Path

from gitops_action.config import Target
from gitops_action.render import render_target
from gitops_action.validate.checks import validate

TARGET = Target(name="staging", path="deploy", render="plain")


def findings_for(tmp_path: Path, raw: bytes) -> list[str]:
    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / "bad.yaml").write_bytes(raw)
    (folder / "good.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    rendered = render_target(TARGET, tmp_path)
    assert [m.key.name for m in rendered.manifests] == ["ok"]  # the good file is still read
    return [str(f) for f in validate([rendered])]


def test_a_yaml_syntax_error_names_its_line_and_column(tmp_path: Path) -> None:
    raw = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {a: b\n"
    assert findings_for(tmp_path, raw) == [
        "deploy/bad.yaml:6:1: YAML syntax error: did not find expected ',' or '}' "
        "(while parsing a flow mapping)"
    ]


def test_a_duplicate_mapping_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    raw = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
    assert findings_for(tmp_path, raw) == [
        "deploy/bad.yaml:5:3: duplicate key 'name' (first at line 4); "
        "YAML keeps only the last one, remove one of them"
    ]


def test_tab_indentation_says_to_indent_with_spaces(tmp_path: Path) -> None:
    raw = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n"
    assert findings_for(tmp_path, raw) == [
        "deploy/bad.yaml:4:1: YAML does not allow tabs for indentation; indent with spaces"
    ]


def test_non_utf8_bytes_name_the_line_and_the_byte(tmp_path: Path) -> None:
    raw = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n"
    assert findings_for(tmp_path, raw) == [
        "deploy/bad.yaml:4:12: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_an_alias_bomb_is_refused_with_an_error_not_a_hang(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    found = findings_for(tmp_path, ("\n".join(lines) + "\n").encode())
    assert found == [
        "deploy/bad.yaml:6:4: document expands to more than 1,000,000 YAML nodes "
        "(aliases of aliases?); refusing to expand it"
    ]


def test_a_document_that_is_a_list_is_not_an_object(tmp_path: Path) -> None:
    assert findings_for(tmp_path, b"- a\n- b\n") == [
        "deploy/bad.yaml:1:1: not a Kubernetes object: a YAML list where a mapping was expected"
    ]


def test_a_document_without_kind_is_not_an_object(tmp_path: Path) -> None:
    assert findings_for(tmp_path, b"apiVersion: v1\nmetadata: {name: a}\n") == [
        "deploy/bad.yaml:1:1: not a Kubernetes object: missing kind"
    ]
