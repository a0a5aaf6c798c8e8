"""Hypothesis strategies: Secrets and Lists in random shapes, each value a marker to look for.

Every secret value is ``SV`` and ten hex digits (``sv_value``): nothing else in a manifest
looks like it, and it reads the same raw, quoted, JSON-escaped or in YAML; values in ``data``
are its base64, which ``leaks`` looks for too. Names, keys, labels and types are drawn from
other alphabets: they are shown by design. The shapes are those a pull request can write: any
apiVersion, data that is a mapping, a string, a list or nested; stringData; a field
mis-indented to the top level or into metadata; Secrets inside Lists of any kind and
apiVersion, Lists inside Lists, List items that leave kind out; duplicate keys, syntax
errors and control characters on a secret's line.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import Any

import yaml
from hypothesis import strategies as st

_HEX = "0123456789abcdef"
MARKER = re.compile(r"SV[0-9a-f]{10}")

sv_value = st.text(_HEX, min_size=10, max_size=10).map(lambda h: f"SV{h}")
names = st.text("ghijklmnopqrstuvwxyz", min_size=1, max_size=6).map(lambda s: f"n-{s}")
keys = st.sampled_from(["password", "token", "user", "tls.key", "ca.crt", "api_key", "x"])
api_versions = st.sampled_from(["v1", "v1", "v2", "example.com/v1", "secrets.io/v1beta1"])
list_kinds = st.sampled_from(["List", "SecretList", "ThingList", "ConfigMapList"])


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def leaks(text: str, values: Iterable[str]) -> list[str]:
    """The secret values (or their base64) found in ``text``."""
    return sorted({v for v in values if v in text or b64(v) in text})


@st.composite
def secret(draw: st.DrawFn, *, kind: bool = True, clean: bool = False) -> dict[str, Any]:
    """A Secret, well-formed or not (``clean``: as the API server takes it, so that a plan
    shows it); ``kind=False``: an item that leaves kind out."""
    obj: dict[str, Any] = {}
    if kind:
        obj["apiVersion"] = draw(api_versions)
        obj["kind"] = "Secret"
    meta: dict[str, Any] = {"name": draw(names)}
    if draw(st.booleans()):
        meta["labels"] = {"app": draw(names)}
    if draw(st.integers(0, 4)) == 0:  # a field mis-indented into metadata
        meta[draw(keys)] = draw(sv_value)
    if draw(st.integers(0, 4)) == 0:  # kubectl apply's copy of every value
        meta["annotations"] = {
            "kubectl.kubernetes.io/last-applied-configuration": f'{{"data":"{draw(sv_value)}"}}'
        }
    obj["metadata"] = meta
    shapes = (
        ["map", "map", "none"] if clean else ["map", "map", "string", "list", "nested", "number"]
    )
    shape = draw(st.sampled_from(shapes))
    if shape == "map":
        obj["data"] = draw(st.dictionaries(keys, sv_value.map(b64), max_size=3))
    elif shape == "string":
        obj["data"] = b64(draw(sv_value))
    elif shape == "list":
        obj["data"] = draw(st.lists(sv_value, min_size=1, max_size=2))
    elif shape == "nested":
        obj["data"] = {draw(keys): {draw(keys): draw(sv_value)}}
    if draw(st.booleans()):
        obj["stringData"] = draw(st.one_of(st.dictionaries(keys, sv_value, max_size=3), sv_value))
    if draw(st.booleans()):  # a field mis-indented to the top level
        obj[draw(keys)] = draw(sv_value)
    if draw(st.booleans()):
        obj["type"] = draw(st.sampled_from(["Opaque", "kubernetes.io/tls"]))
    if draw(st.booleans()):
        obj["immutable"] = draw(st.booleans())
    return obj


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}


@st.composite
def listing(draw: st.DrawFn, depth: int = 0, *, clean: bool = False) -> dict[str, Any]:
    """A ``*List`` of any apiVersion holding Secrets (and Lists of them, and ConfigMaps)."""
    kind = draw(list_kinds)
    items: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 5))
        if choice == 0 and depth < 2:
            items.append(draw(listing(depth + 1, clean=clean)))
        elif choice == 1 and kind == "SecretList":
            items.append(draw(secret(kind=False, clean=clean)))  # a SecretList's are Secrets
        elif choice == 2:
            items.append(configmap(draw(names)))
        else:
            items.append(draw(secret(clean=clean)))
    obj: dict[str, Any] = {"apiVersion": draw(api_versions), "kind": kind}
    if kind == "SecretList" and not clean and draw(st.integers(0, 5)) == 0:
        obj["metadata"] = {"name": draw(names)}
        obj["items"] = draw(st.one_of(sv_value, st.dictionaries(keys, sv_value, min_size=1)))
    else:
        obj["items"] = items
    return obj


@st.composite
def document(draw: st.DrawFn, clean: bool = False) -> str:
    """One YAML document holding Secrets: block or flow style; unless ``clean``, perhaps
    broken."""
    obj = draw(st.one_of(secret(clean=clean), listing(clean=clean)))
    text = yaml.safe_dump(obj, default_flow_style=draw(st.booleans()), sort_keys=False)
    damage = draw(st.integers(0, 9)) if not clean else 9
    value = draw(sv_value)
    if damage == 0:  # a syntax error on a secret's line
        text += f"broken: {value}: [\n"
    elif damage == 1:  # the same key twice, each with a value
        text = f"password: {value}\npassword: {draw(sv_value)}\n" + text
    elif damage == 2:  # a control character next to a value
        text += f"bell: {value}\a\n"
    return text


_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def found_values(texts: Iterable[str]) -> set[str]:
    """Every secret value in the manifests written, as text or in base64: what must never be
    printed."""
    found: set[str] = set()
    for text in texts:
        found.update(MARKER.findall(text))
        for token in _BASE64.findall(text):
            try:
                found.update(MARKER.findall(base64.b64decode(token).decode("ascii", "replace")))
            except ValueError:
                continue
    return found


documents = st.booleans().flatmap(lambda clean: st.lists(document(clean), min_size=1, max_size=3))
"""The files of one commit: all well-formed (a plan shows them), or any shapes at all."""
