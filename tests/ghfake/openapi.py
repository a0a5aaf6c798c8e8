"""GitHub's OpenAPI description, cut down to the operations the fake serves.

The published description (npm `@octokit/openapi`, `generated/api.github.com.json`, OpenAPI
3.0.3) is 13 MB. The first use extracts the served operations, with their parameters, request
bodies and responses dereferenced, and every `#/components/...` schema they reach, into a small
JSON file in the cache keyed by the package version and the operation list; later runs load
only that file. The full list of GitHub's operations is kept too, so that a request for one the
fake does not serve is told apart from a request that GitHub does not describe at all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path("npm/node_modules/@octokit/openapi")
SPEC_FILE = PACKAGE_DIR / "generated/api.github.com.json"
# Bump when the layout of the extracted file changes, so that stale extracts are not read.
SUBSET_FORMAT = 1
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Json = Any
OperationKey = tuple[str, str]  # ("GET", "/repos/{owner}/{repo}/issues")


class SpecUnavailable(RuntimeError):
    """The OpenAPI description is not installed and could not be installed."""


@dataclass(frozen=True)
class Operation:
    """One served operation; `pointer` locates it in the extracted document."""

    method: str
    template: str
    operation_id: str
    doc_url: str
    parameters: tuple[Json, ...]
    request_body: Json | None
    responses: Json
    pointer: str


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    operation_id: str


def cache_dir() -> Path:
    return Path(os.environ.get("GITOPS_ACTION_CACHE", Path.home() / ".cache/gitops-action"))


def pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _ensure_installed() -> Path:
    spec = cache_dir() / SPEC_FILE
    if spec.is_file():
        return spec
    # A bare `pytest` heals itself; `make tools` normally installed it already.
    tool = REPO_ROOT / "tools/ensure-openapi"
    try:
        subprocess.run([str(tool)], check=True, stdout=subprocess.DEVNULL, timeout=600)
    except (OSError, subprocess.SubprocessError) as e:
        raise SpecUnavailable(f"{spec} is missing and {tool} failed: {e}; run `make tools`") from e
    return spec


def _deref(doc: Json, node: Json) -> Json:
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _refs(node: Json) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _response(doc: Json, node: Json) -> Json:
    # Examples are large and unused; headers are dereferenced like the response itself.
    response = dict(_deref(doc, node))
    response["content"] = {
        media: {k: v for k, v in body.items() if k not in ("examples", "example")}
        for media, body in response.get("content", {}).items()
    }
    response["headers"] = {n: _deref(doc, h) for n, h in response.get("headers", {}).items()}
    return response


def extract(full: Json, keys: Sequence[OperationKey], version: str) -> Json:
    """The served operations of `full`, and the components they reach."""
    operations: dict[str, Json] = {}
    for method, template in keys:
        item = full["paths"][template]
        op = item[method.lower()]
        params = [_deref(full, p) for p in [*item.get("parameters", []), *op.get("parameters", [])]]
        body = _deref(full, op["requestBody"]) if "requestBody" in op else None
        if body is not None:
            body = {
                **body,
                "content": {m: {"schema": c["schema"]} for m, c in body["content"].items()},
            }
        operations[f"{method} {template}"] = {
            "operationId": op.get("operationId", ""),
            "docUrl": op.get("externalDocs", {}).get("url", "https://docs.github.com/rest"),
            "parameters": params,
            "requestBody": body,
            "responses": {s: _response(full, r) for s, r in op["responses"].items()},
        }
    components: dict[str, dict[str, Json]] = {}
    # Undescribed error statuses are checked against basic-error, so it is always kept.
    pending = [*_refs(operations), "#/components/schemas/basic-error"]
    while pending:
        _, _, kind, name = pending.pop().split("/", 3)
        if name not in components.setdefault(kind, {}):
            components[kind][name] = full["components"][kind][name]
            pending.extend(_refs(components[kind][name]))
    everything = sorted(
        [m.upper(), path, op.get("operationId", "")]
        for path, item in full["paths"].items()
        for m, op in item.items()
        if m in HTTP_METHODS
    )
    return {
        "format": SUBSET_FORMAT,
        "version": version,
        "operations": operations,
        "components": components,
        "allOperations": everything,
    }


def _compile(method: str, template: str, operation_id: str) -> Route:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return Route(method, template, re.compile(f"^{pattern}$"), operation_id)


def _specificity(route: Route) -> tuple[int, str]:
    # A literal segment beats a parameter: /issues/comments/{id} before /issues/{n}/...
    return (-sum(1 for s in route.template.split("/") if not s.startswith("{")), route.template)


class Spec:
    """The extracted description: served operations, their routes, and GitHub's full list."""

    def __init__(self, document: Json) -> None:
        self.document = document
        self.version: str = document["version"]
        self.operations: dict[OperationKey, Operation] = {}
        for name, op in document["operations"].items():
            method, template = name.split(" ", 1)
            self.operations[(method, template)] = Operation(
                method=method,
                template=template,
                operation_id=op["operationId"],
                doc_url=op["docUrl"],
                parameters=tuple(op["parameters"]),
                request_body=op["requestBody"],
                responses=op["responses"],
                pointer=f"/operations/{pointer_token(name)}",
            )
        served = [_compile(o.method, o.template, o.operation_id) for o in self.operations.values()]
        self._routes = sorted(served, key=_specificity)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The served operation for a request path (without the API prefix), and its params."""
        for route in self._routes:
            found = route.regex.match(path)
            if found and route.method == method:
                return self.operations[(route.method, route.template)], found.groupdict()
        return None

    @functools.cached_property
    def _all_routes(self) -> list[Route]:
        return sorted((_compile(*op) for op in self.document["allOperations"]), key=_specificity)

    def described(self, method: str, path: str) -> str | None:
        """The operationId GitHub describes for this request, whether served or not."""
        for route in self._all_routes:
            if route.method == method and route.regex.match(path):
                return route.operation_id
        return None


@functools.cache
def load(keys: tuple[OperationKey, ...]) -> Spec:
    """The description cut to `keys`, extracted on first use and cached on disk afterwards."""
    source = _ensure_installed()
    meta = json.loads((cache_dir() / PACKAGE_DIR / "package.json").read_text())
    version = str(meta["version"])
    digest = hashlib.sha256(json.dumps([SUBSET_FORMAT, sorted(keys)]).encode()).hexdigest()
    subset = cache_dir() / "openapi" / f"ghfake-{version}-{digest[:16]}.json"
    if subset.is_file():
        return Spec(json.loads(subset.read_text()))
    document = extract(json.loads(source.read_text()), keys, version)
    subset.parent.mkdir(parents=True, exist_ok=True)
    # Written under a unique name, then renamed: parallel test runs never read half a file.
    partial = subset.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(document, separators=(",", ":")))
    partial.replace(subset)
    return Spec(document)
