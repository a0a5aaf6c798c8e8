"""Keep a render inside the repository, and count what it read.

A pull request controls every byte of the checkout, symbolic links included: a link to
``/proc/self/environ`` or to ``.git/config`` (where actions/checkout keeps the token) would
otherwise be read by a renderer and printed in the plan. So every path a render reads goes
through ``Confinement``: links are resolved one component at a time, one that leaves the
repository or enters a ``.git`` folder is an error naming the link and where it points, and one
that stays inside is followed. Our own readers (plain, Jinja2) read through it; the external
tools (helm, kustomize) get a prepared copy made through it (``copy``), in which links are
replaced by what they point to and ``.git`` does not exist, so they cannot reach anything else.

Every folder walked, file read and link followed is recorded in ``inputs`` (paths relative to
the repository root): plan reuses head's render for the base only when none of them changed.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RenderError

GIT = ".git"


class OutsideRepository(RenderError):
    """A path a render needs resolves outside the repository, or into ``.git``.

    The message starts with ``path:1:1:`` (the link, or the path itself), as renderers'
    findings are parsed back into places.
    """


@dataclass(frozen=True)
class Inputs:
    """What one render read: files (and links) and folders, relative to the repository root.

    A folder stands for everything under it, so that a file added to or removed from a folder
    the render listed counts as a change of its inputs."""

    files: frozenset[str] = frozenset()
    folders: frozenset[str] = frozenset()

    def touched_by(self, paths: Iterable[str]) -> bool:
        """Whether any of ``paths`` (relative to the repository root) is one of the inputs."""
        prefixes = tuple(f"{folder}/" for folder in self.folders if folder != ".")
        whole = "." in self.folders
        return any(whole or p in self.files or p.startswith(prefixes) for p in paths)


def quoted(text: str) -> str:
    """A link's target for a one-line message: quoted, control characters escaped."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Confinement:
    """The repository at ``root`` as a render may see it."""

    root: Path
    files: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.real = self.root.resolve()

    @property
    def inputs(self) -> Inputs:
        return Inputs(frozenset(self.files), frozenset(self.folders))

    def relative(self, real: Path) -> str | None:
        """``real`` as a repository path; ``None`` when it is outside the repository."""
        if real == self.real:
            return "."
        if not real.is_relative_to(self.real):
            return None
        return real.relative_to(self.real).as_posix()

    def resolve(self, shown: str) -> Path:
        """The real path of repository path ``shown``, every link on the way checked and
        recorded; ``OutsideRepository`` for a link out, a link into ``.git``, or ``.git``."""
        normal = posixpath.normpath(shown)
        if normal.startswith("../") or normal == ".." or posixpath.isabs(normal):
            raise OutsideRepository(
                f"{shown}:1:1: {quoted(shown)} is outside the repository; a render reads only "
                "files inside it: use a path relative to the repository"
            )
        current = self.real
        for part in normal.split("/"):
            if part == ".":
                continue
            if part == GIT:
                raise OutsideRepository(
                    f"{shown}:1:1: a render never reads {GIT} (it holds the checkout's "
                    "credentials): use a file outside .git"
                )
            step = current / part
            current = self._follow(step) if step.is_symlink() else step
        return current

    def _follow(self, link: Path) -> Path:
        """The real path a link resolves to (links to links included), if it stays inside."""
        at = self.relative(link.parent)
        shown = f"{at}/{link.name}" if at not in (None, ".") else link.name
        try:
            points_to = os.readlink(link)
        except OSError as err:  # pragma: no cover - it was a link a moment ago
            raise OutsideRepository(f"{shown}:1:1: cannot read the link: {err.strerror}") from None
        real = link.resolve()
        relative = self.relative(real)
        if relative is None:
            raise OutsideRepository(
                f"{shown}:1:1: symbolic link to {quoted(points_to)} leaves the repository; a "
                "render reads only files inside it: point the link inside the repository, or "
                "copy the file in"
            )
        if GIT in relative.split("/"):
            raise OutsideRepository(
                f"{shown}:1:1: symbolic link to {quoted(points_to)} points into {GIT}; a render "
                "never reads .git (it holds the checkout's credentials): remove the link"
            )
        self.files.add(shown)
        if not real.is_dir():
            self.files.add(relative)  # the file it names is read too; a folder is, when walked
        return real

    def file(self, shown: str) -> Path:
        """The real path of a file the render is about to read, recorded as an input."""
        real = self.resolve(shown)
        relative = self.relative(real)
        self.files.add(relative or shown)
        return real

    def folder(self, shown: str) -> Path:
        """The real path of a folder the render is about to list, recorded as an input."""
        real = self.resolve(shown)
        self.folders.add(self.relative(real) or shown)
        return real

    def walk(
        self, shown: str, problem: Callable[[OutsideRepository], None]
    ) -> Iterator[tuple[str, Path, list[str], list[str]]]:
        """``os.walk`` of repository folder ``shown``, top-down, entries sorted by name:
        ``(folder as a repository path, its real path, folders, files)``. Links that stay
        inside are followed (a link to a folder is walked like a folder; a link to a folder
        that contains it is a loop, reported); links out, into ``.git`` and ``.git`` itself
        are passed to ``problem`` and skipped. Remove names from ``folders`` to prune."""
        start = self.folder(shown)
        stack: list[tuple[str, Path, frozenset[Path]]] = [(shown, start, frozenset({start}))]
        while stack:
            here, real, ancestors = stack.pop()
            self.folders.add(self.relative(real) or here)
            folders: list[str] = []
            files: list[str] = []
            targets: dict[str, Path] = {}
            try:
                entries = sorted(os.scandir(real), key=lambda e: e.name)
            except OSError as err:
                problem(OutsideRepository(f"{here}:1:1: cannot list the folder: {err.strerror}"))
                continue
            for entry in entries:
                name = entry.name
                path = f"{here}/{name}" if here != "." else name
                if name == GIT:
                    continue  # never listed, never read: not even its name is an input
                if not entry.is_symlink():
                    (folders if entry.is_dir(follow_symlinks=False) else files).append(name)
                    continue
                try:
                    target = self._follow(Path(entry.path))
                except OutsideRepository as err:
                    problem(err)
                    continue
                if not target.is_dir():
                    files.append(name)  # a dangling link is reported by whoever reads it
                elif any(a.is_relative_to(target) for a in ancestors):
                    problem(
                        OutsideRepository(
                            f"{path}:1:1: symbolic link to a folder that contains it (a loop); "
                            "remove the link"
                        )
                    )
                else:
                    folders.append(name)
                    targets[name] = target
            yield here, real, folders, files
            for name in reversed(folders):
                child = targets.get(name, real / name)
                path = f"{here}/{name}" if here != "." else name
                stack.append((path, child, ancestors | {child}))

    def copy(self, shown: str, dest: Path, problem: Callable[[OutsideRepository], None]) -> None:
        """Copy file or folder ``shown`` to the same path under ``dest``, links replaced by
        what they point to (checked), ``.git`` left out; for the external renderers."""
        real = self.resolve(shown)
        if not real.is_dir():
            target = dest / shown
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.file(shown), target)
            return
        for here, folder, _folders, files in self.walk(shown, problem):
            (dest / here).mkdir(parents=True, exist_ok=True)
            for name in files:
                source = folder / name
                try:
                    shutil.copyfile(source, dest / here / name)
                except OSError as err:  # a dangling link: the tool will say the file is missing
                    if not source.is_symlink():
                        problem(OutsideRepository(f"{here}/{name}:1:1: cannot copy: {err}"))
