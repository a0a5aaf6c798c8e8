"""Findings as text for a terminal, JSON for tools, or GitHub workflow commands (annotations).

GitHub turns ``::error file=F,line=L,col=C,title=T::MESSAGE`` lines of a step's output into
annotations on the pull request's files. The escaping is that of @actions/core (command.ts):
the message escapes ``%``, CR and LF; property values also ``:`` and ``,``. Without it a ``%0A``
in a manifest would become a newline, and a comma in a file name would end the property.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from ..models import Finding

FindingFormat = Literal["text", "json", "github"]
FORMATS: tuple[FindingFormat, ...] = ("text", "json", "github")
TITLE = "gitops-action validate"


def format_findings(
    findings: Iterable[Finding], fmt: FindingFormat, *, command: str = "validate"
) -> str:
    """All findings, sorted by file, line and column (those with no place last)."""
    ordered = sorted(findings, key=_order)
    if fmt == "json":
        return _json(ordered, command)
    if fmt == "github":
        return "".join(_github(f) + "\n" for f in ordered) + summary(ordered) + "\n"
    return "".join(_text(f) + "\n" for f in ordered) + summary(ordered) + "\n"


def summary(findings: Iterable[Finding]) -> str:
    """``2 errors, 1 warning``; ``no problems found`` when there are none."""
    errors, warnings = _counts(findings)
    if not errors and not warnings:
        return "no problems found"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _order(finding: Finding) -> tuple[Any, ...]:
    src = finding.source
    place = (0, src.path, src.line, src.column) if src else (1, "", 0, 0)
    return (*place, str(finding.key or ""), finding.message)


def _counts(findings: Iterable[Finding]) -> tuple[int, int]:
    severities = [f.severity for f in findings]
    return severities.count("error"), severities.count("warning")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _text(finding: Finding) -> str:
    """``path:line:col: Kind/ns/name: message``; warnings say so after the place."""
    parts = [str(finding.source)] if finding.source else []
    if finding.severity == "warning":
        parts.append("warning")
    if finding.key is not None:
        parts.append(str(finding.key))
    # Later lines of a multi-line message stay under the first.
    return ": ".join([*parts, finding.message.replace("\n", "\n    ")])


def _json(findings: list[Finding], command: str) -> str:
    errors, warnings = _counts(findings)
    rows = []
    for f in findings:
        src, key = f.source, f.key
        rows.append({
            "target": f.target,
            "file": src.path if src else None,
            "line": src.line if src else None,
            "column": src.column if src else None,
            "kind": key.kind if key else None,
            "namespace": key.namespace if key else None,
            "name": key.name if key else None,
            "severity": f.severity,
            "message": f.message,
        })  # fmt: skip
    doc = {
        "version": 1,
        "command": command,
        "findings": rows,
        "errors": errors,
        "warnings": warnings,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _github(finding: Finding) -> str:
    props: dict[str, object] = {}
    if finding.source is not None:
        props = {
            "file": finding.source.path,
            "line": finding.source.line,
            "col": finding.source.column,
        }
    props["title"] = TITLE
    joined = ",".join(f"{name}={escape_property(str(value))}" for name, value in props.items())
    message = f"{finding.key}: {finding.message}" if finding.key else finding.message
    return f"::{finding.severity} {joined}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """@actions/core ``escapeData``: a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """@actions/core ``escapeProperty``: a command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
