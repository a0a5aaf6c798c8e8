"""What a review rule is: a name, the kinds and actions it looks at, and a check.

A rule is data (``Rule``) around one small pure function of the two normalized versions of an
object (``Change``): the same objects the diff is made from, so rules work alike for the
offline plan (base against head) and the live one (live against the server's dry-run). A
check returns one sentence per finding; it never reads a Secret (no rule is registered for
that kind) and never quotes a value that could be one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from ...models import KubeObject, ResourceKey

Act = Literal["create", "update", "delete"]
GroupKind = tuple[str, str]


@dataclass(frozen=True)
class Change:
    """One object's two normalized versions: ``old`` is ``None`` for a creation, ``new`` for
    a deletion."""

    key: ResourceKey
    old: KubeObject | None
    new: KubeObject | None

    @property
    def action(self) -> Act:
        if self.old is None:
            return "create"
        return "delete" if self.new is None else "update"


Check = Callable[[Change], Iterable[str]]


@dataclass(frozen=True)
class Rule:
    """A named risky-change rule; ``review.ignore`` switches it off by ``name``."""

    name: str
    summary: str
    """What it calls out, for people (the README's table, the config's error message)."""
    kinds: frozenset[GroupKind]
    actions: frozenset[Act]
    check: Check

    def applies(self, change: Change) -> bool:
        return (change.key.group, change.key.kind) in self.kinds and change.action in self.actions


def rule(
    name: str, summary: str, kinds: Iterable[GroupKind], actions: Sequence[Act], check: Check
) -> Rule:
    return Rule(name, summary, frozenset(kinds), frozenset(actions), check)


def listed(things: Iterable[str], limit: int = 4) -> str:
    """``a, b, c and 2 more``: a short list for a one-line message."""
    unique = list(dict.fromkeys(things))
    shown = ", ".join(unique[:limit])
    return f"{shown} and {len(unique) - limit} more" if len(unique) > limit else shown


def quoted(text: object) -> str:
    return f'"{text}"'
