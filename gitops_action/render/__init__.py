"""Render step: a target's folder at one checkout -> the desired objects, each with its source.

``render_target`` picks the renderer (plain YAML, kustomize, Helm, Jinja2; ``auto`` looks at
the folder), gives the target's namespace to namespaced objects that name none, and returns
every problem met as a Finding with its place instead of stopping at the first. The same target
is rendered at the head and at the base checkout, so paths in sources are always relative to
the repository root, never to a temporary worktree. Nothing outside the repository is read
(``confine``), and what was read is recorded, so that plan knows when a render is stale.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Target
from ..core.kinds import crd_scopes, is_namespaced
from ..errors import ManifestError, RenderError
from ..models import Finding, Manifest, Source, split_api_version
from .confine import Confinement, Inputs, OutsideRepository
from .helm import render_helm
from .jinja import render_jinja
from .kustomize import kustomization_file, render_kustomize
from .plain import render_plain
from .sources import Collector

__all__ = ["Inputs", "Rendered", "detect_renderer", "render_target", "unchanged_inputs"]

Renderer = Callable[[Target, Path, Collector], None]
RENDERERS: dict[str, Renderer] = {
    "plain": render_plain,
    "kustomize": render_kustomize,
    "helm": render_helm,
    "jinja2": render_jinja,
}


@dataclass(frozen=True)
class Rendered:
    """The objects of one target at one checkout, and what went wrong reading them."""

    target: Target
    manifests: tuple[Manifest, ...]
    findings: tuple[Finding, ...]
    """Problems met while reading or rendering (syntax, encoding, not an object, renderer
    failure), each with its source; warnings (a chart skipped by plain) do not fail."""
    renderer: str = ""
    """The renderer that ran (``auto`` resolved); empty when the folder does not exist."""
    inputs: Inputs | None = None
    """Every file and folder the render read (links included), relative to the repository
    root; ``None`` when it cannot be known (a kustomize remote base)."""

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    def raise_for_errors(self) -> None:
        """Raise one error listing every error finding, one a line (continuations indented)."""
        errors = self.errors
        if not errors:
            return
        lines = [str(f).replace("\n", "\n    ") for f in errors]
        error = ManifestError if self.renderer == "plain" else RenderError
        raise error("\n".join(lines))


def detect_renderer(folder: Path) -> str:
    """``auto``: a kustomization -> kustomize; Chart.yaml -> helm; any ``*.j2`` -> jinja2;
    otherwise plain."""
    if kustomization_file(folder) is not None:
        return "kustomize"
    if (folder / "Chart.yaml").is_file():
        return "helm"
    for _here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if any(name.endswith(".j2") for name in files):
            return "jinja2"
    return "plain"


def render_target(target: Target, root: Path) -> Rendered:
    """Render ``target`` from the checkout at ``root``, reading nothing outside it.

    A folder missing at this checkout (a target added or removed by the change) renders to
    nothing, without error: the caller decides what that means. A missing tool raises
    ``RenderError`` saying how to install it; anything wrong in the repository is a Finding.
    """
    out = Collector(target.name, Confinement(root))
    try:
        folder = out.confine.folder(target.path)
    except OutsideRepository as err:
        out.from_error(err, target.path)
        return Rendered(target, (), tuple(out.findings), target.render)
    if not folder.exists():
        return Rendered(target, (), (), inputs=out.confine.inputs)
    if not folder.is_dir():
        out.finding("the target path is a file; it must be a folder", Source(target.path))
        return Rendered(target, (), tuple(out.findings), target.render)
    renderer = detect_renderer(folder) if target.render == "auto" else target.render
    if renderer not in RENDERERS:
        raise RenderError(f"target {target.name!r}: unknown renderer {renderer!r}")
    try:
        RENDERERS[renderer](target, root, out)
    except RenderError as err:  # a tool missing or stuck: name the target that needed it
        raise RenderError(f"target {target.name!r} ({renderer}): {err}") from None
    if target.namespace:
        default_namespace(out.manifests, target.namespace)
        if target.create_namespace:
            out.manifests.extend(created_namespace(out.manifests, target))
    inputs = out.confine.inputs if out.inputs_known else None
    return Rendered(target, tuple(out.manifests), tuple(out.findings), renderer, inputs)


def unchanged_inputs(rendered: Rendered, changed: Iterable[str]) -> bool:
    """Whether none of ``changed`` (paths relative to the repository root, as ``git diff``
    names them) is an input of ``rendered``: then a render of the other commit would read the
    same bytes, and ``rendered`` can stand for it. Unknown inputs never can."""
    return rendered.inputs is not None and not rendered.inputs.touched_by(changed)


def created_namespace(manifests: Sequence[Manifest], target: Target) -> list[Manifest]:
    """``create-namespace: true``: the target's Namespace, as if Git held it (placed where
    the setting is), unless an object of the target already is that Namespace."""
    for manifest in manifests:
        if (manifest.api_version, manifest.kind) == ("v1", "Namespace") and (
            (manifest.obj.get("metadata") or {}).get("name") == target.namespace
        ):
            return []
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target.namespace}}
    return [Manifest(obj, target.source)]


def default_namespace(manifests: list[Manifest], namespace: str) -> None:
    """Set ``namespace`` on namespaced objects that name none, in place.

    CRDs of the same target decide for their kinds. Cluster-scoped objects that carry a
    namespace keep it: validation reports them.
    """
    scopes = crd_scopes(manifests)
    for manifest in manifests:
        meta = manifest.obj.get("metadata")
        if not isinstance(meta, dict) or meta.get("namespace"):
            continue
        group, _version = split_api_version(manifest.api_version)
        if is_namespaced(group, manifest.kind, scopes):
            meta["namespace"] = namespace
