"""Pinned versions, the build recipe, and where the built binaries live.

`tests/cluster/pins.env` is the one place the versions are pinned. The Go wrapper modules under
`tests/cluster/go/` are generated from it (`python -m tests.cluster pin`), and the binaries go to a
cache directory outside the repository whose name hashes the pins, the wrapper modules and the
recipe below: a change to any of them builds afresh instead of reusing a stale binary.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
PINS_FILE = HERE / "pins.env"
GO_DIR = HERE / "go"

BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")

# The kwok stages that `kwokctl --runtime binary` configures by default: nodes become Ready and
# keep a Lease (so the node lifecycle controller never taints them), pods become Running and
# Ready, Job pods complete, and deleted pods go away.
KWOK_STAGE_FILES = (
    "kustomize/stage/node/fast/node-initialize.yaml",
    "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
)

# Static binaries (as Kubernetes releases them), no toolchain downloads, and go.mod/go.sum as
# committed: the build must never rewrite them (`pin` does that, on purpose). -buildvcs=false:
# the wrapper modules sit inside this repository's checkout, whose state must not leak into
# (or break) the binaries.
GO_ENV = {"CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly -buildvcs=false"}
GO_BUILD_FLAGS = ("-trimpath",)


@dataclass(frozen=True)
class Pins:
    """The versions in pins.env."""

    kubernetes: str
    etcd: str
    kwok: str

    @property
    def kubernetes_staging(self) -> str:
        """k8s.io/kubernetes vX.Y.Z publishes its staging modules (k8s.io/api, ...) as v0.Y.Z."""
        _major, minor, patch = _semver(self.kubernetes)
        return f"v0.{minor}.{patch}"


@dataclass(frozen=True)
class GoTarget:
    """One wrapper module under go/ and the binaries built from it."""

    module_dir: str  # directory name under go/
    pinned_module: str  # the module whose version pins.env sets
    version: str
    packages: tuple[tuple[str, str], ...]  # (package path, binary name)
    ldflags: tuple[str, ...]


def _semver(version: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)", version)
    if not match:
        raise ValueError(f"{PINS_FILE}: {version!r} is not a release version like v1.36.3")
    return int(match[1]), int(match[2]), int(match[3])


def load_pins(path: Path = PINS_FILE) -> Pins:
    """Read KEY=VALUE lines; comments and blank lines are ignored."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        values[key.strip()] = value.strip()
    try:
        pins = Pins(
            kubernetes=values.pop("KUBERNETES_VERSION"),
            etcd=values.pop("ETCD_VERSION"),
            kwok=values.pop("KWOK_VERSION"),
        )
    except KeyError as missing:
        raise ValueError(f"{path}: {missing.args[0]} is not set") from None
    if values:
        raise ValueError(f"{path}: unknown keys {sorted(values)}")
    for version in (pins.kubernetes, pins.etcd, pins.kwok):
        _semver(version)
    return pins


def recipe(pins: Pins) -> tuple[GoTarget, ...]:
    """What to build from which wrapper module, with which version stamps."""
    major, minor, _patch = _semver(pins.kubernetes)
    # Without these the binaries report v0.0.0 on /version and in their logs.
    stamps = [
        f"-X {pkg}.{name}={value}"
        for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
        for name, value in (
            ("gitVersion", pins.kubernetes),
            ("gitMajor", str(major)),
            ("gitMinor", str(minor)),
            ("gitTreeState", "archive"),
        )
    ]
    return (
        GoTarget(
            module_dir="kubernetes",
            pinned_module="k8s.io/kubernetes",
            version=pins.kubernetes,
            packages=tuple(
                (f"k8s.io/kubernetes/cmd/{name}", name)
                for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
            ),
            ldflags=("-s", "-w", *stamps),
        ),
        GoTarget(
            module_dir="etcd",
            pinned_module="go.etcd.io/etcd/server/v3",
            version=pins.etcd,
            # server/v3 has a main package at its root that calls etcdmain.Main(os.Args).
            packages=(("go.etcd.io/etcd/server/v3", "etcd"),),
            ldflags=("-s", "-w"),
        ),
        GoTarget(
            module_dir="kwok",
            pinned_module="sigs.k8s.io/kwok",
            version=pins.kwok,
            packages=(("sigs.k8s.io/kwok/cmd/kwok", "kwok"),),
            ldflags=("-s", "-w", f"-X sigs.k8s.io/kwok/pkg/consts.Version={pins.kwok}"),
        ),
    )


def cache_root() -> Path:
    """GITOPS_ACTION_CACHE (the Makefile sets it), else ~/.cache/gitops-action."""
    configured = os.environ.get("GITOPS_ACTION_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "gitops-action"


def recipe_hash(pins: Pins) -> str:
    """A digest of everything that decides the binaries' content."""
    digest = hashlib.sha256()
    digest.update(PINS_FILE.read_bytes())
    for path in sorted(p for p in GO_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(GO_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    described = {
        "recipe": [asdict(target) for target in recipe(pins)],
        "env": GO_ENV,
        "flags": GO_BUILD_FLAGS,
        "stages": KWOK_STAGE_FILES,
    }
    digest.update(json.dumps(described, sort_keys=True).encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Install:
    """A built set of binaries in the cache."""

    root: Path

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def kwok_stages(self) -> Path:
        return self.root / "kwok" / "stages.yaml"

    @property
    def manifest(self) -> Path:
        """Written last by the build; its presence means the install is complete."""
        return self.root / "build.json"

    def binary(self, name: str) -> Path:
        return self.bin_dir / name

    def is_complete(self) -> bool:
        return self.manifest.is_file() and all(self.binary(name).is_file() for name in BINARIES)


def current_install(pins: Pins | None = None) -> Install:
    """Where the binaries for the checked-out pins and recipe live (built or not)."""
    pins = pins or load_pins()
    return Install(cache_root() / f"k8s-{pins.kubernetes}-{recipe_hash(pins)}")
