"""The string formats the Kubernetes API server enforces on names, labels and quantities.

Each check mirrors the Go code of Kubernetes 1.36 (k8s.io/apimachinery v0.36, packages
``api/validate/content``, ``api/validation`` and ``api/resource``) and returns the problems
found, empty when the value is valid, so that ``validate`` can say exactly what is wrong.
Lengths are counted in bytes, as Go's ``len`` does.
"""

from __future__ import annotations

import base64
import binascii
import re

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(_LABEL)
_DNS1123_SUBDOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")

# api/resource/quantity.go parseQuantityString + suffix.go: a signed decimal whose parts may
# each be empty ("1.", ".5"), then a binary (Ki..Ei) or decimal (n..E) suffix or an exponent.
_QUANTITY = re.compile(r"[+-]?[0-9]*(\.[0-9]*)?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?")

ANNOTATIONS_MAX_BYTES = 256 * 1024
"""apimachinery TotalAnnotationSizeLimitB: keys and values of one object's annotations."""


def _size(value: str) -> int:
    return len(value.encode())


def dns1123_label(value: str) -> list[str]:
    """content.IsDNS1123Label: Namespace, StatefulSet and (1.36) Service names."""
    problems = []
    if _size(value) > 63:
        problems.append("must be no more than 63 characters")
    if not _DNS1123_LABEL.fullmatch(value):
        problems.append(
            "must be a lowercase RFC 1123 label: lower case letters, digits and '-', "
            "starting and ending with a letter or digit (e.g. 'my-name' or '123-abc')"
        )
    return problems


def dns1123_subdomain(value: str) -> list[str]:
    """content.IsDNS1123Subdomain: the names of most kinds, and custom resources."""
    problems = []
    if _size(value) > 253:
        problems.append("must be no more than 253 characters")
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        problems.append(
            "must be a lowercase RFC 1123 subdomain: lower case letters, digits, '-' and '.', "
            "starting and ending with a letter or digit (e.g. 'example.com')"
        )
    return problems


def path_segment(value: str) -> list[str]:
    """content.IsPathSegmentName: RBAC names, and a floor for every name (it is a URL part)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


def qualified_name(value: str) -> list[str]:
    """content.IsLabelKey (IsQualifiedName): label keys and annotation keys."""
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "must be a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/name')"
        ]
    problems = []
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            problems.append("prefix part must be non-empty")
        else:
            problems.extend("prefix part " + p for p in dns1123_subdomain(parts[0]))
    if not name:
        problems.append("name part must be non-empty")
    elif _size(name) > 63:
        problems.append("name part must be no more than 63 characters")
    if name and not _QUALIFIED_NAME.fullmatch(name):
        problems.append(
            "name part must consist of letters, digits, '-', '_' or '.', "
            "and must start and end with a letter or digit"
        )
    return problems


def label_value(value: str) -> list[str]:
    """content.IsLabelValue: empty, or up to 63 characters of the qualified-name alphabet."""
    problems = []
    if _size(value) > 63:
        problems.append("must be no more than 63 characters")
    if value and not _QUALIFIED_NAME.fullmatch(value):
        problems.append(
            "must be empty or consist of letters, digits, '-', '_' or '.', "
            "and must start and end with a letter or digit"
        )
    return problems


def is_quantity(value: str) -> bool:
    """resource.ParseQuantity, after the TrimSpace that Quantity.UnmarshalJSON applies."""
    text = value.strip()
    return bool(text) and _QUANTITY.fullmatch(text) is not None


def is_base64(value: str) -> bool:
    """What Go's encoding/json accepts for ``[]byte``: standard base64, padded; it skips
    ``\\r`` and ``\\n`` (folded PEM-style lines), nothing else."""
    try:
        base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def decoded_size(value: str) -> int:
    """Bytes of base64 ``value`` once decoded (as the API server stores ``[]byte``); the
    length of the text when it is not base64 (another check reports that)."""
    text = value.replace("\n", "").replace("\r", "")
    if not is_base64(text):
        return len(value.encode())
    return len(text) // 4 * 3 - text[-2:].count("=")
