"""Plan reports as GitHub Markdown: the sticky PR comment (in parts) and the job summary.

Read top-down: the table, what changes at a glance (with the risky changes and warnings), then
one ``<details>`` per change, objects with the same change sharing one (``groups``).

Pure: ``TargetReport`` in, text out. Text that came from manifests or from the API server is
made inert here: diffs sit in a fence longer than any backtick run they contain, and prose
is escaped so that it can neither start Markdown or HTML nor mention (@) anyone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import jinja2

from ..models import Report, ResourceDiff, ResourceKey, TargetReport
from .glance import LISTED, glance, plural
from .groups import Block, blocks

COMMENT_LIMIT = 65_536
"""GitHub refuses an issue comment longer than this (characters)."""
SUMMARY_LIMIT = 1_000_000
"""A step's job summary may hold 1 MiB; stay below it."""
MAX_PARTS = 4
"""Comments per target before the rest of the plan goes to the job summary only."""
GLANCE_LINES = 10
"""Lines per at-a-glance list before "… and N more"."""
GLANCE_LISTED = 20
"""Objects named in a list of deleted (orphaned) objects."""

_ICONS = {"create": "🟢", "update": "🟡", "delete": "🔴", "unchanged": "⚪"}
_MARKER = "<!-- gitops-action:plan target={target} part={part} -->"
MARKER_RE = re.compile(
    r"<!-- gitops-action:plan target=(?P<target>[a-z0-9-]+) part=(?P<part>\d+) -->"
)
_REVIEWED = (
    "<!-- gitops-action:reviewed target={target} desired={fingerprint} revision={revision} -->"
)
REVIEWED_RE = re.compile(
    r"^<!-- gitops-action:reviewed target=(?P<target>[a-z0-9-]+) "
    r"desired=(?P<fingerprint>sha256:[0-9a-f]+) revision=(?P<revision>[0-9a-f]*) -->$",
    re.MULTILINE,
)
"""Part 1 of a plan comment records the fingerprint of the desired state it shows
(``core.desired``): apply compares it with what it applies once the pull request is merged."""

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("gitops_action.report", "templates"),
    autoescape=False,  # Markdown, not HTML: every value goes through an explicit filter
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def inert(text: object) -> str:
    """Prose safe to place in Markdown: no HTML, no Markdown syntax, no @mention, no link, one
    line."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    escaped = re.sub(r"([\\`*_\[\]|~])", r"\\\1", escaped)
    return unlinked(escaped)


def code(text: object) -> str:
    """Text for inside ``<code>`` (in an HTML block or in a paragraph, where Markdown is still
    read): HTML-escaped, Markdown characters as entities, mentions and links broken, one line."""
    escaped = unlinked(html.escape(" ".join(str(text).split())))
    return re.sub(r"[\\`*_\[\]|~]", lambda m: f"&#{ord(m.group())};", escaped)


_AUTOLINKS = (
    (re.compile(r"(?i)(?<![a-z0-9])(w)(ww\.)"), "\\1\u200b\\2"),  # GitHub links www.example.com
    (re.compile(r"://"), ":\u200b//"),  # ... and https://example.com
    (re.compile(r"(?<![&\w])#(?=\d)"), "#\u200b"),  # ... and #123, owner/repo#123
    (re.compile(r"(?i)\b(gh)-(?=\d)"), "\\1-\u200b"),  # ... and GH-123
    (re.compile(r"@"), "@\u200b"),  # ... and @someone, someone@example.com
)


def unlinked(text: str) -> str:
    """``text`` with every form GitHub turns into a link or a mention broken by a zero-width
    space: text from manifests never becomes a link in a comment or a summary."""
    for pattern, replacement in _AUTOLINKS:
        text = pattern.sub(replacement, text)
    return text


_AUTOLINK = re.compile(r"://|(?<![A-Za-z0-9])www\.", re.IGNORECASE)
_CODE_SPECIAL = re.compile(r"[\\`*_\[\]~|]")


def _unlinked(text: str) -> str:
    # GitHub turns http://..., www.... into links even in escaped prose and inside <code>:
    # a zero-width space keeps them text.
    return _AUTOLINK.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def prose(text: object) -> str:
    """``inert`` text that cannot become a link either."""
    return _unlinked(inert(text))


def literal(text: object) -> str:
    """``code`` text (for inside ``<code>``) in which Markdown cannot start a link, emphasis
    or strike-through either: GitHub parses Markdown between inline HTML tags."""
    escaped = _CODE_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", code(text))
    return _unlinked(escaped)


TEMPLATES.filters["md"] = inert
TEMPLATES.filters["code"] = code
TEMPLATES.filters["prose"] = prose
TEMPLATES.filters["literal"] = literal
TEMPLATES.filters["plural"] = plural


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text`` (at least three)."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


@dataclass(frozen=True)
class PlanContext:
    baseline: str
    """What desired state was compared with, for people: "the live cluster", "`main` (abc1234)"."""
    revision: str = ""
    base_revision: str = ""
    run_url: str = ""
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    """Each target's desired-state fingerprint, recorded hidden in part 1 of its comment."""


def marker(target: str, part: int) -> str:
    return _MARKER.format(target=target, part=part)


def _counts(target: TargetReport) -> dict[str, int]:
    summary = target.summary()
    return {a: summary.get(a, 0) for a in ("create", "update", "delete", "unchanged")}


def reviewed_marker(target: str, ctx: PlanContext) -> str:
    """The hidden line that records what part 1 of ``target``'s comment shows; ``""`` when the
    plan did not fingerprint it."""
    fingerprint = ctx.fingerprints.get(target)
    if not fingerprint:
        return ""
    line = _REVIEWED.format(target=target, fingerprint=fingerprint, revision=ctx.revision)
    return f"\n{line}\n\n"


def header(target: TargetReport, ctx: PlanContext, part: int = 1) -> str:
    if part > 1:
        title = f"### gitops-action plan · `{target.name}` (part {part})"
        return f"{marker(target.name, part)}\n{title}\n\n"
    return _header(target, ctx) + reviewed_marker(target.name, ctx)


def _header(target: TargetReport, ctx: PlanContext) -> str:
    return TEMPLATES.get_template("plan_header.md.j2").render(
        marker=marker(target.name, 1),
        target=target,
        counts=_counts(target),
        warning_count=sum(len(r.warnings) + len(r.risks) for r in target.resources),
        changed=target.changed,
        errors=[r for r in target.resources if r.error],
        baseline=ctx.baseline,
        glance=glance_markdown(target),
    )


def glance_markdown(target: TargetReport) -> str:
    """At a glance, the risky changes and the warnings of one target (``""`` when there is
    nothing to say): the top of a plan comment, and of any report over the same rows."""
    return TEMPLATES.get_template("glance.md.j2").render(
        glance=glance(target),
        limit=GLANCE_LINES,
        listed=LISTED.values(),
        listed_limit=GLANCE_LISTED,
    )


_DIGITS = re.compile(r"([0-9]+)")


def _natural(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sorts ``web-2`` before ``web-10``: runs of digits compare as numbers."""
    return tuple(
        (0, int(part)) if part.isascii() and part.isdigit() else (1, part)
        for part in _DIGITS.split(name)
    )


def resource_block(
    row: ResourceDiff, max_diff: int | None = None, members: tuple[ResourceKey, ...] = ()
) -> str:
    """One row's ``<details>``; with ``members``, those of a group whose change ``row``
    stands for."""
    diff = row.diff
    if max_diff is not None and len(diff) > max_diff:
        cut = diff[:max_diff].rsplit("\n", 1)[0] + "\n"
        hidden = diff[len(cut) :].count("\n")
        diff = (
            f"{cut}... {hidden} more lines: the full diff is in the job summary "
            "and the JSON report\n"
        )
    namespaces = {k.namespace for k in members}
    namespace = namespaces.pop() if len(namespaces) == 1 else ""
    names = sorted(
        (k.name if namespace or not k.namespace else f"{k.namespace}/{k.name}" for k in members),
        key=_natural,
    )
    return TEMPLATES.get_template("resource.md.j2").render(
        row=row,
        icon=_ICONS.get(row.action, "•"),
        fence=fence_for(diff),
        diff=diff,
        names=names,
        namespace=namespace,
    )


def block_text(block: Block, max_diff: int | None = None) -> str:
    return resource_block(block.first, max_diff, block.keys if block.id else ())


def footer(ctx: PlanContext, overflow: int = 0) -> str:
    parts = []
    if ctx.revision:
        parts.append(f"revision `{ctx.revision[:12]}`")
    if ctx.base_revision:
        parts.append(f"base `{ctx.base_revision[:12]}`")
    return TEMPLATES.get_template("footer.md.j2").render(
        overflow=overflow,
        summary_url=ctx.run_url,
        run_url=ctx.run_url,
        revision_text=" · ".join(parts) or "plan",
    )


def comment_parts(
    target: TargetReport,
    ctx: PlanContext,
    *,
    limit: int = COMMENT_LIMIT,
    max_parts: int = MAX_PARTS,
) -> list[str]:
    """The PR comment for one target, split on resource boundaries into parts under ``limit``.

    Each part is valid Markdown on its own and starts with its hidden marker. Resources that
    do not fit in ``max_parts`` are counted in the last part's footer, which points at the
    job summary where the whole plan is.
    """
    shown = blocks(target)
    reserve = len(footer(ctx, overflow=sum(len(b.rows) for b in shown))) + 64
    parts: list[str] = [header(target, ctx)]
    budget = limit - reserve
    overflow = 0
    for index, block in enumerate(shown):
        text = block_text(block)
        if len(text) > budget - len(header(target, ctx, 2)):
            text = block_text(block, max_diff=max(budget // 2, 1000))
        if len(parts[-1]) + len(text) > budget:
            if len(parts) == max_parts:
                overflow = sum(len(b.rows) for b in shown[index:])
                break
            parts.append(header(target, ctx, len(parts) + 1))
        parts[-1] += text
    parts[-1] += footer(ctx, overflow)
    return parts


def plan_markdown(report: Report, ctx: PlanContext, *, limit: int = SUMMARY_LIMIT) -> str:
    """The whole plan of every target, for the job summary and ``--output-md``."""
    out: list[str] = []
    for target in report.targets:
        out.append(_header(target, ctx).split("\n", 1)[1])  # no marker outside comments
        for shown in blocks(target):
            block = block_text(shown)
            if sum(map(len, out)) + len(block) > limit - 2000:
                out.append("\n_The plan is too long for the job summary: see the JSON report._\n")
                return "".join(out) + footer(ctx)
            out.append(block)
    out.append(footer(ctx))
    return "".join(out)
