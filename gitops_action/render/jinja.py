"""Jinja2 renderer: ``*.j2`` templates under the target's folder, plus the plain YAML beside them.

Variables come from the target's values files (YAML mappings, deep-merged in order, later
wins) over two built-ins, ``target`` (its name) and ``namespace``. An undefined variable is an
error naming the template and line (``StrictUndefined``). Templates run in Jinja2's sandbox:
they come from pull requests, and rendering must stay a pure transformation of data.
Templates named ``_*.j2`` are partials, for ``include`` and ``import`` only; YAML files named
``vars*`` or ``values*`` are variables, not objects.

Output lines differ from template lines when tags or loops add or remove lines, so each output
document is moved to its template's n-th top-level ``kind: X`` line (and its fields with it);
field lines are therefore approximate inside documents whose templates change the line count.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..config import Target
from ..core.yamlio import Document, decode, load_documents
from ..errors import GitopsError
from ..models import Source
from .plain import YAML_SUFFIXES, files_under
from .sources import Collector, kind_lines, split_place

VARIABLES_FILES = ("vars", "values")
"""Files beside the templates named ``vars*`` or ``values*`` hold variables (of this target or
of another one rendering the same templates), not objects."""


def render_jinja(target: Target, root: Path, out: Collector) -> None:
    variables = _variables(target, root, out)
    if variables is None:
        return
    # Absolute: Jinja2 names templates by their loader's path in errors and tracebacks.
    root = root.resolve()
    folder = root / target.path
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    templates = _Templates(env, root, variables, out)
    for file, shown in files_under(root, target.path, out, (*YAML_SUFFIXES, ".j2")):
        if shown in target.values or file.name.startswith(VARIABLES_FILES):
            continue
        if not file.name.endswith(".j2"):
            for doc in out.read(file, shown):
                out.add(doc, shown)
        elif not file.name.startswith("_"):
            templates.render(file.relative_to(folder).as_posix(), shown)


@dataclass
class _Templates:
    env: jinja2.Environment
    root: Path
    variables: dict[str, Any]
    out: Collector

    def render(self, name: str, shown: str) -> None:
        """Render one template and add its documents, or a Finding at the failing line."""
        out = self.out
        try:
            source = decode(Path(self.root, shown).read_bytes(), shown)
            text = self.env.get_template(name).render(self.variables)
        except GitopsError as err:
            out.from_error(err, shown)
            return
        except jinja2.TemplateSyntaxError as err:
            place = Source(_shown(err.filename, self.root) or shown, err.lineno or 1)
            out.finding(f"Jinja2 syntax error: {err.message}", place)
            return
        except Exception as err:  # template code is user code: any failure is the template's
            out.finding(_explain(err), _failing_line(err, self.root, shown))
            return
        try:
            docs = load_documents(text, shown)
        except GitopsError as error:
            where, message = split_place(str(error))
            line = where.line if where else 1
            out.finding(
                f"rendered output is not valid YAML (line {line} of the output): {message}",
                Source(shown, _clamp(line, source)),
            )
            return
        kinds = kind_lines(source)
        seen: dict[str, int] = {}
        for doc in docs:
            out.add(_moved(doc, kinds, seen, source), shown)


def _moved(
    doc: Document, kinds: dict[str, list[int]], seen: dict[str, int], source: str
) -> Document:
    """``doc`` with its lines moved from the output onto the template (see the docstring)."""
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    kind_at = doc.positions.get(("kind",))
    delta = 0
    if isinstance(kind, str) and kind_at and kinds.get(kind):
        nth = seen.get(kind, 0)
        seen[kind] = nth + 1
        lines = kinds[kind]
        delta = lines[nth % len(lines)] - kind_at[0]
    last = source.count("\n") + 1
    positions = {p: (max(1, min(ln + delta, last)), col) for p, (ln, col) in doc.positions.items()}
    return Document(doc.data, _clamp(doc.line + delta, source), doc.column, positions)


def _clamp(line: int, source: str) -> int:
    return max(1, min(line, source.count("\n") + 1))


def _variables(target: Target, root: Path, out: Collector) -> dict[str, Any] | None:
    """Built-ins, then every values file merged over them; None after an error."""
    merged: dict[str, Any] = {"target": target.name, "namespace": target.namespace}
    ok = True
    for shown in target.values:
        try:
            docs = load_documents(decode((root / shown).read_bytes(), shown), shown)
        except OSError as err:
            out.finding(f"cannot read values file: {err.strerror}", Source(shown))
            ok = False
            continue
        except GitopsError as err:
            out.from_error(err, shown)
            ok = False
            continue
        if len(docs) > 1 or (docs and not isinstance(docs[0].data, dict)):
            where = Source(shown, docs[-1].line, docs[-1].column)
            out.finding("a values file must be one YAML mapping of variables", where)
            ok = False
            continue
        if docs:
            merged = deep_merge(merged, docs[0].data)
    return merged if ok else None


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: mappings are merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _explain(err: Exception) -> str:
    if isinstance(err, jinja2.UndefinedError):
        return f"undefined variable: {err.message}; define it in a values file of the target"
    if isinstance(err, jinja2.TemplateNotFound):
        return f"template not found: {err.name}"
    if isinstance(err, jinja2.TemplateError):
        return f"Jinja2 error: {err.message}"
    return f"Jinja2 error: {type(err).__name__}: {err}"


def _failing_line(err: Exception, root: Path, shown: str) -> Source:
    """The innermost template frame of the traceback: Jinja2 rewrites frames to template lines."""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        template = _shown(frame.filename, root)
        if template is not None and not template.endswith(".py"):
            return Source(template, frame.lineno or 1)
    return Source(shown)


def _shown(filename: str | None, root: Path) -> str | None:
    """A template's file name as a repository path; None for anything outside the repository."""
    if not filename or not os.path.isabs(filename):
        return None
    relative = os.path.relpath(filename, root)
    return None if relative.startswith("..") else Path(relative).as_posix()
