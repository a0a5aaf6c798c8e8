"""An apply in a process of its own, held at a chosen write or deletion, so that a test can kill
it exactly there (SIGKILL) or let it go on later.

    python -m tests.apply.runner REPO KUBECONFIG SIGNALS [--hold write:N | delete:N] [--gate]
        [--lease-seconds S] [--output-json FILE]

It runs the command layer (``commands.apply.run``) as the CLI does, with the real Kube adapter
behind ``Holding``, a port that counts the writes and the deletions of the target's objects
(not of its inventory or its lease) that the server answered. Once N of the chosen kind are
done it touches ``SIGNALS/held`` and holds every later write and deletion, of the inventory
and the lease's release too (those under way finish): for ever (the test kills the process),
or with ``--gate`` until ``SIGNALS/go`` exists. The lease is renewed
meanwhile, as in a run that hangs. ``--lease-seconds`` shortens the lease (renewed every
second), so that a re-run after the kill does not wait a minute. Exits with the command's code.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

from gitops_action.adapters.actions import ActionsEnv
from gitops_action.adapters.git import Git
from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import PARENT
from gitops_action.cluster.lease import TERMS, Terms
from gitops_action.commands import Context
from gitops_action.commands import apply as apply_command
from gitops_action.config import load_config
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.support import Delegating

GATE_POLL = 0.05


class Holding(Delegating):
    """The real adapter, held once ``after`` calls of ``verb`` were answered (see the module)."""

    def __init__(self, kube: Kube, verb: str, after: int, signals: Path, gate: bool) -> None:
        super().__init__(kube)
        self.verb, self.after, self.signals, self.gate = verb, after, signals, gate
        self.done = 0
        self.mutex = threading.Lock()
        self.holding = threading.Event()

    def _before(self, verb: str) -> None:
        """Hold here once holding (and before the first call, when N is 0)."""
        with self.mutex:
            if verb == self.verb and self.after == 0:
                self._hold()
            holding = self.holding.is_set()
        while holding and not (self.gate and (self.signals / "go").exists()):
            time.sleep(GATE_POLL)

    def _after(self, verb: str) -> None:
        """Count a call the server answered; hold every later one once N are done."""
        with self.mutex:
            self.done += verb == self.verb
            if verb == self.verb and self.done == self.after:
                self._hold()

    def _hold(self) -> None:
        if not self.holding.is_set():
            self.holding.set()
            (self.signals / "held").touch()

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        if dry_run:
            return self.kube.apply(obj, resource, dry_run=dry_run, force=force)  # type: ignore[no-any-return]
        verb = "record" if resource == PARENT else "write"
        self._before(verb)
        result: KubeObject = self.kube.apply(obj, resource, dry_run=dry_run, force=force)
        self._after(verb)
        return result

    def create(self, obj: KubeObject, resource: ApiResource) -> KubeObject:
        verb = "record" if resource == PARENT else "lease"
        self._before(verb)
        return self.kube.create(obj, resource)  # type: ignore[no-any-return]

    def delete(self, resource: ApiResource, namespace: str, name: str, **options: object) -> bool:
        if options.get("dry_run"):
            return bool(self.kube.delete(resource, namespace, name, **options))
        verb = "lease" if resource.kind == "Lease" else "delete"
        self._before(verb)
        deleted = bool(self.kube.delete(resource, namespace, name, **options))
        self._after(verb)
        return deleted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.apply.runner")
    parser.add_argument("repo", type=Path)
    parser.add_argument("kubeconfig", type=Path)
    parser.add_argument("signals", type=Path)
    parser.add_argument("--hold", default="", help="write:N or delete:N")
    parser.add_argument("--gate", action="store_true")
    parser.add_argument("--lease-seconds", type=int, default=0)
    parser.add_argument("--output-json", type=Path)
    args = parser.parse_args(argv)
    verb, _, count = args.hold.partition(":")
    port = Holding(Kube(args.kubeconfig), verb, int(count or 0), args.signals, args.gate)
    config = load_config(args.repo / ".gitops.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    ctx = Context(
        config=config,
        targets=config.targets,
        git=Git(args.repo),
        actions=ActionsEnv(env),
        out=sys.stdout,
        err=sys.stderr,
        connect=lambda _target: port,  # type: ignore[arg-type,return-value]
    )
    seconds = args.lease_seconds
    lease = Terms(duration=seconds, renew=1.0, poll=0.2) if seconds else TERMS
    options = apply_command.ApplyOptions(output_json=args.output_json, lease=lease)
    return apply_command.run(ctx, options)


if __name__ == "__main__":
    sys.exit(main())
