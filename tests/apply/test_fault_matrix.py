"""The fault matrix on the control plane (120 objects, ``stack``): whatever stops an apply, each
row's status says truly what was and was not written, the inventory keeps the last good record,
and a re-run converges exactly on the commit.

The API server is killed (SIGKILL, a crash) by a port wrapper at a chosen call: during the
checks, mid-write, right before the prune and mid-prune; mid-write and mid-prune, the call that
triggers the kill is one the server carried out but whose answer was lost. The tool itself is
killed (SIGKILL) in a process of its own held at a chosen write or deletion
(``tests/apply/runner.py``).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import PARENT
from gitops_action.commands.apply import ApplyOptions
from gitops_action.core.retry import RetryPolicy
from gitops_action.errors import Unreachable
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.apply.stack import assert_converged, commit, live_members, objects, runner
from tests.cluster.controlplane import ControlPlane
from tests.site import Site
from tests.support import Delegating

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

FAST = RetryPolicy(attempts=3, base=0.1, cap=0.5, max_wait=2.0)
"""The faulted run gives up on a dead server in a second, not in the default three."""


class KillsServer(Delegating):
    """The real adapter; kills the API server at the ``after``+1-th call of ``verb``
    (``dry-run``, ``write``, ``delete``) of the target's objects. ``lost``: that call is
    carried out first, and its answer lost; else it is sent to the dead server."""

    def __init__(
        self, kube: Kube, control_plane: ControlPlane, verb: str, after: int, *, lost: bool
    ) -> None:
        super().__init__(kube)
        self.control_plane, self.verb, self.after, self.lost = control_plane, verb, after, lost
        self.calls = 0
        self.killed: str = ""
        self.mutex = threading.Lock()

    def _turn(self, verb: str, what: str) -> bool:
        """Whether this call is the one that kills (exactly one call is)."""
        with self.mutex:
            if verb != self.verb or self.killed:
                return False
            self.calls += 1
            if self.calls > self.after:
                self.killed = what
            return bool(self.killed)

    def _kill(self) -> None:
        self.control_plane.stop_apiserver(graceful=False)

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        def call() -> KubeObject:
            return self.kube.apply(obj, resource, dry_run=dry_run, force=force)  # type: ignore[no-any-return]

        what = f"{obj['kind']}/{obj['metadata']['name']}"
        if resource == PARENT or not self._turn("dry-run" if dry_run else "write", what):
            return call()
        return self._faulted(call)

    def delete(self, resource: ApiResource, namespace: str, name: str, **options: Any) -> bool:
        def call() -> bool:
            return bool(self.kube.delete(resource, namespace, name, **options))

        what = f"{resource.kind}/{name}"
        if resource.kind == "Lease" or options.get("dry_run") or not self._turn("delete", what):
            return call()
        return self._faulted(call)

    def _faulted(self, call: Any) -> Any:
        if not self.lost:
            self._kill()
            return call()
        call()
        self._kill()
        raise Unreachable("cannot reach the API server (connection reset by peer)")


def row_statuses(report: dict[str, Any]) -> dict[str, str]:
    [target] = report["targets"]
    return {f"{r['kind']}/{r['name']}": r["status"] for r in target["resources"]}


def assert_truthful(site: Site, statuses: dict[str, str], old: int, new: int) -> None:
    """Each status matches what the cluster holds (``unknown`` promises nothing)."""
    data = {
        version: {f"{o['kind']}/{o['metadata']['name']}": o.get("data") for o in objects(version)}
        for version in (old, new)
    }
    for key, status in statuses.items():
        kind, name = key.split("/")
        live = site.get(kind, name)
        have = (live or {}).get("data") if live else "absent"
        if status in ("applied", "unchanged"):
            assert live is not None and (have == data[new][key] or kind not in data), key
            if kind in ("ConfigMap", "Secret"):
                assert have == data[new][key], f"{key} is {status} but holds {have}"
        elif status == "not applied":
            assert have in ("absent", data[old].get(key, "absent")), f"{key}: {have}"
        elif status == "pruned":
            assert live is None or live["metadata"].get("deletionTimestamp"), key
        elif status == "kept":
            assert live is not None, key
        else:
            assert status == "unknown", f"{key}: {status}"


def applied_then_committed(site: Site) -> tuple[dict[str, Any] | None, str]:
    """v1 applied (its inventory parent), and v2 committed on top (its sha)."""
    commit(site, 1)
    assert site.apply().code == 0
    return site.inventory_parent(), commit(site, 2)


MATRIX = {
    # when: (verb, after, answer lost)
    "during the checks": ("dry-run", 10, False),
    "mid-write": ("write", 40, True),
    "right before the prune": ("delete", 0, False),
    "mid-prune": ("delete", 8, True),
}


@pytest.mark.parametrize("when", list(MATRIX))
def test_the_api_server_killed_leaves_a_true_report_the_last_good_record_and_a_rerun_converges(
    site: Site, control_plane: ControlPlane, when: str
) -> None:
    before, v2 = applied_then_committed(site)
    verb, after, lost = MATRIX[when]
    killer = KillsServer(
        Kube(control_plane.kubeconfig, retry=FAST), control_plane, verb, after, lost=lost
    )
    out = site.tmp / "faulted.json"

    try:
        code, text, _ = site.apply_with(killer, ApplyOptions(output_json=out))  # type: ignore[arg-type]
    finally:
        control_plane.start_apiserver()

    assert killer.killed, "the fault was never injected"
    assert code == 1
    report = json.loads(out.read_text())
    statuses = row_statuses(report)
    assert_truthful(site, statuses, 1, 2)
    assert site.inventory_parent() == before, "the record changed although the apply failed"
    counts = {s: list(statuses.values()).count(s) for s in set(statuses.values())}
    errors = report["targets"][0]["errors"]
    assert not any("rejected" in e for e in errors), errors
    if when == "during the checks":
        assert statuses == {}, "rows without an assessment"
        assert "== target app: ❌ failed, nothing written" in text
    else:
        assert len(statuses) == 140  # 120 desired objects, 20 that left Git
        # Carried out with its answer lost: unknown. Refused by a dead server: not done.
        assert statuses[killer.killed] == ("unknown" if lost else "kept")
    if when == "mid-write":
        assert site.get(*killer.killed.split("/"))["data"] == {"v": "2"}  # type: ignore[index]
        assert counts["applied"] + counts["unknown"] > after
        assert counts["not applied"] > 0
        assert counts["kept"] == 20
        assert (
            "target app: not pruned (the apply stopped before the prune): 20 members that left "
            "Git stay"
        ) in errors
    if when in ("right before the prune", "mid-prune"):
        assert counts["applied"] == 110  # 80 + 10 updated, 20 created
        assert sum(counts.get(s, 0) for s in ("pruned", "unknown", "kept")) == 20

    rerun = site.apply()

    assert rerun.code == 0, rerun.out + rerun.err
    assert_converged(site, 2, v2)


HOLDS = {"mid-write": "write:40", "mid-prune": "delete:1"}
"""Held once that many were answered; the 16 parallel calls under way then still finish, so a
prune of 20 is held after its first 16 at most."""


@pytest.mark.parametrize("when", list(HOLDS))
def test_the_tool_killed_leaves_the_last_good_record_and_a_rerun_converges(
    site: Site, tmp_path: Path, when: str
) -> None:
    before, v2 = applied_then_committed(site)
    signals = tmp_path / "signals"
    process = runner(site, site.repo.root, signals, "--hold", HOLDS[when], "--lease-seconds", "4")
    deadline = time.monotonic() + 90
    while not (signals / "held").exists():
        assert process.poll() is None, (signals / "run.out").read_text()
        assert time.monotonic() < deadline, "the run never reached its hold"
        time.sleep(0.05)

    process.kill()  # SIGKILL: no clean-up of any kind
    process.wait()

    assert site.inventory_parent() == before, "the record changed although the apply died"
    live = live_members(site)
    if when == "mid-write":  # killed half-way through the ConfigMaps and Secrets
        written = [k for k, o in live.items() if o.get("data") == {"v": "2"}]
        assert 40 <= len(written) < 100
    else:  # killed half-way through the prune
        assert 1 <= sum(f"ConfigMap/cm-{i:03}" not in live for i in range(80, 100)) < 20

    rerun = site.apply()

    assert rerun.code == 0, rerun.out + rerun.err
    assert "waiting up to 30 s for its Lease" in rerun.err, "the killed run's lease was not there"
    assert_converged(site, 2, v2)
