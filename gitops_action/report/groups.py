"""Rows with the same change, shown once: the diff is equal once each object's own name and
namespace are set aside (``dep-3``'s ``app: dep-3`` label is the same change as ``dep-4``'s).

"Its own name" counts the leading parts of it too, as charts and overlays name objects after
their app or release: ``app-3-env`` labelled ``app: app-3`` changes as ``app-4-env`` labelled
``app: app-4``. Each part is set aside by its own placeholder, so two rows are grouped only
when one's diff is exactly the other's with its name (and those parts) put in.

Pure, over any ``TargetReport`` (plan, apply or verify rows alike). The group id is a short
hash of the shared change, so it is the same in the JSON report and the comment, and stays
the same across runs while the change does; only diffs already masked are hashed, so no
Secret value is in it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..models import ResourceDiff, ResourceKey, TargetReport

QUIET = ("unchanged", "in-sync")
"""Actions that are not changes: their rows are not shown."""
_NAMESPACE = "\x00namespace\x00"


@dataclass(frozen=True)
class Block:
    """What the comment shows as one ``<details>``: one row, or a group of rows whose
    change is the same (``id`` set); ``rows[0]`` stands for the group."""

    rows: tuple[ResourceDiff, ...]
    id: str = ""

    @property
    def first(self) -> ResourceDiff:
        return self.rows[0]

    @property
    def keys(self) -> tuple[ResourceKey, ...]:
        return tuple(r.key for r in self.rows)


def shown(target: TargetReport) -> list[ResourceDiff]:
    """The rows a report shows: changes and errors."""
    return [r for r in target.resources if r.action not in QUIET or r.error]


def blocks(target: TargetReport) -> list[Block]:
    """The shown rows, those with the same change together, each group where its first
    member is (rows stay in their order)."""
    found: dict[str, list[ResourceDiff]] = {}
    order: list[str | ResourceDiff] = []
    for row in shown(target):
        change = signature(row)
        if change is None:
            order.append(row)
            continue
        if change not in found:
            found[change] = []
            order.append(change)
        found[change].append(row)
    out = []
    for item in order:
        if isinstance(item, ResourceDiff):
            out.append(Block((item,)))
        else:
            rows = tuple(found[item])
            out.append(Block(rows, item if len(rows) > 1 else ""))
    return out


def group_ids(target: TargetReport) -> dict[ResourceKey, str]:
    """The group id of every row that shares its change with another."""
    return {key: block.id for block in blocks(target) if block.id for key in block.keys}


def signature(row: ResourceDiff) -> str | None:
    """A short hash of what the row changes, its own name and namespace set aside; ``None``
    for a row that is not grouped (an error, or no diff to share)."""
    if row.error or not row.diff:
        return None
    text = "\x1f".join(
        [
            row.action,
            row.key.group,
            row.key.kind,
            row.api_version,
            row.diff,
            *row.warnings,
            "\x1e",
            *row.notes,
            "\x1e",
            *(f"{r.rule}\x1d{r.message}" for r in row.risks),
        ]
    )
    return hashlib.sha256(aside(text, row.key).encode()).hexdigest()[:12]


def aside(text: str, key: ResourceKey) -> str:
    """``text`` with the object's name, the leading parts of its name (``app-3`` and ``app``
    of ``app-3-env``) and its namespace replaced wherever they stand as a whole word: not
    inside a longer one (``dep-1`` in ``dep-10`` stays), but before a ``-`` or a ``.``."""
    parts = key.name.split("-")
    words = {
        "-".join(parts[:end]): f"\x00name-{len(parts) - end}\x00"
        for end in range(1, len(parts) + 1)
    }
    words.setdefault(key.namespace, _NAMESPACE)
    words.pop("", None)
    if not words:
        return text
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")
    return pattern.sub(lambda m: words[m.group(0)], text)
