"""Checks requests and responses against the extracted OpenAPI 3.0 description.

Schemas are validated with openapi-schema-validator's OAS 3.0 validators (`nullable`,
`readOnly`/`writeOnly`, OpenAPI formats), with `$ref`s resolved inside the extracted document.
Each check returns a list of problems; an empty list means the message is as described.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .openapi import Json, Operation, Spec, pointer_token

BASE_URI = "https://ghfake.invalid/openapi.json"
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_MAX_ERRORS = 5
# Where GitHub accepts more than its schema says, and the description's own text says so:
# "You can also pass an array of labels directly" (PyGithub's add_to_labels and set_labels do).
_BARE_LABEL_LISTS = ("issues/add-labels", "issues/set-labels")

_formats = FormatChecker()
_formats.checkers = dict(oas30_format_checker.checkers)


def _is_date_time(value: object) -> bool:
    # RFC 3339 as GitHub writes it: "2011-04-14T16:00:49Z"
    if not isinstance(value, str):
        return True
    return bool(_DATE_TIME.match(value)) and bool(datetime.fromisoformat(value))


def _is_uri(value: object) -> bool:
    # Absolute: PyGithub follows these URLs, so a relative one is a bug in the fake.
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("mailto", "urn"))


_formats.checks("date-time", raises=ValueError)(_is_date_time)
_formats.checks("uri")(_is_uri)


def _nullable_enum(validator: Any, enums: Any, instance: Any, schema: Any) -> Any:
    # GitHub writes `nullable: true` beside an `enum` that lacks null (`state_reason`) and sends
    # null. OpenAPI 3.0.3 leaves this open; GitHub means null is allowed, and so do we.
    if instance is None and schema.get("nullable") is True:
        return
    if instance not in enums:
        yield ValidationError(f"{instance!r} is not one of {enums!r}")


_Read = extend(OAS30ReadValidator, {"enum": _nullable_enum})
_Write = extend(OAS30WriteValidator, {"enum": _nullable_enum})


def _where(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path)


class Checker:
    """Validates instances against schemas at JSON pointers of the extracted document."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        resource: Resource[Any] = DRAFT4.create_resource(spec.document)
        self._registry: Registry[Any] = Registry().with_resource(BASE_URI, resource)
        self._validators: dict[tuple[str, bool], Any] = {}

    def schema_errors(self, pointer: str, instance: Json, *, write: bool) -> list[str]:
        """Problems of `instance` against the schema at `pointer` (request: write=True)."""
        key = (pointer, write)
        if key not in self._validators:
            cls = _Write if write else _Read
            schema = {"$ref": f"{BASE_URI}#{pointer}"}
            self._validators[key] = cls(schema, registry=self._registry, format_checker=_formats)
        errors = sorted(self._validators[key].iter_errors(instance), key=lambda e: e.path)
        return [f"{_where(e.absolute_path)}: {e.message[:300]}" for e in errors[:_MAX_ERRORS]]

    def coerce_params(
        self, op: Operation, location: str, raw: Mapping[str, str]
    ) -> tuple[dict[str, Json], list[str]]:
        """Path or query parameters as typed values, and the problems found on the way."""
        values: dict[str, Json] = {}
        problems: list[str] = []
        declared = {p["name"]: (i, p) for i, p in enumerate(op.parameters) if p["in"] == location}
        for name, text in raw.items():
            if name not in declared:
                problems.append(f"{location} parameter {name!r} is not described")
                continue
            index, param = declared[name]
            value = _typed(param.get("schema", {}), text)
            if value is None:
                problems.append(f"{location} parameter {name}={text!r} is not {param['schema']}")
                continue
            pointer = f"{op.pointer}/parameters/{index}/schema"
            for error in self.schema_errors(pointer, value, write=True):
                problems.append(f"{location} parameter {name}={text!r}: {error}")
            values[name] = value
        for name, (_, param) in declared.items():
            if param.get("required") and name not in raw:
                problems.append(f"required {location} parameter {name!r} is missing")
        return values, problems

    def request_body(self, op: Operation, body: Json | None, content_type: str) -> list[str]:
        described = op.request_body
        if described is None:
            return [] if body is None else ["the operation takes no request body"]
        if body is None:
            return ["a request body is required"] if described.get("required") else []
        media = content_type.split(";", 1)[0].strip() or "application/json"
        if media not in described["content"]:
            return [f"request content type {media!r} is not one of {list(described['content'])}"]
        if op.operation_id in _BARE_LABEL_LISTS and isinstance(body, list):
            body = {"labels": body}
        pointer = f"{op.pointer}/requestBody/content/{pointer_token(media)}/schema"
        return [f"request body {e}" for e in self.schema_errors(pointer, body, write=True)]

    def response(self, op: Operation, status: int, content_type: str, body: bytes) -> list[str]:
        """Problems of a response; undescribed error statuses must still be GitHub errors."""
        responses = op.responses
        key = next(
            (k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None
        )
        if key is None:
            if status < 400:
                return [f"status {status} is not described (described: {sorted(responses)})"]
            # GitHub sends 401/403/404/5xx on any operation; their bodies are basic errors.
            return self._basic_error(body)
        content = responses[key].get("content", {})
        if not content:
            return [] if not body else [f"status {status} is described without a body"]
        media = content_type.split(";", 1)[0].strip()
        if media not in content:
            return [f"content type {media!r} is not one of {list(content)}"]
        try:
            instance = json.loads(body)
        except ValueError as e:
            return [f"response body is not JSON: {e}"]
        pointer = f"{op.pointer}/responses/{key}/content/{pointer_token(media)}/schema"
        return [
            f"response {status} {e}" for e in self.schema_errors(pointer, instance, write=False)
        ]

    def _basic_error(self, body: bytes) -> list[str]:
        try:
            instance = json.loads(body)
        except ValueError as e:
            return [f"error body is not JSON: {e}"]
        pointer = "/components/schemas/basic-error"
        problems = [f"error body {e}" for e in self.schema_errors(pointer, instance, write=False)]
        if not isinstance(instance, dict) or "message" not in instance:
            problems.append("error body has no 'message'")
        return problems


def _typed(schema: Json, text: str) -> Json | None:
    kind = schema.get("type")
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?\d+", text) else None
    if kind == "boolean":
        return {"true": True, "false": False}.get(text)
    if kind == "array":
        return text.split(",")
    return text
