"""Check rendered manifests before they reach a cluster: structure, names, schemas, duplicates.

Offline and pure: data in, ``Finding``s out. Each finding names the file, line and column (of
the exact field when the renderer recorded it), the object and the target. The rules are the
API server's (Kubernetes 1.36), so that what passes here is not rejected at apply time, and
what is valid is never reported: a false alarm costs as much trust as a miss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from ..config import Target
from ..core import kinds
from ..models import Finding, Manifest, Path, ResourceKey, Severity
from . import formats
from .schema_check import schema_check, show
from .schemas import GVK, OBJECT_META, Node, builtins, crd_schemas, resolve

# The name rule of each kind whose rule is not the usual DNS-1123 subdomain (k8s.io/kubernetes
# v1.36.3 pkg/apis/*/validation; apimachinery api/validation NameIsDNSSubdomain for the rest,
# custom resources included).
_RBAC = "rbac.authorization.k8s.io"
_NAME_RULES: dict[tuple[str, str], tuple[str, Callable[[str], list[str]]]] = {
    ("", "Namespace"): ("an RFC 1123 label", formats.dns1123_label),
    # RelaxedServiceNameValidation is beta and on in 1.36: RFC 1123, no longer RFC 1035.
    ("", "Service"): ("an RFC 1123 label", formats.dns1123_label),
    ("apps", "StatefulSet"): ("an RFC 1123 label", formats.dns1123_label),
    **{(_RBAC, k): ("a path segment", formats.path_segment)
       for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
}  # fmt: skip
_CRONJOB_NAME_MAX = 52  # batch validation: 63 minus the 11 characters of a Job's time suffix


class _Add(Protocol):
    def __call__(self, path: Path, message: str, severity: Severity = ..., /) -> None: ...


class RenderedTarget(Protocol):
    """What ``render.render_target`` returns, as far as validation needs it."""

    @property
    def target(self) -> Target: ...
    @property
    def manifests(self) -> Sequence[Manifest]: ...
    @property
    def findings(self) -> Sequence[Finding]: ...


def validate(rendered: Sequence[RenderedTarget]) -> list[Finding]:
    """Everything: each target's render findings and checks, then objects of two targets."""
    found: list[Finding] = []
    for item in rendered:
        found.extend(item.findings)
        found.extend(check_target(item.target, item.manifests))
    found.extend(check_across_targets(rendered))
    return list(dict.fromkeys(found))  # a field can fail two ways that read the same


def check_target(target: Target, manifests: Sequence[Manifest]) -> list[Finding]:
    """Every check of one target's objects, and objects defined twice in it."""
    scopes = kinds.crd_scopes(manifests)
    crds = crd_schemas(m.obj for m in manifests)
    found: list[Finding] = []
    for manifest in manifests:
        found.extend(check_manifest(manifest, target, scopes, crds))
    seen: dict[ResourceKey, Manifest] = {}
    for manifest in manifests:
        key = effective_key(manifest, target, scopes)
        if not key.kind or not key.name:
            continue
        first = seen.setdefault(key, manifest)
        if first is not manifest:
            message = (
                f"defined twice in target {target.name} ({_at(first)} and {_at(manifest)}); "
                "keep one"
            )
            found.append(Finding(message, manifest.where(), key, target.name))
    return found


def check_across_targets(rendered: Iterable[RenderedTarget]) -> list[Finding]:
    """An object in two targets that deploy to the same kubeconfig context: both would apply
    it and prune it, each undoing the other. Targets on other contexts are other clusters."""
    owner: dict[tuple[str, ResourceKey], tuple[str, Manifest]] = {}
    found: list[Finding] = []
    for item in rendered:
        target = item.target
        scopes = kinds.crd_scopes(item.manifests)
        for manifest in item.manifests:
            key = effective_key(manifest, target, scopes)
            first = owner.setdefault((target.context, key), (target.name, manifest))
            if key.kind and key.name and first[0] != target.name:
                message = (
                    f"in two targets on the same cluster, {first[0]} ({_at(first[1])}) and "
                    f"{target.name} ({_at(manifest)}); keep it in one of them"
                )
                found.append(Finding(message, manifest.where(), key, target.name))
    return found


def effective_key(
    manifest: Manifest, target: Target, scopes: Mapping[tuple[str, str], bool]
) -> ResourceKey:
    """The object's identity once applied: the target's namespace for namespaced objects
    that name none, no namespace for cluster-scoped ones (the API server drops it)."""
    key = _key(manifest.obj)
    if not kinds.is_namespaced(key.group, key.kind, scopes):
        return replace(key, namespace="")
    return replace(key, namespace=key.namespace or target.namespace)


def check_manifest(
    manifest: Manifest,
    target: Target,
    scopes: Mapping[tuple[str, str], bool],
    crds: Mapping[GVK, Node],
) -> list[Finding]:
    """Structure, name, namespace and schema checks of one object."""
    key = effective_key(manifest, target, scopes)
    problems: list[tuple[Path, str, Severity]] = []

    def add(path: Path, message: str, severity: Severity = "error") -> None:  # an _Add
        problems.append((path, message, severity))

    obj = manifest.obj
    for field in ("apiVersion", "kind"):
        if obj.get(field) in (None, ""):
            add((), f"missing {field}; every object needs apiVersion and kind "
                "(e.g. apiVersion: apps/v1, kind: Deployment)")  # fmt: skip
        elif not isinstance(obj[field], str):
            add((field,), f"{field} must be a string, got {show(obj[field])}")
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        _check_name(key, meta, obj, add)
        _check_namespace(key, meta.get("namespace"), scopes, add)
    elif meta is not None:
        add(("metadata",), f"metadata must be a mapping, got {show(meta)}")
    else:
        _check_name(key, {}, obj, add)
    if isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str):
        schema = resolve(obj["apiVersion"], obj["kind"], crds)
        if isinstance(schema, str):
            add(("apiVersion",) if "is not served" in schema else ("kind",), schema)
        else:
            # No schema offline (a custom resource whose CRD is elsewhere): metadata only.
            node = schema or Node(properties={"metadata": builtins().node(OBJECT_META)})
            # No value of a Secret is ever quoted, whatever its group, nor of a List of them.
            secret = key.kind == "Secret" or key.kind.endswith("List")
            for path, message in schema_check(node, obj, reveal=not secret):
                add(path, message)
    if key.group == "" and key.kind in ("ConfigMap", "Secret"):
        _check_size(key.kind, obj, add)
    shown = key if key.kind and key.name else None  # "ConfigMap/" would say nothing
    # dict.fromkeys: a field can fail a structure and a schema check in the same words.
    return [
        Finding(m, manifest.where(p), shown, target.name, s) for p, m, s in dict.fromkeys(problems)
    ]


MAX_DATA_BYTES = 1024 * 1024
"""corev1.MaxSecretSize: the most a ConfigMap's data and binaryData, or a Secret's data, may hold
(values only, in bytes, binary values decoded), as ValidateConfigMap and ValidateSecret count."""


def _check_size(kind: str, obj: Mapping[str, object], add: _Add) -> None:
    if kind == "ConfigMap":
        sizes = {("data", k): len(v.encode()) for k, v in _strings(obj, "data")}
        sizes.update(
            {("binaryData", k): formats.decoded_size(v) for k, v in _strings(obj, "binaryData")}
        )
    else:  # stringData replaces data's key of the same name, as the server merges them
        sizes = {("", k): formats.decoded_size(v) for k, v in _strings(obj, "data")}
        sizes.update({("", k): len(v.encode()) for k, v in _strings(obj, "stringData")})
    total = sum(sizes.values())
    if total > MAX_DATA_BYTES:
        what = "data and binaryData" if kind == "ConfigMap" else "data"
        add(
            ("data",) if "data" in obj else (),
            f"{kind} {what} hold {total:,} bytes, over the API server's limit of "
            f"{MAX_DATA_BYTES:,} (1 MiB); split it in several {kind}s or mount the content "
            "another way (a volume, an image)",
        )


def _strings(obj: Mapping[str, object], field: str) -> list[tuple[str, str]]:
    entries = obj.get(field)
    if not isinstance(entries, dict):
        return []
    return [(str(k), v) for k, v in entries.items() if isinstance(v, str)]


def _check_namespace(
    key: ResourceKey, namespace: object, scopes: Mapping[tuple[str, str], bool], add: _Add
) -> None:
    if namespace and not kinds.is_namespaced(key.group, key.kind, scopes):
        # The API server silently drops it (rest.EnsureObjectNamespaceMatchesRequestNamespace).
        message = f"metadata.namespace is ignored: {key.kind} is cluster-scoped; remove it"
        add(("metadata", "namespace"), message, "warning")
    elif isinstance(namespace, str) and (bad := formats.dns1123_label(namespace)):
        add(("metadata", "namespace"), f'metadata.namespace "{namespace}" is invalid: {bad[0]}')


def _check_name(
    key: ResourceKey,
    meta: Mapping[str, object],
    obj: Mapping[str, object],
    add: Callable[[Path, str], None],
) -> None:
    name = meta.get("name")
    if name in (None, ""):
        hint = (
            "; generateName is not supported: apply needs a fixed name"
            if meta.get("generateName")
            else ""
        )
        add(("metadata",), f"missing metadata.name: every {key.kind or 'object'} needs one{hint}")
        return
    if not isinstance(name, str):
        return  # the schema check says it must be a string
    what, rule = _NAME_RULES.get(
        (key.group, key.kind), ("an RFC 1123 subdomain", formats.dns1123_subdomain)
    )
    problems = rule(name)
    if key.group == "batch" and key.kind == "CronJob" and len(name) > _CRONJOB_NAME_MAX:
        problems.append(
            f"must be no more than {_CRONJOB_NAME_MAX} characters (a CronJob's Jobs add 11)"
        )
    required = _required_name(key, obj)
    if required is not None and name != required:
        problems.append(
            f'must be "{required}" (spec.names.plural + "." + spec.group)'
            if key.kind == "CustomResourceDefinition"
            else f'must be "{required}" (spec.version + "." + spec.group)'
        )
    if problems:
        add(
            ("metadata", "name"),
            f'metadata.name "{name}" is not a valid {key.kind} name '
            f"({what}): {'; '.join(problems)}",
        )


def _required_name(key: ResourceKey, obj: Mapping[str, object]) -> str | None:
    """CRDs and APIServices must be named after what they serve."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    if (key.group, key.kind) == ("apiextensions.k8s.io", "CustomResourceDefinition"):
        names = spec.get("names")
        plural = names.get("plural") if isinstance(names, dict) else None
        parts = (plural, spec.get("group"))
    elif (key.group, key.kind) == ("apiregistration.k8s.io", "APIService"):
        parts = (spec.get("version"), spec.get("group"))
    else:
        return None
    if not all(isinstance(part, str) and part for part in parts):
        return None
    return ".".join(str(part) for part in parts)


def _key(obj: Mapping[str, object]) -> ResourceKey:
    """``ResourceKey.of`` that survives a ``metadata`` that is not a mapping."""
    meta = obj.get("metadata")
    return ResourceKey.of({**obj, "metadata": meta if isinstance(meta, dict) else {}})


def _at(manifest: Manifest) -> str:
    where = manifest.where()
    return str(where) if where else "(unknown place)"
