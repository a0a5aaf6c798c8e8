"""Jinja2 renderer: ``*.j2`` templates under the target's folder, plus the plain YAML beside them.

Variables come from the target's values files (YAML mappings, deep-merged in order, later
wins) over two built-ins, ``target`` (its name) and ``namespace``. An undefined variable is an
error naming the template and line (``StrictUndefined``). Templates run in Jinja2's sandbox:
they come from pull requests, and rendering must stay a pure transformation of data. So they
read templates only inside the repository (``include`` through a link out is an error), and
they run under the same time limit as helm and kustomize.
Templates named ``_*.j2`` are partials, for ``include`` and ``import`` only; YAML files named
``vars*`` or ``values*`` are variables, not objects.

Output lines differ from template lines when tags or loops add or remove lines, so each output
document is moved to its template's n-th top-level ``kind: X`` line (and its fields with it);
field lines are therefore approximate inside documents whose templates change the line count.
"""

from __future__ import annotations

import os
import posixpath
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from ..config import Target
from ..core.yamlio import Document, decode, load_documents
from ..errors import GitopsError
from ..models import Source
from . import tools
from .confine import Confinement
from .limits import time_limit
from .plain import YAML_SUFFIXES, files_under
from .sources import Collector, kind_lines, split_place

MAX_EXPONENT = 1000
MAX_ITEMS = 10_000_000

VARIABLES_FILES = ("vars", "values")
"""Files beside the templates named ``vars*`` or ``values*`` hold variables (of this target or
of another one rendering the same templates), not objects."""


def render_jinja(target: Target, root: Path, out: Collector) -> None:
    variables = _variables(target, out)
    if variables is None:
        return
    # Absolute: Jinja2 names templates by their loader's path in errors and tracebacks.
    root = root.resolve()
    env = _Sandbox(
        loader=_RepositoryLoader(out.confine, target.path),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    templates = _Templates(env, root, variables, out)
    limit = tools.TIMEOUT  # read now: tests shorten it
    with time_limit(limit, f"Jinja2 rendering of {target.path} took more than {limit:.0f}s"):
        for file, shown in files_under(out, target.path, (*YAML_SUFFIXES, ".j2")):
            if shown in target.values or file.name.startswith(VARIABLES_FILES):
                continue
            if not file.name.endswith(".j2"):
                for doc in out.read(file, shown):
                    out.add(doc, shown)
            elif not file.name.startswith("_"):
                templates.render(posixpath.relpath(shown, target.path), shown)


class _RepositoryLoader(jinja2.BaseLoader):
    """The target folder's templates, read through the confinement: ``include`` and
    ``import`` follow links only inside the repository, never into .git, and every template
    read counts as an input of the target."""

    def __init__(self, confine: Confinement, folder: str) -> None:
        self.confine = confine
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses ".." itself
        shown = posixpath.join(*([self.folder] if self.folder != "." else []), *pieces)
        path = self.confine.file(shown)
        try:
            raw = path.read_bytes()
        except OSError:
            raise jinja2.TemplateNotFound(template) from None
        return decode(raw, shown), str(self.confine.real / shown), lambda: True


class _Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, and no arithmetic that runs in C for minutes or takes all memory
    (neither can be stopped by the time limit): huge powers and huge repetitions."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _number(left) and _number(right) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"refusing a power with an exponent over {MAX_EXPONENT}")
        if operator == "*":
            sized, times = (left, right) if isinstance(left, str | list) else (right, left)
            if isinstance(sized, str | list) and _number(times) and len(sized) * times > MAX_ITEMS:
                raise SecurityError(f"refusing to repeat a value to more than {MAX_ITEMS:,} items")
        return super().call_binop(context, operator, left, right)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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


def _variables(target: Target, out: Collector) -> dict[str, Any] | None:
    """Built-ins, then every values file merged over them; None after an error."""
    merged: dict[str, Any] = {"target": target.name, "namespace": target.namespace}
    ok = True
    for shown in target.values:
        try:
            raw = out.confine.file(shown).read_bytes()
            docs = load_documents(decode(raw, shown), shown)
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
