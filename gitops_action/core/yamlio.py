"""Read YAML strictly, remembering where every key came from.

PyYAML's loaders keep the last of two equal keys, turn ``2024-01-01`` into a date and expand
an alias bomb until memory runs out. We compose the node graph with libyaml (fast, with marks)
and build the Python values ourselves, so that:

- mapping keys are text, as the API server reads them (YAML becomes JSON there): ``1`` is
  ``"1"`` and ``true`` is ``"true"``, two different keys, and ``1`` beside ``"1"`` is a
  duplicate;
- duplicate mapping keys are an error naming both lines;
- timestamps stay strings (as the Kubernetes API sees them);
- the expansion of aliases is bounded (a billion-laughs file is an error, not a hang), and so
  is nesting (every later step walks objects recursively);
- a control character is an error naming its line and column, on one line;
- every mapping key and sequence item records its (line, column), so any later message can
  point at the exact field.
"""

from __future__ import annotations

import hashlib
import math
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import ManifestError
from ..models import Path, clone

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is in every wheel we install
    _Loader = yaml.SafeLoader

MAX_DEPTH = 200
"""Levels of nesting one document may have. The deepest real objects (CRDs with embedded pod
templates) have under 100; every step after parsing walks objects recursively."""

MAX_NODES = 1_000_000
"""Nodes one document may expand to (aliases counted each time they are used). The largest
real CRDs are around 50,000; a billion-laughs document passes this bound in microseconds."""

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_BINARY = "tag:yaml.org,2002:binary"
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Document:
    """One YAML document: its value, where it starts, and where each of its fields is."""

    data: Any
    line: int
    column: int
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a BOM is dropped), or an error naming the line of the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise ManifestError(
            f"{path}:{line}:{column}: not valid UTF-8 (byte 0x{raw[err.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def load_documents(text: str, path: str, *, max_nodes: int = MAX_NODES) -> list[Document]:
    """Every document of a YAML stream; empty documents (``---`` alone) are skipped."""
    docs: list[Document] = []
    has_anchors = "&" in text and "*" in text
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            if has_anchors:
                _check_expansion(node, path, max_nodes)
            builder = _Builder(path, max_nodes)
            data = builder.build(node, ())
            if data is None:
                continue
            mark = node.start_mark
            docs.append(Document(data, mark.line + 1, mark.column + 1, builder.positions))
    except yaml.MarkedYAMLError as err:
        raise ManifestError(_describe_yaml_error(err, path, text)) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, by offset
        raise ManifestError(_describe_reader_error(err, path, text)) from None
    except yaml.YAMLError as err:  # pragma: no cover - libyaml always gives marks
        raise ManifestError(f"{path}: YAML error: {err}") from None
    return docs


_PARSED: dict[tuple[str, bytes], list[Document]] = {}
_PARSED_MAX = 20_000


def load_file(raw: bytes, path: str) -> list[Document]:
    """``load_documents`` of a file's bytes, remembered by path and content for this process:
    a plan reads most files twice (head and base) and most of them did not change. Each call
    returns its own copies of the values (positions are shared: nobody writes them)."""
    key = (path, hashlib.blake2b(raw, digest_size=16).digest())
    docs = _PARSED.get(key)
    if docs is None:
        docs = load_documents(decode(raw, path), path)
        if len(_PARSED) < _PARSED_MAX:
            _PARSED[key] = docs
    return [Document(clone(d.data), d.line, d.column, d.positions) for d in docs]


def _describe_yaml_error(err: yaml.MarkedYAMLError, path: str, text: str) -> str:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = err.problem or err.context or "invalid YAML"
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in bad_line[: max(column, 1)] or "'\\t'" in problem:
        return (
            f"{path}:{line}:{column}: YAML does not allow tabs for indentation; indent with spaces"
        )
    hint = f" ({err.context})" if err.context and err.problem else ""
    return f"{path}:{line}:{column}: YAML syntax error: {problem}{hint}"


def _describe_reader_error(err: yaml.reader.ReaderError, path: str, text: str) -> str:
    """``path:line:column: control character U+0007 ...``: where it is, never the line."""
    position = err.position if 0 <= err.position <= len(text) else 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = err.character if isinstance(err.character, str) else chr(err.character)
    return (
        f"{path}:{line}:{column}: control character U+{ord(character):04X} is not allowed in "
        "YAML; remove it (write it as an escape such as \\u0007 inside double quotes)"
    )


def key_text(key: Any) -> str:
    """A mapping key as JSON spells it, as the API server converts YAML (sigs.k8s.io/yaml):
    ``true`` -> ``"true"``, ``1`` -> ``"1"``, ``1.5`` -> ``"1.5"`` (shortest float32)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _go_float32(key)
    raise TypeError(type(key).__name__)


FLOAT32_MAX = 3.4028234663852886e38


def _go_float32(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 32)``, with YAML's names for infinities."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if abs(value) > FLOAT32_MAX:
        return ".inf" if value > 0 else "-.inf"
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):  # the fewest digits that read back as the same float32
        text = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if power < -4 or power >= 6:  # Go's shortest %g: an exponent from a million on
        sign = "-" if power < 0 else "+"
        return f"{mantissa.rstrip('0').rstrip('.')}e{sign}{abs(power):02d}"
    fixed = f"{float(text):.{max(0, digits - 1 - power)}f}"
    return fixed.rstrip("0").rstrip(".") if "." in fixed else fixed


def _check_expansion(root: yaml.Node, path: str, max_nodes: int) -> None:
    """Refuse a document whose aliases expand past ``max_nodes``, before expanding anything:
    the expanded size of each distinct node is computed once (the graph is a DAG)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            sizes[id(node)] = 1
            continue
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(node)] > max_nodes:
                mark = node.start_mark
                raise ManifestError(
                    f"{path}:{mark.line + 1}:{mark.column + 1}: document expands to more than "
                    f"{max_nodes:,} YAML nodes (aliases of aliases?); refusing to expand it"
                )
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)


_PATHS: dict[Path, Path] = {}


def _path(path: Path) -> Path:
    """One tuple per distinct path for the whole process: ten thousand Deployments share
    ``("spec", "template", ...)`` instead of holding a copy each (positions are most of the
    memory of a large render)."""
    return _PATHS.setdefault(path, path)


class _Builder:
    """Turns a composed node graph into Python values, recording positions."""

    def __init__(self, path: str, max_nodes: int) -> None:
        self.path = path
        self.max_nodes = max_nodes
        self.count = 0
        self.positions: dict[Path, tuple[int, int]] = {}

    def build(self, node: yaml.Node, at: Path) -> Any:
        self.count += 1
        if len(at) > MAX_DEPTH:
            mark = node.start_mark
            raise ManifestError(
                f"{self.path}:{mark.line + 1}:{mark.column + 1}: nested more than {MAX_DEPTH} "
                "levels deep; no Kubernetes object is, flatten it"
            )
        if self.count > self.max_nodes:
            mark = node.start_mark
            raise ManifestError(
                f"{self.path}:{mark.line + 1}:{mark.column + 1}: document expands to more than "
                f"{self.max_nodes:,} YAML nodes (aliases of aliases?); refusing to expand it"
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for index, item in enumerate(node.value):
                here = _path((*at, index))
                self.positions[here] = (item.start_mark.line + 1, item.start_mark.column + 1)
                out.append(self.build(item, here))
            return out
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, at: Path) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in self._pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                mark = key_node.start_mark
                raise ManifestError(
                    f"{self.path}:{mark.line + 1}:{mark.column + 1}: a mapping key must be a "
                    "plain value, not a list or a mapping"
                )
            try:
                key = key_text(_scalar(key_node))
            except TypeError as err:
                mark = key_node.start_mark
                raise ManifestError(
                    f"{self.path}:{mark.line + 1}:{mark.column + 1}: a mapping key must be text, "
                    f"a number or true/false, not {err.args[0].replace('NoneType', 'null')}"
                ) from None
            key = sys.intern(key)  # every "metadata" of every object is one string
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ManifestError(
                    f"{self.path}:{line}:{key_node.start_mark.column + 1}: duplicate key "
                    f"{key!r} (first at line {seen[key]}); YAML keeps only the last one, "
                    "remove one of them"
                )
            seen[key] = line
            here = _path((*at, key))
            self.positions[here] = (line, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, here)
        return out

    def _pairs(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """The node's pairs with ``<<`` merge keys resolved: explicit keys win over merged."""
        if not any(key.tag == _MERGE for key, _ in node.value):
            return iter(node.value)  # nearly every mapping: no merge key
        return self._merged(node)

    def _merged(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        mark = source.start_mark
                        raise ManifestError(
                            f"{self.path}:{mark.line + 1}:{mark.column + 1}: a merge key (<<) "
                            "must refer to a mapping"
                        )
                    merged.extend(self._pairs(source))
            else:
                own.append((key_node, value_node))
        own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        seen_merged: set[Any] = set()
        for key_node, value_node in merged:
            if key_node.value in own_keys or key_node.value in seen_merged:
                continue
            seen_merged.add(key_node.value)
            yield key_node, value_node
        yield from own


def _scalar(node: yaml.Node) -> Any:
    """A scalar as the Kubernetes API would read it: timestamps and unknown tags stay text."""
    if node.tag == _STR:  # most scalars of a manifest: no constructor to call
        return node.value
    construct = _constructor.yaml_constructors.get(node.tag)
    if node.tag == _BINARY:  # keep base64 text, as a Secret's data holds it
        return "".join(str(node.value).split())
    if construct is None or node.tag == _TIMESTAMP:
        return str(node.value)
    return construct(_constructor, node)


def dump(data: Any) -> str:
    """Block-style YAML with keys in the given order, as a human would write it."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 16)


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _str_presenter)
