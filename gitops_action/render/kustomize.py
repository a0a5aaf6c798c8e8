"""Kustomize renderer: ``kubectl kustomize`` (or ``kustomize build``) of the target's folder.

To say which file each object comes from, the target is built through a wrapper kustomization
in a temporary folder that lists it as its only resource and turns on kustomize's
``buildMetadata: [originAnnotations]``: kustomize then records on every object the file it was
read from (or the kustomization whose generator made it). The wrapper adds no transformer, so
the output is the target's own once that annotation is removed. The line is found by looking
for the object's kind and name in that file (names may have gained a prefix or suffix).

kustomize builds a prepared copy of the folders it may read (the target's, and its local bases
and components): links are replaced by what they point to, checked to stay inside the
repository, and ``.git`` is not there. A kustomization at the repository root could otherwise
generate a ConfigMap from ``.git/config``, and a linked base could bring in any folder.
"""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from pathlib import Path
from typing import Any

from ..config import Target
from ..core.yamlio import Document, load_documents
from ..errors import GitopsError, RenderError
from ..models import Source
from .confine import OutsideRepository, quoted
from .plain import KUSTOMIZATION_FILES
from .sources import Collector, expand
from .tools import HOW_TO_INSTALL, base_env, find_tool, run_tool, tool_warnings, trim_stderr

ORIGIN = "config.kubernetes.io/origin"
_GENERATOR_FIELDS = {
    "ConfigMapGenerator": "configMapGenerator",
    "SecretGenerator": "secretGenerator",
    "HelmChartInflationGenerator": "helmCharts",
}


def kustomization_file(folder: Path) -> Path | None:
    return next((folder / n for n in sorted(KUSTOMIZATION_FILES) if (folder / n).is_file()), None)


def render_kustomize(target: Target, root: Path, out: Collector) -> None:
    folder = root / target.path
    kfile = kustomization_file(folder)
    shown_kfile = posixpath.normpath(
        f"{target.path}/{kfile.name if kfile else 'kustomization.yaml'}"
    )
    command = _command()
    with tempfile.TemporaryDirectory(prefix="gitops-action-kustomize-") as tmp:
        # Resolved: kustomize follows the relative path from the wrapper's real location.
        base = Path(tmp).resolve()
        work = base / "repo"
        if not _prepare(target, out, work):
            return
        wrapper = base / "wrapper"
        wrapper.mkdir()
        resource = json.dumps(os.path.relpath(work / target.path, wrapper))  # JSON is YAML
        (wrapper / "kustomization.yaml").write_text(
            f"buildMetadata: [originAnnotations]\nresources:\n- {resource}\n"
        )
        env = {**base_env(), "HOME": tmp}
        done = run_tool([*command, str(wrapper)], cwd=work, env=env)
        if done.returncode != 0:
            # Build the folder itself again for the message, so that it names the repository's
            # paths and not the wrapper's.
            done = run_tool([*command, target.path], cwd=work, env=env)
            out.finding(f"kustomize failed:\n{trim_stderr(done.stderr)}", Source(shown_kfile))
            return
        for warning in tool_warnings(done.stderr, work):  # 'vars' is deprecated, ...
            out.finding(f"kustomize warns: {warning}", Source(shown_kfile), "warning")
        try:
            docs = load_documents(done.stdout, f"{shown_kfile} (kustomize output)")
        except GitopsError as err:
            out.from_error(err, shown_kfile)
            return
        # A user who asked for origin annotations keeps them.
        copied = work / shown_kfile
        keep = copied.is_file() and "originAnnotations" in copied.read_text("utf-8", "replace")
        locator = _Locator(work, wrapper, Source(shown_kfile))
        for doc in docs:
            for item in expand(doc):
                if not isinstance(item.data, dict):
                    out.finding("kustomize output is not a mapping", Source(shown_kfile))
                    continue
                origin = _pop_origin(item.data, keep)
                out.add_object(item.data, locator.find(item.data, origin))


def _prepare(target: Target, out: Collector, work: Path) -> bool:
    """Copy to ``work`` every folder kustomize may read for this target: the target's and,
    recursively, each local base and component (kustomize reads files only inside the
    folder of the kustomization that names them). Links are replaced by what they point to,
    checked; ``.git`` is never copied. False after any error."""
    before = len(out.findings)
    try:
        roots = _roots(target.path, out)
        for folder in roots:
            if not any(folder.startswith(f"{r}/") or r == "." for r in roots if r != folder):
                out.confine.copy(folder, work, out.refuse)
    except OutsideRepository as err:
        out.refuse(err)
    return not any(f.severity == "error" for f in out.findings[before:])


ROOT_FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
"""Kustomization fields whose entries may be folders: each is a kustomization of its own."""


def _roots(start: str, out: Collector) -> list[str]:
    """The folders of the kustomizations this target builds on, ``start`` first."""
    found: list[str] = []
    queue = [start]
    while queue:
        folder = queue.pop(0)
        if folder in found:
            continue
        found.append(folder)
        kfile = kustomization_file(out.confine.folder(folder))
        if kfile is None:
            continue
        shown = posixpath.join(folder, kfile.name) if folder != "." else kfile.name
        docs = out.read(out.confine.file(shown), shown)
        data = docs[0].data if docs and isinstance(docs[0].data, dict) else {}
        for field in ROOT_FIELDS:
            entries = data.get(field)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(entry, str) or posixpath.isabs(entry):
                    continue  # kustomize refuses an absolute folder, and files outside a root
                path = posixpath.normpath(posixpath.join(folder, entry))
                if _remote(entry):
                    out.inputs_known = False  # fetched by kustomize: not a file of this commit
                    continue
                if path == ".." or path.startswith("../"):
                    line, column = docs[0].positions.get((field, index), (1, 1))
                    raise OutsideRepository(
                        f"{shown}:{line}:{column}: {field} entry {quoted(entry)} is outside the "
                        "repository; a render reads only files inside it"
                    )
                if out.confine.resolve(path).is_dir():
                    queue.append(path)
    return found


def _remote(entry: str) -> bool:
    """A remote base (kustomize fetches it): a URL, ``github.com/...``, ``git@host:...``."""
    return "://" in entry or entry.startswith(("git@", "git::", "github.com/", "gitlab.com/"))


def _command() -> list[str]:
    found = find_tool("kustomize", "kubectl")
    if found is None:
        raise RenderError(f"neither kustomize nor kubectl found; {HOW_TO_INSTALL['kubectl']}")
    name, path = found
    return [path, "build"] if name == "kustomize" else [path, "kustomize"]


def _pop_origin(obj: dict[str, Any], keep: bool) -> dict[str, Any]:
    """The parsed origin annotation of ``obj``, removed from it unless ``keep``."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(annotations, dict):
        return {}
    if ORIGIN not in annotations:
        return {}
    raw = annotations[ORIGIN] if keep else annotations.pop(ORIGIN)
    if not annotations:
        del meta["annotations"]
    try:
        docs = load_documents(str(raw), ORIGIN)
    except GitopsError:
        return {}
    return docs[0].data if docs and isinstance(docs[0].data, dict) else {}


class _Locator:
    """Turns an origin annotation into a Source, reading each file of the repository once."""

    def __init__(self, root: Path, wrapper: Path, fallback: Source) -> None:
        self.root = root.resolve()
        self.wrapper = wrapper
        self.fallback = fallback
        self.files: dict[str, list[Document]] = {}
        self.objects: dict[str, list[Document]] = {}

    def find(self, obj: dict[str, Any], origin: dict[str, Any]) -> Source:
        if "repo" in origin:  # a remote base: no file of this repository to point at
            return self.fallback
        shown = self.shown(origin.get("path"))
        if shown is not None:
            return self.in_file(shown, obj)
        shown = self.shown(origin.get("configuredIn"))
        if shown is not None:
            return self.in_generator(shown, obj, origin.get("configuredBy"))
        return self.fallback

    def shown(self, relative: Any) -> str | None:
        """A path of the origin annotation (relative to the wrapper) as a repository path."""
        if not isinstance(relative, str):
            return None
        path = (self.wrapper / relative).resolve()
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else None

    def documents(self, shown: str) -> list[Document]:
        """The documents of a file of the repository, parsed once; none if it is unreadable."""
        if shown not in self.files:
            try:
                self.files[shown] = load_documents((self.root / shown).read_text("utf-8"), shown)
            except (OSError, UnicodeDecodeError, GitopsError):
                self.files[shown] = []
            self.objects[shown] = [d for doc in self.files[shown] for d in expand(doc)]
        return self.files[shown]

    def in_file(self, shown: str, obj: dict[str, Any]) -> Source:
        """The document of ``shown`` that ``obj`` was made from: same kind, and the longest
        name contained in the output name (prefixes and suffixes are added to names)."""
        self.documents(shown)
        kind, name = obj.get("kind"), _name(obj)
        same_kind = [d for d in self.objects[shown] if _kind(d.data) == kind]
        named = [d for d in same_kind if _name(d.data) and _name(d.data) in name]
        best = max(named, key=lambda d: len(_name(d.data)), default=None)
        if best is None and len(same_kind) == 1:
            best = same_kind[0]
        return Source(shown, best.line, best.column) if best else Source(shown)

    def in_generator(self, shown: str, obj: dict[str, Any], by: Any) -> Source:
        """The generator entry of kustomization ``shown`` that made ``obj``."""
        key = _GENERATOR_FIELDS.get(str(by.get("kind") if isinstance(by, dict) else ""))
        docs = self.documents(shown)
        data = docs[0].data if docs else None
        if key is None or not isinstance(data, dict) or not isinstance(data.get(key), list):
            return Source(shown)
        name = _name(obj)
        best: tuple[int, int] = docs[0].positions.get((key,), (1, 1))
        longest = 0
        for index, entry in enumerate(data[key]):
            entry_name = _name({"metadata": entry})
            if entry_name and entry_name in name and len(entry_name) > longest:
                best, longest = docs[0].positions.get((key, index), best), len(entry_name)
        return Source(shown, *best)


def _kind(data: Any) -> Any:
    return data.get("kind") if isinstance(data, dict) else None


def _name(data: Any) -> str:
    meta = data.get("metadata") if isinstance(data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""
