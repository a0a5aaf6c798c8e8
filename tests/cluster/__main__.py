"""`python -m tests.cluster build|up|down|status|env|pin`: the local control plane's commands.

`make cluster-build`, `make cluster` and `make cluster-down` call build, up and down. `up` and
`down` are idempotent; `status` exits 0 only when the cluster is up and ready; `eval "$(python -m
tests.cluster env)"` points kubectl at it.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from tests.cluster.api import ClusterError
from tests.cluster.build import BuildError, build, pin
from tests.cluster.controlplane import DEFAULT_DIR, ControlPlane, remove


def _usage(plane: ControlPlane) -> str:
    return (
        f"  export KUBECONFIG={shlex.quote(str(plane.kubeconfig))}\n"
        "  kubectl get nodes\n"
        f"  logs: {plane.logs}/\n"
        "  stop: make cluster-down"
    )


def cmd_build(args: argparse.Namespace) -> int:
    install = build(force=args.force)
    print(install.bin_dir)
    return 0


def cmd_pin(_args: argparse.Namespace) -> int:
    pin()
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    plane = ControlPlane.load(directory)
    install = build()
    if plane is not None and plane.healthy():
        print(f"control plane already up at {plane.server}\n{_usage(plane)}")
        if not plane.built_from(install):
            print(
                "note: it runs binaries built from earlier pins; `make cluster-down cluster` "
                "restarts it with the current ones (and an empty etcd)"
            )
        return 0
    if directory.exists():
        print(f"removing stale control plane state in {directory}", file=sys.stderr)
        remove(directory)
    started = time.monotonic()
    plane = ControlPlane.create(directory, install)
    plane.start(timeout=args.timeout)
    elapsed = time.monotonic() - started
    print(f"control plane up at {plane.server} in {elapsed:.1f}s\n{_usage(plane)}")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    if not directory.exists():
        print("control plane is not running")
        return 0
    remove(directory)
    print(f"control plane stopped; removed {directory}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    plane = ControlPlane.load(args.dir)
    if plane is None:
        print(f"no control plane recorded in {args.dir}: run `make cluster`")
        return 1
    print("\n".join(plane.status_lines()))
    return 0 if plane.healthy() else 1


def cmd_env(args: argparse.Namespace) -> int:
    plane = ControlPlane.load(args.dir)
    if plane is None:
        print(f"no control plane recorded in {args.dir}: run `make cluster`", file=sys.stderr)
        return 1
    print(f"export KUBECONFIG={shlex.quote(str(plane.kubeconfig))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.cluster", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    sub = commands.add_parser("build", help="build the binaries into the cache, if needed")
    sub.add_argument("--force", action="store_true", help="rebuild even if they are there")
    sub.set_defaults(func=cmd_build)
    sub = commands.add_parser("pin", help="regenerate go/*/go.mod and go.sum from pins.env")
    sub.set_defaults(func=cmd_pin)
    for name, func, text in (
        ("up", cmd_up, "start the control plane (and build it first if needed)"),
        ("down", cmd_down, "stop the control plane and remove its state"),
        ("status", cmd_status, "show the components; exit 1 unless up and ready"),
        ("env", cmd_env, "print `export KUBECONFIG=...`"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="state directory")
        if name == "up":
            sub.add_argument("--timeout", type=float, default=180.0, help="seconds to wait")
        sub.set_defaults(func=func)

    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except (BuildError, ClusterError, TimeoutError, OSError) as error:
        print(f"tests.cluster: error: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
