"""The revert-drift pull request: put Git's state back through a reviewed commit.

Its one commit writes ``.gitops/resync/<target>.yaml``: what drifted (objects, statuses, who
changed them and when), when it was found, and against which commit. Merging it is a push to
the branch like any other: ``apply`` runs for that target (the record is one of its inputs, so
a workflow that applies only changed targets applies it too) and puts back what drifted. The
record holds no diff and no value, only names: it is safe in Git whatever drifted.

The branch is ``gitops-action/revert-drift/<target>``. While the drift stays the same (its
fingerprint), nothing is pushed or edited; when it changes, the branch is rewritten and the
pull request's body updated.
"""

from __future__ import annotations

from datetime import UTC, datetime

import yaml

from ..models import TargetReport
from ..ports import GitHub, PullRef, Repository
from ..report.drift import fingerprint, target_section
from ..report.pulls import proposed, push_and_propose

BODY_LIMIT = 60_000
"""Characters of the drift report in the body (GitHub takes 65,536 in all)."""
BRANCH = "gitops-action/revert-drift/{target}"
RECORD = ".gitops/resync/{target}.yaml"
_MARKER = "<!-- gitops-action:revert-drift target={target} fingerprint={fingerprint} -->"


def record(report: TargetReport, revision: str, applied: str, found_at: datetime) -> str:
    """The resync record: names, statuses and who, never a value."""
    drift = [
        {
            "kind": r.key.kind,
            **({"namespace": r.key.namespace} if r.key.namespace else {}),
            "name": r.key.name,
            "status": r.action,
            **({"changed_by": [str(c) for c in r.changed_by]} if r.changed_by else {}),
        }
        for r in report.resources
        if r.action != "in-sync"
    ]
    doc = {
        "target": report.name,
        "found": found_at.astimezone(UTC).isoformat(timespec="seconds"),
        "verified_against": revision,
        "last_applied": applied or None,
        "fingerprint": fingerprint(report),
        "drift": drift,
    }
    header = (
        "# Written by gitops-action verify --on-drift revert-pr. Merging the change to this\n"
        f"# file applies target {report.name} again, which puts Git's version back.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, width=100)


def propose(
    github: GitHub,
    repo: Repository,
    report: TargetReport,
    *,
    revision: str,
    applied: str,
    base: str,
    prefix: str = "",
    run_url: str = "",
    now: datetime | None = None,
) -> tuple[PullRef | None, str]:
    """Open or update the pull request; ``(pull, outcome)`` with outcome opened, updated or
    unchanged. ``prefix``: where the configuration's root sits in the repository."""
    branch = BRANCH.format(target=report.name)
    marker = _MARKER.format(target=report.name, fingerprint=fingerprint(report))
    existing = proposed(github, branch, base, marker)
    if existing is not None:
        return existing, "unchanged"
    path = f"{prefix}{RECORD.format(target=report.name)}"
    text = record(report, revision, applied, now or datetime.now(UTC))
    commit = repo.commit_files(
        revision,
        {path: text},
        f"Revert drift in {report.name}\n\nRecords the drift found by gitops-action verify in "
        f"{path}; applying this commit puts Git's version of the target back.\n",
    )
    run = f" ([workflow run]({run_url}))" if run_url else ""
    body = (
        f"{marker}\n\nThe cluster drifted from Git for target `{report.name}`{run}. Merging "
        f"this pull request applies the target again, which puts back what Git says (below: "
        f"the live state against Git's); its only change is the record `{path}`. Close it to "
        "keep the cluster's version instead (then change Git to match it).\n\n"
        + target_section(report, heading="####", limit=BODY_LIMIT)
    )
    title = f"Revert drift in {report.name}"
    pull, created = push_and_propose(github, repo, commit, branch, base, title, body)
    return pull, "opened" if created else "updated"
