"""The adopt-drift pull request: keep the cluster's version by making Git say it.

For a target of plain YAML, its commit edits the files in place with ruamel.yaml's round trip
(comments, key order, quoting and layout kept), so that Git matches the live values:

- a drifted object gets the live value of every field Git sets that the cluster holds
  differently (compared in the server's own forms, so ``0.5`` against ``500m`` is no
  difference);
- a missing object (deleted in the cluster) is removed from its file;
- a Secret is never written: its changed keys are named for a person to update (values do not
  belong in a pull request), and an orphaned object (ours, no longer in Git) is named too.

Targets rendered by kustomize, Helm or Jinja2 are not edited (their files are not the objects):
the body says, per object and field, which value the cluster holds, for a person to carry into
the overlay, values file or template. The branch is ``gitops-action/adopt-drift/<target>``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..core.normalize import normalize
from ..models import ResourceKey, TargetReport
from ..ports import GitHub, PullRef, Repository
from ..report.drift import fingerprint
from ..report.markdown import literal
from ..report.pulls import proposed, push_and_propose
from .detect import Verification

BRANCH = "gitops-action/adopt-drift/{target}"
_MARKER = "<!-- gitops-action:adopt-drift target={target} fingerprint={fingerprint} -->"
_SHOWN = 200
SECRET = (
    "its values changed in the cluster; update them where you keep them (values are never "
    "written here)"
)
DELETED = "deleted in the cluster; remove it from Git"
ORPHANED = (
    "in the cluster with this target's label but not in Git; add it to Git to keep it "
    "(apply prunes it otherwise)"
)
_MISSING = object()

Step = str | tuple[str, str] | int
"""A step into an object: a mapping key, a list item by its ``name``, or a list index."""
Path_ = tuple[Step, ...]


@dataclass
class Plan:
    """What the pull request changes, and what it asks a person to do."""

    files: dict[str, str | None] = field(default_factory=dict)
    edits: list[str] = field(default_factory=list)
    """Markdown lines: what was changed in Git, per object."""
    by_hand: list[str] = field(default_factory=list)
    """Markdown lines: what a person must change."""


def differences(git: Any, answer: Any, live: Any, at: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Fields Git sets whose value the cluster holds differently: ``(path, live value)``,
    ``_MISSING`` when the cluster dropped the field. ``answer`` (the server's dry-run of Git's
    version) stands for Git in the server's forms."""
    if isinstance(git, dict) and isinstance(answer, dict) and isinstance(live, dict):
        out: list[tuple[Path_, Any]] = []
        for name, value in git.items():
            if not at and name in ("apiVersion", "kind", "status"):
                continue
            if at == ("metadata",) and name not in ("labels", "annotations"):
                continue
            out.extend(
                differences(
                    value, answer.get(name, _MISSING), live.get(name, _MISSING), (*at, name)
                )
            )
        return out
    if _named_items(git) and _named_items(answer) and _named_items(live):
        out = []
        theirs = {i["name"]: i for i in answer}
        lives = {i["name"]: i for i in live}
        for item in git:
            step = ("name", str(item["name"]))
            there, held = theirs.get(item["name"], _MISSING), lives.get(item["name"], _MISSING)
            out.extend(differences(item, there, held, (*at, step)))
        return out
    if answer == live:
        return []
    return [(at, live)]


def _named_items(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and "name" in i for i in value)


def plan(verification: Verification, renderer: str, root: Path, prefix: str = "") -> Plan:
    """The file edits (plain targets) and the advice for everything else."""
    out = Plan()
    editable = renderer == "plain"
    edits: dict[str, list[tuple[ResourceKey, list[tuple[Path_, Any]] | None]]] = {}
    for key, drifted in sorted(verification.drifted.items()):
        changes = differences(normalize(drifted.manifest.obj), drifted.answer, drifted.live)
        where = str(drifted.manifest.source.path) if drifted.manifest.source else ""
        if key.kind == "Secret" and key.group == "":
            out.by_hand.append(f"- {_code(key)}: {SECRET}")
        elif editable and where and changes:
            edits.setdefault(where, []).append((key, changes))
        elif changes:
            held = "; ".join(f"{_code(_show(p))} is {_value(v)}" for p, v in changes[:_SHOWN])
            place = f" (from {_code(where)})" if where else ""
            out.by_hand.append(f"- {_code(key)}{place}: the cluster holds {held}")
    for key, manifest in sorted(verification.missing.items()):
        where = str(manifest.source.path) if manifest.source else ""
        if editable and where:
            edits.setdefault(where, []).append((key, None))
        else:
            out.by_hand.append(f"- {_code(key)}: {DELETED}")
    out.by_hand.extend(f"- {_code(key)}: {ORPHANED}" for key in sorted(verification.orphaned))
    for where, wanted in edits.items():
        text = (root / where).read_text(encoding="utf-8")
        try:
            new, done = edit_file(text, wanted, verification.target.namespace)
        except YAMLError as err:
            out.by_hand.append(f"- {_code(where)}: not edited (ruamel.yaml: {_code(err)})")
            continue
        if new != text:
            out.files[f"{prefix}{where}"] = new
        out.edits.extend(done)
    return out


def edit_file(
    text: str,
    wanted: Sequence[tuple[ResourceKey, list[tuple[Path_, Any]] | None]],
    namespace: str,
) -> tuple[str, list[str]]:
    """``text`` with each object's fields set to the live values (``None``: the object
    removed), comments and layout kept; and a line per change made."""
    yaml = _round_trip(text)
    docs = list(yaml.load_all(text))
    done: list[str] = []
    keep = [True] * len(docs)
    for key, changes in wanted:
        index = next((i for i, d in enumerate(docs) if _is(d, key, namespace)), None)
        if index is None:
            continue
        if changes is None:
            keep[index] = False
            done.append(f"- {_code(key)}: removed (deleted in the cluster)")
            continue
        for path, value in changes:
            _set(docs[index], path, value)
        fields = ", ".join(_code(_show(p)) for p, _ in changes)
        done.append(f"- {_code(key)}: {fields}")
    out = io.StringIO()
    kept = [d for d, k in zip(docs, keep, strict=True) if k]
    if kept:
        yaml.dump_all(kept, out)
    return out.getvalue(), done


def _round_trip(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    indented = re.search(r"^( *)[^\s#-][^\n]*:\s*\n\1( +)- ", text, re.MULTILINE)
    if indented:  # lists indented under their key, as most Kubernetes YAML is written
        offset = len(indented[2])
        yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    yaml.explicit_start = text.lstrip().startswith("---")
    return yaml


def _is(doc: Any, key: ResourceKey, namespace: str) -> bool:
    if not isinstance(doc, Mapping):
        return False
    meta = doc.get("metadata") or {}
    group = str(doc.get("apiVersion", "")).rpartition("/")[0]
    if (group, doc.get("kind"), meta.get("name")) != (key.group, key.kind, key.name):
        return False
    return not key.namespace or (meta.get("namespace") or namespace) == key.namespace


def _set(doc: Any, path: Path_, value: Any) -> None:
    node = doc
    for step in path[:-1]:
        node = _step(node, step)
        if node is None:
            return
    last = path[-1]
    if not isinstance(node, dict) or isinstance(last, tuple | int):
        return  # a list item by name or index is replaced through its parent mapping
    if value is _MISSING:
        node.pop(last, None)
    else:
        node[last] = value


def _step(node: Any, step: Step) -> Any:
    if isinstance(step, tuple):
        if isinstance(node, list):
            return next(
                (i for i in node if isinstance(i, dict) and str(i.get("name")) == step[1]), None
            )
        return None
    if isinstance(node, dict):
        return node.get(step)
    return None


def _code(text: object) -> str:
    return f"<code>{literal(text)}</code>"


def _show(path: Path_) -> str:
    out = ""
    for step in path:
        if isinstance(step, tuple):
            out += f"[{step[0]}={step[1]}]"
        elif isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}"
    return out.lstrip(".")


def _value(value: Any) -> str:
    if value is _MISSING:
        return "unset"
    return _code(json.dumps(value))


def propose(
    github: GitHub,
    repo: Repository,
    report: TargetReport,
    verification: Verification,
    *,
    renderer: str,
    root: Path,
    prefix: str,
    revision: str,
    base: str,
    run_url: str = "",
) -> tuple[PullRef | None, str, list[str]]:
    """Open or update the pull request; ``(pull, outcome, advice)``: opened, updated,
    unchanged, or ``by hand`` when nothing can be edited (then ``advice`` says what to do)."""
    branch = BRANCH.format(target=report.name)
    marker = _MARKER.format(target=report.name, fingerprint=fingerprint(report))
    existing = proposed(github, branch, base, marker)
    if existing is not None:
        return existing, "unchanged", []
    changes = plan(verification, renderer, root, prefix)
    if not changes.files:
        return None, "by hand", changes.by_hand
    commit = repo.commit_files(
        revision, changes.files,
        f"Adopt drift in {report.name}\n\nMakes Git match the cluster's live values, as found "
        "by gitops-action verify.\n",
    )  # fmt: skip
    run = f" ([workflow run]({run_url}))" if run_url else ""
    body = [
        marker, "",
        f"The cluster drifted from Git for target `{report.name}`{run}. Merging this pull "
        "request makes Git say what the cluster holds, so the drift becomes the desired state. "
        "Close it to put Git's version back instead (`verify --on-drift revert-pr`).", "",
        "**Changed in Git**", "", *changes.edits, "",
    ]  # fmt: skip
    if changes.by_hand:
        body += ["**Left for you**", "", *changes.by_hand, ""]
    title = f"Adopt drift in {report.name}"
    pull, created = push_and_propose(github, repo, commit, branch, base, title, "\n".join(body))
    return pull, "opened" if created else "updated", changes.by_hand
