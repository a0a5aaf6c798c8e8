"""Helm renderer: ``helm template`` of a chart folder, offline and apart from the user's helm.

The release is named after the target; values files are passed in the configured order (later
wins, as helm merges them). CRDs from ``crds/`` are included; chart tests (``helm.sh/hook:
test``) are not, because they are run by ``helm test``, not deployed. Helm gets its own empty
cache, config and data folders, so that neither repositories nor plugins of the user's helm
change the output, and it is never asked to fetch anything: dependencies must be vendored in
``charts/``. It renders a prepared copy of the chart and the values files, in which links are
replaced by what they point to (checked to stay inside the repository): nothing else exists
for it, so neither ``.Files`` nor a linked subchart can read a file of the runner.

Each object is mapped to its template through helm's ``# Source: <chart>/templates/x.yaml``
comment; the line is the template's n-th top-level ``kind: X`` line for the n-th object of that
kind from that template (approximate when the kind itself is templated).
"""

from __future__ import annotations

import bisect
import re
import tempfile
from pathlib import Path
from typing import Any

from ..config import Target
from ..core.yamlio import Document, decode, load_documents
from ..errors import GitopsError
from ..models import Source
from .confine import OutsideRepository
from .sources import Collector, kind_lines
from .tools import base_env, require_tool, run_tool, tool_warnings, trim_stderr

_SOURCE_COMMENT = re.compile(r"^# Source: (\S+)[ \t]*$", re.M)


def render_helm(target: Target, root: Path, out: Collector) -> None:
    chart = Path(target.path)
    chart_file = Source((chart / "Chart.yaml").as_posix())
    with tempfile.TemporaryDirectory(prefix="gitops-action-helm-") as tmp:
        # helm reads a prepared copy of the chart and the values files, links resolved and
        # checked: .Files.Get, .Files.Glob and subcharts cannot reach anything else.
        work = Path(tmp) / "repo"
        if not _prepare(target, out, work):
            return
        if not _dependencies_vendored(work, chart, out, chart_file):
            return
        helm = require_tool("helm")
        # "./": a local chart for sure; a bare "a/b" that is missing would be looked up in a repo.
        argv = [
            helm,
            "template",
            target.name,
            f"./{chart.as_posix()}",
            "--include-crds",
            "--skip-tests",
        ]
        if target.namespace:
            argv += ["--namespace", target.namespace]
        for values in target.values:
            argv += ["--values", values]
        home = Path(tmp) / "home"
        env = {
            **base_env(),
            "HOME": str(home),
            "HELM_CACHE_HOME": f"{home}/cache",
            "HELM_CONFIG_HOME": f"{home}/config",
            "HELM_DATA_HOME": f"{home}/data",
            # helm template never needs a cluster; an empty kubeconfig keeps it from finding one.
            "KUBECONFIG": f"{home}/kubeconfig",
        }
        done = run_tool(argv, cwd=work, env=env)
        if done.returncode != 0:
            out.finding(f"helm template failed:\n{trim_stderr(done.stderr)}", chart_file)
            return
        for warning in tool_warnings(done.stderr, work):  # a deprecated chart, ...
            out.finding(f"helm warns: {warning}", chart_file, "warning")
        shown_output = f"{chart_file.path} (helm template output)"
        try:
            docs = load_documents(done.stdout, shown_output)
        except GitopsError as err:
            out.from_error(err, chart_file.path)
            return
        _Mapper(work, chart, done.stdout, out).add_all(docs)


def _prepare(target: Target, out: Collector, work: Path) -> bool:
    """Copy the chart and the values files to ``work``; False after any error."""
    before = len(out.findings)
    for shown in (target.path, *target.values):
        try:
            out.confine.copy(shown, work, out.refuse)
        except OutsideRepository as err:
            out.refuse(err)
        except OSError as err:
            out.finding(f"cannot read: {err.strerror}", Source(shown))
    return not any(f.severity == "error" for f in out.findings[before:])


def _dependencies_vendored(root: Path, chart: Path, out: Collector, chart_file: Source) -> bool:
    """Whether every dependency of Chart.yaml is in ``charts/``: helm would fetch it otherwise."""
    try:
        text = decode((root / chart_file.path).read_bytes(), chart_file.path)
        docs = load_documents(text, chart_file.path)
    except FileNotFoundError:
        out.finding(f"{chart.as_posix()} is not a Helm chart: it has no Chart.yaml", None)
        return False
    except OSError as err:
        out.finding(f"cannot read: {err.strerror}", chart_file)
        return False
    except GitopsError as err:
        out.from_error(err, chart_file.path)
        return False
    data = docs[0].data if docs else None
    deps = data.get("dependencies") if isinstance(data, dict) else None
    charts = root / chart / "charts"
    ok = True
    for index, dep in enumerate(deps if isinstance(deps, list) else []):
        name = dep.get("name") if isinstance(dep, dict) else None
        if not isinstance(name, str):
            continue
        if (charts / name / "Chart.yaml").is_file() or any(charts.glob(f"{name}-*.tgz")):
            continue
        line, column = docs[0].positions.get(("dependencies", index), (1, 1))
        out.finding(
            f"dependency {name!r} is not vendored in {chart.as_posix()}/charts/; rendering is "
            "offline: run `helm dependency build` and commit charts/",
            Source(chart_file.path, line, column),
        )
        ok = False
    return ok


class _Mapper:
    """Gives each object of helm's output its template file and a line in it."""

    def __init__(self, root: Path, chart: Path, output: str, out: Collector) -> None:
        self.root = root
        self.chart = chart
        self.out = out
        # (line in the output, chart-relative path) of every "# Source:" comment, in order.
        self.comments = [
            (output.count("\n", 0, m.start()) + 1, m.group(1))
            for m in _SOURCE_COMMENT.finditer(output)
        ]
        self.kinds: dict[str, dict[str, list[int]]] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def add_all(self, docs: list[Document]) -> None:
        starts = [line for line, _ in self.comments]
        for doc in docs:
            # The last "# Source:" comment above the document names its template.
            index = bisect.bisect_left(starts, doc.line) - 1
            shown = self.template(self.comments[index][1] if index >= 0 else "")
            doc.line, doc.column, doc.positions = self.line(shown, doc.data), 1, {}
            self.out.add(doc, shown)

    def template(self, comment: str) -> str:
        """``podinfo/templates/x.yaml`` -> ``charts/podinfo/templates/x.yaml`` (repo path)."""
        _chart_name, _, inside = comment.partition("/")
        path = self.chart / inside if inside else self.chart / "Chart.yaml"
        if not (self.root / path).is_file():  # a packaged subchart: point at the chart
            path = self.chart / "Chart.yaml"
        return path.as_posix()

    def line(self, shown: str, data: Any) -> int:
        kind = data.get("kind") if isinstance(data, dict) else None
        if not isinstance(kind, str) or shown.endswith("/Chart.yaml"):
            return 1
        if shown not in self.kinds:
            try:
                self.kinds[shown] = kind_lines((self.root / shown).read_text("utf-8", "replace"))
            except OSError:
                self.kinds[shown] = {}
        lines = self.kinds[shown].get(kind)
        nth = self.seen.get((shown, kind), 0)
        self.seen[(shown, kind)] = nth + 1
        if not lines:
            return 1
        # More objects than kind lines means a range loop: they repeat the same lines.
        return lines[nth % len(lines)]
