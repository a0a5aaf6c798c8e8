"""The drift issue: one per target, telling the truth about the drift, and only while it lasts.

- Drift and no open issue of ours for the target: open one, labelled ``gitops-drift`` and
  titled ``Drift detected in <target>``, its body the drift report and a hidden marker with the
  drift's fingerprint and what drifted.
- Drift, and the open issue says the same (same fingerprint): nothing is written.
- Drift that changed: the body is edited in place and a comment says what changed (new,
  resolved, still drifted).
- No drift: the open issue gets a comment saying so and is closed.
- A new drift after a close opens a new issue that links the previous one: each incident keeps
  its own history and its own notifications, and a closed issue stays the record of how the
  last one ended.

Issues are found by their marker only among those the token's own identity opened, so nobody
else's issue is ever edited or closed, whatever it contains. Never a second open issue: if a
race left two, the newer ones are closed as duplicates of the oldest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..models import TargetReport
from ..ports import GitHub, IssueRef
from ..report.drift import fingerprint, target_section
from ..report.markdown import COMMENT_LIMIT, code

LABEL = "gitops-drift"
TITLE = "Drift detected in {target}"
_MARKER = "<!-- gitops-action:drift target={target} fingerprint={fingerprint} -->"
_MARKER_RE = re.compile(
    r"<!-- gitops-action:drift target=(?P<target>[a-z0-9-]+) fingerprint=(?P<fp>[0-9a-f]+) -->"
)
_STATE = "<!-- gitops-action:drift-state {state} -->"
_STATE_RE = re.compile(r"<!-- gitops-action:drift-state (?P<state>\{.*?\}) -->")
_STATE_LIMIT = 20_000
"""Characters of the hidden what-drifted record; past it, comments give counts only."""


@dataclass(frozen=True)
class Synced:
    outcome: str
    """opened, updated, unchanged, closed, or none."""
    url: str = ""


def sync_issue(
    github: GitHub,
    report: TargetReport,
    *,
    revision: str,
    run_url: str = "",
    open_new: bool = True,
) -> Synced:
    """Open, edit, comment on or close the target's drift issue so that it tells the truth;
    ``open_new=False`` keeps an open issue true but opens none (a pull request is the
    remedy chosen)."""
    me = github.identity()
    mine = [
        i for i in github.issues(LABEL, state="all")
        if i.user == me and _target_of(i.body) == report.name
    ]  # fmt: skip
    open_ = sorted((i for i in mine if i.state == "open"), key=lambda i: i.number)
    drifted = any(r.action != "in-sync" for r in report.resources)
    if open_ and len(open_) > 1:
        for extra in open_[1:]:
            github.create_comment(extra.number, f"Duplicate of #{open_[0].number}.", pull=False)
            github.update_issue(extra.number, state="closed")
    if not drifted:
        if not open_:
            return Synced("none")
        issue = open_[0]
        github.create_comment(issue.number, resolved(report, revision, run_url), pull=False)
        github.update_issue(issue.number, state="closed")
        return Synced("closed", issue.url)
    if not open_ and not open_new:
        return Synced("none")
    if not open_:
        closed = sorted((i for i in mine if i.state == "closed"), key=lambda i: -i.number)
        body = issue_body(report, revision, run_url, previous=closed[0] if closed else None)
        made = github.create_issue(TITLE.format(target=report.name), body, [LABEL])
        return Synced("opened", made.url)
    issue = open_[0]
    match = _MARKER_RE.search(issue.body)
    if match and match["fp"] == fingerprint(report):
        return Synced("unchanged", issue.url)
    body = issue_body(report, revision, run_url)
    github.update_issue(issue.number, body=body)
    github.create_comment(issue.number, changed(issue.body, report, revision, run_url), pull=False)
    return Synced("updated", issue.url)


def _target_of(body: str) -> str:
    match = _MARKER_RE.search(body)
    return match["target"] if match else ""


def state_of(report: TargetReport) -> dict[str, str]:
    return {str(r.key): r.action for r in report.resources if r.action != "in-sync"}


def issue_body(
    report: TargetReport,
    revision: str,
    run_url: str,
    *,
    previous: IssueRef | None = None,
) -> str:
    """The issue's body: what drifted, who changed it, the masked diffs, and what to do."""
    head = [
        _MARKER.format(target=report.name, fingerprint=fingerprint(report)),
        _hidden_state(state_of(report)),
        f"The cluster no longer matches Git for target `{report.name}` "
        f"(checked against `{revision[:12]}`).",
    ]
    if previous is not None:
        head.append(f"The previous drift of this target was #{previous.number}.")
    advice = (
        "**What to do**: make Git the truth again. To put Git's version back, run the apply "
        "workflow (or merge a `revert-pr` from `verify --on-drift revert-pr`); to keep the "
        "cluster's version, change Git to match it (`verify --on-drift adopt-pr` opens that "
        "pull request for plain YAML). This issue is kept up to date by `gitops-action "
        "verify` and closes itself once the drift is gone."
    )
    tail = f"\n\n<sub>drift fingerprint `{fingerprint(report)}`"
    tail += f" · [workflow run]({run_url})" if run_url else ""
    tail += " · gitops-action</sub>\n"
    section = target_section(report, heading="####")
    budget = COMMENT_LIMIT - sum(map(len, head)) - len(advice) - len(tail) - 200
    if len(section) > budget:
        cut = section[:budget].rsplit("\n<details>", 1)[0]
        section = (
            cut + "\n\n_More objects drifted than fit here: see the workflow run's job summary._\n"
        )
    return "\n\n".join(head) + "\n\n" + section + "\n" + advice + tail


def _hidden_state(state: Mapping[str, str]) -> str:
    text = json.dumps(dict(sorted(state.items())), separators=(",", ":"))
    if len(text) > _STATE_LIMIT or "-->" in text:
        text = "{}"
    return _STATE.format(state=text)


def _previous_state(body: str) -> dict[str, str] | None:
    match = _STATE_RE.search(body)
    if not match:
        return None
    try:
        found = json.loads(match["state"])
    except ValueError:
        return None
    return found if isinstance(found, dict) and found else None


def changed(old_body: str, report: TargetReport, revision: str, run_url: str) -> str:
    """The comment on an edit: what is newly drifted, what was resolved, what still is."""
    now = state_of(report)
    before = _previous_state(old_body)
    lines = [f"The drift of `{report.name}` changed (checked against `{revision[:12]}`):", ""]
    if before is None:
        lines.append(f"- now {_counts(now)}")
    else:
        new = sorted(k for k in now if k not in before or before[k] != now[k])
        gone = sorted(k for k in before if k not in now)
        still = sorted(k for k in now if k in before and before[k] == now[k])
        lines += [f"- new: {_objects(new, now)}" if new else "- new: none"]
        lines += [f"- resolved: {_objects(gone, before)}" if gone else "- resolved: none"]
        lines += [f"- unchanged: {len(still)} {'object' if len(still) == 1 else 'objects'}"]
    lines += [
        "",
        "The issue's body is the current drift." + (f" [Run]({run_url})" if run_url else ""),
    ]
    return "\n".join(lines) + "\n"


def resolved(report: TargetReport, revision: str, run_url: str) -> str:
    run = f" ([workflow run]({run_url}))" if run_url else ""
    return (
        f"✅ The drift is gone: every object of `{report.name}` matches Git at "
        f"`{revision[:12]}`{run}. Closing.\n"
    )


def _counts(state: Mapping[str, str]) -> str:
    found: dict[str, int] = {}
    for status in state.values():
        found[status] = found.get(status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(found.items())) or "nothing"


def _objects(keys: list[str], state: Mapping[str, str], shown: int = 20) -> str:
    listed = ", ".join(f"<code>{code(k)}</code> ({state[k]})" for k in keys[:shown])
    return listed + (f", … {len(keys) - shown} more" if len(keys) > shown else "")
