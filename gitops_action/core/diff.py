"""(desired, baseline) -> ``ResourceDiff`` list: actions, unified diffs, warnings, risks.

Both sides must already be normalized (``normalize.normalize``) and come from the same source
of truth (two renders, or two objects the API server produced); this module only compares.
Secret values are masked here, before any text is produced. The review rules (``rules``) and
the at-a-glance facts (``facts``) read the same two objects, so a row's risks always match
its diff.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..models import KubeObject, Manifest, PlanAction, ResourceDiff, ResourceKey
from . import rules
from .facts import facts
from .immutable import immutable_changes
from .secrets import SecretChanges, mask_pair

_TOP_ORDER = {"apiVersion": 0, "kind": 1, "metadata": 2}
_META_ORDER = {"name": 0, "namespace": 1, "labels": 2, "annotations": 3}
CONTEXT_LINES = 3
SECRET_KEYS_CHANGED = "Secret keys changed"
"""How the warning of a Secret whose keys changed starts (the at-a-glance section has them)."""


@dataclass(frozen=True)
class Labels:
    """How the two sides are called in diff headers (``--- base`` / ``+++ head``)."""

    old: str = "base"
    new: str = "head"


BASE_HEAD = Labels(old="base", new="head")
"""Offline: the target rendered at the base ref against the head."""
LIVE_DESIRED = Labels(old="live", new="desired")
"""With a cluster: the live object against the server's dry-run of the desired one."""


def to_yaml(obj: KubeObject | None) -> str:
    """Canonical YAML for diffing: keys sorted (as ``kubectl diff`` shows them), except that
    apiVersion, kind, metadata come first and metadata starts with name and namespace."""
    if obj is None:
        return ""
    return yaml.dump(_ordered(obj, _TOP_ORDER), Dumper=_DiffDumper, sort_keys=False, width=1 << 16)


def _ordered(value: Any, order: Mapping[str, int] | None = None) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (order.get(str(k), 99) if order else 99, str(k)))
        return {
            k: _ordered(value[k], _META_ORDER if k == "metadata" and order is _TOP_ORDER else None)
            for k in keys
        }
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


class _DiffDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Multi-line strings as literal blocks so a changed line of a ConfigMap is one diff line.
    libyaml's emitter when present: five times faster than PyYAML's, the same text."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and not any(c in value for c in "\t\r") and value == value.rstrip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_DiffDumper.add_representer(str, _represent_str)


def unified(old: KubeObject | None, new: KubeObject | None, labels: Labels) -> str:
    lines = difflib.unified_diff(
        to_yaml(old).splitlines(keepends=True),
        to_yaml(new).splitlines(keepends=True),
        fromfile=labels.old if old is not None else "/dev/null",
        tofile=labels.new if new is not None else "/dev/null",
        n=CONTEXT_LINES,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def compare(
    key: ResourceKey,
    api_version: str,
    old: KubeObject | None,
    new: KubeObject | None,
    *,
    labels: Labels = Labels(),
    manifest: Manifest | None = None,
    warnings: Iterable[str] = (),
) -> ResourceDiff:
    """One object's row: the action, its masked diff, and what a reviewer should know."""
    action: PlanAction
    if old is None and new is None:
        raise ValueError(f"{key}: nothing to compare")
    if old is None:
        action = "create"
    elif new is None:
        action = "delete"
    else:
        action = "unchanged" if old == new else "update"
    notes = list(warnings)
    text = ""
    secret_changes = SecretChanges()
    if action != "unchanged":
        masked_old, masked_new, secret_changes = mask_pair(old, new)
        text = unified(masked_old, masked_new, labels)
        if action == "delete":
            notes.append(deletion_warning(key))
        if action == "update" and old is not None and new is not None:
            notes.extend(immutable_changes(key, old, new))
        if secret_changes and action == "update":
            notes.append(
                f"{SECRET_KEYS_CHANGED} ({secret_changes.describe()}); values are not shown"
            )
    return ResourceDiff(
        key=key,
        api_version=api_version,
        action=action,
        diff=text,
        warnings=tuple(dict.fromkeys(notes)),
        source=manifest.source if manifest else None,
        risks=rules.evaluate(key, old, new) if action != "unchanged" else (),
        facts=facts(key, old, new, secret_changes, unchanged=action == "unchanged"),
    )


def deletion_warning(key: ResourceKey) -> str:
    """The warning of every deleted row (the at-a-glance section lists deletions instead)."""
    return f"{key} will be deleted (pruned) when this is applied"


def diff_sets(
    desired: Mapping[ResourceKey, tuple[Manifest, KubeObject]],
    baseline: Mapping[ResourceKey, KubeObject],
    *,
    labels: Labels = Labels(),
) -> list[ResourceDiff]:
    """Match by key: in both -> update/unchanged, only desired -> create, only baseline -> delete.

    ``desired`` maps each key to its manifest (for the source) and its normalized object.
    """
    rows: list[ResourceDiff] = []
    for key in sorted(desired.keys() | baseline.keys()):
        manifest, new = desired.get(key, (None, None))
        old = baseline.get(key)
        api_version = str((new or old or {}).get("apiVersion", ""))
        rows.append(compare(key, api_version, old, new, labels=labels, manifest=manifest))
    return rows
