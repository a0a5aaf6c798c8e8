"""The strict YAML loader: values as the API reads them, positions, and bad input."""

from __future__ import annotations

import pytest

from gitops_action.core.yamlio import MAX_DEPTH, decode, key_text, load_documents, load_file
from gitops_action.errors import ManifestError
from gitops_action.models import clone


def test_documents_keep_values_as_the_api_reads_them() -> None:
    docs = load_documents("a: 2024-01-01\nb: '0.5'\nc: 0.5\nd: yes\ne: null\n", "f.yaml")
    assert docs[0].data == {"a": "2024-01-01", "b": "0.5", "c": 0.5, "d": True, "e": None}


def test_every_key_and_item_records_its_line_and_column() -> None:
    docs = load_documents("---\nkind: X\nspec:\n  ports:\n    - port: 80\n", "f.yaml")
    assert docs[0].line == 2
    assert docs[0].positions[("spec", "ports", 0, "port")] == (5, 7)
    assert docs[0].positions[("spec",)] == (3, 1)


def test_empty_documents_are_skipped_and_lines_stay_true() -> None:
    docs = load_documents("---\n---\n# only a comment\n---\nkind: A\n---\nkind: B\n", "f.yaml")
    assert [(d.data["kind"], d.line) for d in docs] == [("A", 5), ("B", 7)]


def test_merge_keys_are_resolved_and_explicit_keys_win() -> None:
    docs = load_documents("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert docs[0].data["m"] == {"x": 1, "y": 3}


def test_duplicate_keys_are_an_error_naming_both_lines() -> None:
    with pytest.raises(ManifestError) as err:
        load_documents("metadata:\n  name: a\n  name: b\n", "deploy/x.yaml")
    assert str(err.value) == (
        "deploy/x.yaml:3:3: duplicate key 'name' (first at line 2); "
        "YAML keeps only the last one, remove one of them"
    )


def test_tab_indentation_is_an_error_that_says_to_use_spaces() -> None:
    with pytest.raises(ManifestError, match=r"^x.yaml:3:1: YAML does not allow tabs"):
        load_documents("a:\n  b: 1\n\tc: 2\n", "x.yaml")


def test_syntax_errors_name_file_line_and_column() -> None:
    with pytest.raises(
        ManifestError, match=r"^x.yaml:2:2: YAML syntax error: did not find expected ',' or ']'"
    ):
        load_documents("a: [1, 2\nb: 3\n", "x.yaml")


def test_non_utf8_bytes_are_an_error_naming_the_line() -> None:
    with pytest.raises(ManifestError) as err:
        decode(b"a: 1\nb: caf\xe9\n", "x.yaml")
    assert str(err.value) == "x.yaml:2:7: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_a_byte_order_mark_is_dropped() -> None:
    assert decode("\ufeffa: 1".encode(), "x.yaml") == "a: 1"


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ManifestError, match="expands to more than 1,000,000 YAML nodes"):
        load_documents("\n".join(lines) + "\n", "bomb.yaml")


def test_complex_keys_are_refused() -> None:
    with pytest.raises(ManifestError, match="a mapping key must be a plain value"):
        load_documents("? [a, b]\n: 1\n", "x.yaml")


def test_a_file_read_twice_is_parsed_once_and_each_reader_gets_its_own_copy() -> None:
    raw = b"kind: ConfigMap\nmetadata: {name: a}\n"
    first = load_file(raw, "cache/a.yaml")
    first[0].data["metadata"]["namespace"] = "changed"  # a renderer defaulting the namespace
    second = load_file(raw, "cache/a.yaml")
    assert second[0].data == {"kind": "ConfigMap", "metadata": {"name": "a"}}
    assert second[0].positions[("metadata", "name")] == (2, 12)
    edited = load_file(b"kind: ConfigMap\nmetadata: {name: b}\n", "cache/a.yaml")
    assert edited[0].data["metadata"]["name"] == "b"


def test_clone_copies_deeply_and_keeps_order() -> None:
    value = {"b": [1, {"c": "x"}], "a": None, "t": True}
    copied = clone(value)
    assert copied == value and list(copied) == ["b", "a", "t"]
    copied["b"][1]["c"] = "y"  # type: ignore[index]
    assert value["b"][1] == {"c": "x"}  # type: ignore[index]


def test_keys_one_and_true_are_two_different_keys_as_the_api_server_reads_them() -> None:
    # YAML becomes JSON at the API server: 1 -> "1", true -> "true" (sigs.k8s.io/yaml).
    docs = load_documents("labels:\n  1: one\n  true: yes-key\n  1.5: float\n", "f.yaml")
    assert docs[0].data == {"labels": {"1": "one", "true": "yes-key", "1.5": "float"}}
    assert docs[0].positions[("labels", "true")] == (3, 3)


def test_a_key_one_beside_a_quoted_one_is_a_duplicate_as_the_api_server_sees_it() -> None:
    with pytest.raises(ManifestError, match=r"f.yaml:3:3: duplicate key '1' \(first at line 2\)"):
        load_documents("data:\n  1: a\n  '1': b\n", "f.yaml")


@pytest.mark.parametrize(
    ("key", "text"),
    [(100000.0, "100000"), (1e6, "1e+06"), (0.1, "0.1"), (3.14159265358979, "3.1415927")],
)
def test_float_keys_are_spelled_as_go_spells_a_float32(key: float, text: str) -> None:
    assert key_text(key) == text


def test_a_control_character_is_one_line_naming_its_line_and_column() -> None:
    with pytest.raises(ManifestError) as err:
        load_documents("a: 1\nb: red\x1b[31m\n", "deploy/x.yaml")
    assert str(err.value) == (
        "deploy/x.yaml:2:7: control character U+001B is not allowed in YAML; remove it "
        "(write it as an escape such as \\u0007 inside double quotes)"
    )


def test_nesting_hundreds_of_levels_deep_is_an_error_at_the_level_past_the_limit() -> None:
    text = "spec: " + "{a: " * 500 + "1" + "}" * 500 + "\n"
    with pytest.raises(ManifestError) as err:
        load_documents(text, "deploy/x.yaml")
    assert str(err.value) == (
        f"deploy/x.yaml:1:{7 + 4 * MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep; "
        "no Kubernetes object is, flatten it"
    )
    block = "".join("  " * i + "a:\n" for i in range(MAX_DEPTH - 1)) + "  " * MAX_DEPTH + "b: 1\n"
    assert load_documents(block, "deploy/x.yaml")  # the limit itself is fine
