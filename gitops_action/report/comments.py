"""The sticky PR comment: one comment (in parts) per pull request and target, kept in sync.

Pure logic over the ``GitHub`` port. Our comments are found again by the hidden marker that
is their first line (``<!-- gitops-action:plan target=NAME part=K -->``), among the comments
the token's own identity wrote (``GitHub.identity``: ``github-actions[bot]`` for a workflow's
``GITHUB_TOKEN``, the owner of a personal token). Anyone can paste the marker: a comment of
someone else that carries it is left alone, never edited into a plan nor deleted, and a marker
anywhere but the first line (quoted in a reply, say) does not count. Comments are edited in
place, never re-posted, written only when their text changed; a plan that never had changes
posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..ports import Comment, GitHub
from .markdown import MARKER_RE


@dataclass(frozen=True)
class Synced:
    """What one sync did; ``url`` is part 1's (``""`` when there is no comment)."""

    url: str = ""
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def outcome(self) -> str:
        """One word for the log: created, updated, unchanged, none."""
        if not self.url:
            return "none"
        if self.created:
            return "created" if not (self.updated or self.unchanged) else "updated"
        return "updated" if (self.updated or self.deleted) else "unchanged"


def marker_of(body: str) -> tuple[str, int] | None:
    """``(target, part)`` when the first line of ``body`` is our marker, else ``None``."""
    first = body.split("\n", 1)[0].rstrip("\r\t ")
    found = MARKER_RE.fullmatch(first)
    return (found["target"], int(found["part"])) if found else None


def sync_comments(
    github: GitHub,
    number: int,
    target: str,
    parts: Sequence[str],
    *,
    post: bool,
    existing: Sequence[Comment] | None = None,
    author: str | None = None,
) -> Synced:
    """Make the comments of ``target`` on pull request ``number`` read ``parts``.

    ``post`` says whether the plan is worth a comment (changes, or errors). When it is not,
    nothing is posted; a comment posted earlier is kept, now saying part 1 (the short
    no-changes text), and its other parts go. Parts left over from a longer earlier plan are
    deleted; parts that are missing are created after the ones that exist, so when one in
    the middle went missing, the ones after it are posted again to keep the order.
    ``existing``: the comments of the pull request when already listed (one listing serves
    every target, as each touches only its own). ``author``: whose comments are ours
    (default: ``github.identity()``).
    """
    for index, body in enumerate(parts, start=1):
        if marker_of(body) != (target, index):
            raise ValueError(f"part {index} of {target} does not start with its marker")
    listed = github.comments(number) if existing is None else existing
    mine, duplicates = _ours(listed, target, github.identity() if author is None else author)
    if not mine and not post:
        return Synced()
    wanted = list(parts if post else parts[:1])
    gap = next((k for k in range(1, len(wanted) + 1) if k not in mine), len(wanted) + 1)
    doomed = duplicates + [c for k, c in sorted(mine.items()) if k > gap or k > len(wanted)]
    kept: dict[int, Comment] = {}
    updated = unchanged = 0
    for part in range(1, gap):
        current, body = mine[part], wanted[part - 1]
        if _same(current.body, body):
            kept[part] = current
            unchanged += 1
        else:
            kept[part] = github.update_comment(number, current.id, body)
            updated += 1
    for comment in doomed:
        github.delete_comment(number, comment.id)
    for part in range(gap, len(wanted) + 1):
        kept[part] = github.create_comment(number, wanted[part - 1])
    return Synced(
        url=kept[1].url,
        created=len(wanted) - gap + 1,
        updated=updated,
        deleted=len(doomed),
        unchanged=unchanged,
    )


def _ours(
    comments: Sequence[Comment], target: str, author: str
) -> tuple[dict[int, Comment], list[Comment]]:
    """This target's parts by number (the oldest of each) among ``author``'s comments, and
    later copies: two runs that raced both posted, and the second copy goes."""
    mine: dict[int, Comment] = {}
    duplicates: list[Comment] = []
    for comment in comments:  # oldest first
        found = marker_of(comment.body)
        if found is None or found[0] != target or comment.user.lower() != author.lower():
            continue
        if mine.setdefault(found[1], comment) is not comment:
            duplicates.append(comment)
    return mine, duplicates


def _same(current: str, wanted: str) -> bool:
    # GitHub keeps a body as it was sent; allow for line ends and trailing space all the same.
    return current.replace("\r\n", "\n").rstrip() == wanted.rstrip()
