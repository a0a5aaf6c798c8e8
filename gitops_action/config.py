"""``.gitops.yaml`` -> ``Config``.

Strict: an unknown key, a wrong type, a duplicate target name or a path that does not exist is
an error naming the file, line and key. Every problem found is reported at once, one a line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.rules import RULE_NAMES
from .core.yamlio import Document, decode, load_documents
from .errors import ConfigError
from .models import ResourceKey, Source

RENDERERS = ("auto", "plain", "kustomize", "helm", "jinja2")
ON_DRIFT = ("none", "issue", "revert-pr", "adopt-pr")
REVERT_ON_FAILURE = ("none", "pr")
REVIEWED_PLAN = ("warn", "refuse")
DEFAULT_PROTECT = (
    "Namespace",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
)
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class IgnoreRule:
    """Fields (JSON pointers) or managers never counted as drift, for the objects matched."""

    kind: str = ""
    group: str | None = None
    namespace: str = ""
    name: str = ""
    paths: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()

    def matches(self, key: ResourceKey) -> bool:
        return (
            (not self.kind or self.kind == key.kind)
            and (self.group is None or self.group == key.group)
            and (not self.namespace or self.namespace == key.namespace)
            and (not self.name or self.name == key.name)
        )


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    """Folder of the target, relative to the repository root, POSIX separators."""
    render: str = "auto"
    values: tuple[str, ...] = ()
    """Helm values / Jinja2 variables files, relative to the repository root."""
    namespace: str = ""
    create_namespace: bool = False
    """Create ``namespace`` (labelled as ours) when no Namespace object of the target does."""
    context: str = ""
    prune: bool = True
    prune_limit: float = 0.5
    protect: frozenset[str] = frozenset(DEFAULT_PROTECT)
    force_conflicts: bool = True
    wait: bool = True
    wait_timeout: int = 300
    revert_on_failure: str = "none"
    reviewed_plan: str = "warn"
    """On a push: say (warn) or refuse when what merges is not the plan reviewed."""
    on_drift: str = "issue"
    ignore: tuple[IgnoreRule, ...] = ()
    source: Source | None = None
    review_ignore: frozenset[str] = frozenset()
    """Risky-change rules switched off for this target (``review.ignore``)."""

    def ignore_paths(self, key: ResourceKey) -> tuple[str, ...]:
        return tuple(p for rule in self.ignore if rule.matches(key) for p in rule.paths)

    def ignore_managers(self, key: ResourceKey) -> tuple[str, ...]:
        return tuple(m for rule in self.ignore if rule.matches(key) for m in rule.managers)


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    targets: tuple[Target, ...]

    def select(self, names: Iterable[str]) -> tuple[Target, ...]:
        wanted = list(names)
        if not wanted:
            return self.targets
        known = {t.name: t for t in self.targets}
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise ConfigError(
                f"{self.path}: no target named {', '.join(map(repr, unknown))}; "
                f"the targets are: {', '.join(known) or '(none)'}"
            )
        return tuple(known[n] for n in dict.fromkeys(wanted))


def load_config(path: Path, root: Path | None = None) -> Config:
    """Read and check ``path``; ``root`` (default: its folder) anchors the target paths."""
    root = (root or path.parent).resolve()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file; create it (see the README, '.gitops.yaml') or pass --config"
        ) from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None
    shown = _display(path, root)
    docs = load_documents(decode(raw, shown), shown)
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise ConfigError(f"{shown}:1:1: expected one YAML mapping with 'version' and 'targets'")
    checker = _Checker(shown, docs[0], root)
    config = checker.config(path)
    if checker.problems:
        raise ConfigError("\n".join(checker.problems))
    return config


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


_TARGET_KEYS = {
    "name", "path", "render", "values", "namespace", "create-namespace", "context", "prune",
    "prune-limit", "protect", "force-conflicts", "wait", "revert-on-failure", "reviewed-plan",
    "drift", "review",
}  # fmt: skip
_DEFAULT_KEYS = _TARGET_KEYS - {"name", "path", "values"}


class _Checker:
    """Walks the document, converting values and collecting every problem with its place."""

    def __init__(self, shown: str, doc: Document, root: Path) -> None:
        self.shown = shown
        self.doc = doc
        self.root = root
        self._problems: list[tuple[tuple[int, int], str]] = []

    @property
    def problems(self) -> list[str]:
        """Every problem, in the order of the file."""
        return [f"{self.shown}:{row}:{col}: {msg}" for (row, col), msg in sorted(self._problems)]

    def position(self, at: tuple[str | int, ...]) -> tuple[int, int]:
        for end in range(len(at), 0, -1):
            pos = self.doc.positions.get(at[:end])
            if pos:
                return pos
        return self.doc.line, self.doc.column

    def where(self, at: tuple[str | int, ...]) -> str:
        row, col = self.position(at)
        return f"{self.shown}:{row}:{col}"

    def problem(self, at: tuple[str | int, ...], message: str) -> None:
        self._problems.append((self.position(at), message))

    def keys(self, data: Mapping[str, Any], allowed: set[str], at: tuple[str | int, ...]) -> None:
        for key in data:
            if key not in allowed:
                label = ".".join(str(p) for p in (*at, key))
                self.problem(
                    (*at, key), f"unknown key {label!r}; allowed here: {', '.join(sorted(allowed))}"
                )

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        at: tuple[str | int, ...],
        check: Callable[[Any], bool],
        expected: str,
    ) -> Any:
        value = data[key]
        if not check(value):
            label = ".".join(str(p) for p in (*at, key))
            self.problem((*at, key), f"{label} must be {expected}, got {value!r}")
            return None
        return value

    def config(self, path: Path) -> Config:
        data: dict[str, Any] = self.doc.data
        self.keys(data, {"version", "defaults", "targets"}, ())
        if data.get("version") != 1:
            self.problem(
                ("version",), f"version must be 1, got {data.get('version')!r}; add 'version: 1'"
            )
        defaults: dict[str, Any] = {}
        if "defaults" in data:
            if isinstance(data["defaults"], dict):
                self.keys(data["defaults"], _DEFAULT_KEYS, ("defaults",))
                defaults = self.fields(data["defaults"], ("defaults",))
            else:
                self.problem(("defaults",), "defaults must be a mapping")
        targets_raw = data.get("targets")
        if not isinstance(targets_raw, list) or not targets_raw:
            self.problem(("targets",), "targets must be a non-empty list of {name, path, ...}")
            targets_raw = []
        targets: list[Target] = []
        seen: dict[str, str] = {}
        for index, raw in enumerate(targets_raw):
            target = self.target(raw, ("targets", index), defaults)
            if target is None:
                continue
            if target.name in seen:
                self.problem(
                    ("targets", index, "name"),
                    f"duplicate target name {target.name!r} (first at {seen[target.name]})",
                )
            seen[target.name] = self.where(("targets", index, "name"))
            targets.append(target)
        return Config(path=path, root=self.root, targets=tuple(targets))

    def target(
        self, raw: Any, at: tuple[str | int, ...], defaults: dict[str, Any]
    ) -> Target | None:
        if not isinstance(raw, dict):
            self.problem(at, "a target must be a mapping with at least 'name' and 'path'")
            return None
        self.keys(raw, _TARGET_KEYS, at)
        for required in ("name", "path"):
            if required not in raw:
                self.problem(at, f"target is missing {required!r}")
        if "name" not in raw or "path" not in raw:
            return None
        name = self.get(raw, "name", at, _is_name, "a lowercase name of letters, digits and '-'")
        path = self.get(raw, "path", at, _is_str, "a folder relative to the repository root")
        fields = {**defaults, **self.fields(raw, at)}
        if path is not None:
            folder = (self.root / path).resolve()
            if not folder.is_dir():
                self.problem(
                    (*at, "path"), f"target path {path!r} is not a folder under {self.root}"
                )
            elif not folder.is_relative_to(self.root):
                self.problem((*at, "path"), f"target path {path!r} leaves the repository")
            else:
                path = folder.relative_to(self.root).as_posix() or "."
        if "values" in raw:
            fields["values"] = self.values(raw, at, path)
        if name is None or path is None:
            return None
        row, col = self.position(at)
        return Target(name=name, path=path, source=Source(self.shown, row, col), **fields)

    def values(
        self, raw: Mapping[str, Any], at: tuple[str | int, ...], path: str | None
    ) -> tuple[str, ...]:
        files = self.get(raw, "values", at, _is_str_list, "a list of files")
        out: list[str] = []
        for index, name in enumerate(files or []):
            # Relative to the target's folder first (next to the chart), then the repository root.
            candidates = [self.root / path / name] if path else []
            candidates.append(self.root / name)
            found = next((c.resolve() for c in candidates if c.is_file()), None)
            if found is None or not found.is_relative_to(self.root):
                self.problem(
                    (*at, "values", index),
                    f"values file {name!r} not found next to the target or at the repository root",
                )
                continue
            out.append(found.relative_to(self.root).as_posix())
        return tuple(out)

    def fields(self, raw: Mapping[str, Any], at: tuple[str | int, ...]) -> dict[str, Any]:
        """The optional target settings present in ``raw``, converted to ``Target`` fields."""
        out: dict[str, Any] = {}
        simple: dict[str, tuple[str, Callable[[Any], bool], str]] = {
            "render": ("render", lambda v: v in RENDERERS, f"one of {', '.join(RENDERERS)}"),
            "namespace": ("namespace", _is_name, "a namespace name"),
            "context": ("context", _is_str, "a kubeconfig context name"),
            "prune": ("prune", _is_bool, "true or false"),
            "prune-limit": (
                "prune_limit",
                lambda v: _is_number(v) and 0 < v <= 1,
                "a share in (0, 1]",
            ),
            "force-conflicts": ("force_conflicts", _is_bool, "true or false"),
            "create-namespace": ("create_namespace", _is_bool, "true or false"),
            "revert-on-failure": (
                "revert_on_failure",
                lambda v: v in REVERT_ON_FAILURE,
                "none or pr",
            ),
            "reviewed-plan": (
                "reviewed_plan",
                lambda v: v in REVIEWED_PLAN,
                "warn or refuse",
            ),
        }
        for key, (attr, check, expected) in simple.items():
            if key in raw:
                value = self.get(raw, key, at, check, expected)
                if value is not None:
                    out[attr] = value
        if "protect" in raw:
            kinds = self.get(raw, "protect", at, _is_str_list, "a list of kinds")
            if kinds is not None:
                out["protect"] = frozenset(kinds)
        if "wait" in raw:
            out.update(self.wait(raw["wait"], (*at, "wait")))
        if "drift" in raw:
            out.update(self.drift(raw["drift"], (*at, "drift")))
        if "review" in raw:
            out.update(self.review(raw["review"], (*at, "review")))
        return out

    def review(self, raw: Any, at: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.problem(at, "review must be a mapping like {ignore: [rbac-wildcard]}")
            return {}
        self.keys(raw, {"ignore"}, at)
        if "ignore" not in raw:
            return {}
        names = self.get(raw, "ignore", at, _is_str_list, "a list of rule names")
        for index, name in enumerate(names or []):
            if name not in RULE_NAMES:
                close = difflib.get_close_matches(name, RULE_NAMES, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(
                    (*at, "ignore", index),
                    f"unknown rule {name!r} in review.ignore{hint}; the rules are: "
                    + ", ".join(RULE_NAMES),
                )
        return {"review_ignore": frozenset(n for n in names or [] if n in RULE_NAMES)}

    def wait(self, raw: Any, at: tuple[str | int, ...]) -> dict[str, Any]:
        if isinstance(raw, bool):
            return {"wait": raw}
        if not isinstance(raw, dict):
            self.problem(at, "wait must be true, false or {timeout: SECONDS}")
            return {}
        self.keys(raw, {"timeout"}, at)
        if "timeout" not in raw:
            return {"wait": True}
        timeout = self.get(
            raw, "timeout", at, lambda v: _is_int(v) and v > 0, "a positive number of seconds"
        )
        return {"wait": True, "wait_timeout": timeout} if timeout is not None else {}

    def drift(self, raw: Any, at: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.problem(at, "drift must be a mapping with on-drift and ignore")
            return {}
        self.keys(raw, {"on-drift", "ignore"}, at)
        out: dict[str, Any] = {}
        if "on-drift" in raw:
            mode = self.get(
                raw, "on-drift", at, lambda v: v in ON_DRIFT, f"one of {', '.join(ON_DRIFT)}"
            )
            if mode is not None:
                out["on_drift"] = mode
        if "ignore" in raw:
            rules = raw["ignore"]
            if not isinstance(rules, list):
                self.problem(
                    (*at, "ignore"), "drift.ignore must be a list of {kind, paths, managers}"
                )
                rules = []
            checked = (self.ignore_rule(r, (*at, "ignore", i)) for i, r in enumerate(rules))
            out["ignore"] = tuple(rule for rule in checked if rule is not None)
        return out

    def ignore_rule(self, raw: Any, at: tuple[str | int, ...]) -> IgnoreRule | None:
        if not isinstance(raw, dict):
            self.problem(
                at,
                "an ignore rule must be a mapping like {kind: Deployment, paths: [/spec/replicas]}",
            )
            return None
        self.keys(raw, {"kind", "group", "namespace", "name", "paths", "managers"}, at)
        fields: dict[str, Any] = {}
        for key in ("kind", "group", "namespace", "name"):
            if key in raw and (value := self.get(raw, key, at, _is_str, "a string")) is not None:
                fields[key] = value
        for key in ("paths", "managers"):
            if key in raw:
                value = self.get(raw, key, at, _is_str_list, "a list of strings")
                fields[key] = tuple(value or ())
        rule = IgnoreRule(**fields)
        for index, pointer in enumerate(rule.paths):
            if not pointer.startswith("/"):
                self.problem(
                    (*at, "paths", index),
                    f"{pointer!r} must be a JSON pointer starting with '/', like /spec/replicas",
                )
        if not rule.paths and not rule.managers:
            self.problem(at, "an ignore rule needs 'paths' or 'managers'")
        return rule


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _is_name(value: Any) -> bool:
    return (
        _is_str(value)
        and set(value) <= NAME_CHARS
        and value[0].isalnum()
        and value[-1].isalnum()
        and len(value) <= 63
    )


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_str(v) for v in value)
