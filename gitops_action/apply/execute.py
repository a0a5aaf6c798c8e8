"""Apply, step two: carry out a prepared target, phase by phase.

The ApplySet parent is first written with the superset of kinds and namespaces (KEP-3659:
before any member), then the objects that change (created, updated, adopted) in ``order``
phases, each phase in parallel, forced only where the dry-run met and reported a conflict.
Objects whose Namespace or CRD this same apply creates are dry-run as soon as the first phase
is in (``settle``): if one fails, nothing past the first phase is written. Then health
(``rollout``), then the prune (only when everything else succeeded, health included: a failed
rollout keeps the objects that left Git, so that reverting the commit finds them where they
were), then the final record (members with fingerprints, the commit): written when every
object was applied, healthy or not, since the cluster then runs this commit; not when the
apply stopped half-way.

The run holds the target's lease (``lock``, taken by ``prepare``) throughout: before each
phase, the prune and the final record it checks that the lease is still its own, and stops
otherwise. The final record is a compare and swap after the stale-run guard's second look
(``record.write_final``). A write or deletion whose answer was lost is read back (``phase``,
``readback``); what cannot be read back is reported ``unknown``, never "not applied".

The writer's state lives in one object private to this module; callers get an ``Outcome``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..cluster import prune as pruning
from ..cluster import rows
from ..cluster.assess import judge
from ..cluster.writes import Written
from ..core.order import FIRST, apply_phases, phase_name
from ..errors import ClusterError
from ..models import KubeObject, ResourceDiff, ResourceKey
from ..ports import ApiResource
from . import phase, readback, record, rollout
from . import status as st
from .prepare import Prepared
from .settle import settle

APPLY_REJECTED = "the API server rejected the apply: {error}"


@dataclass(frozen=True)
class Outcome:
    """What the apply of one target did."""

    applied: tuple[ResourceKey, ...] = ()
    not_applied: tuple[ResourceKey, ...] = ()
    """Objects that were to change and were not written (rejected, or not reached)."""
    unknown: tuple[ResourceKey, ...] = ()
    """Writes and deletions sent whose answer was lost, and that could not be read back."""
    pruned: tuple[ResourceKey, ...] = ()
    rows: Mapping[ResourceKey, ResourceDiff] = field(default_factory=dict)
    """The assessment's rows, with what the writes, health and prune found."""
    errors: tuple[str, ...] = ()
    """What stopped the target, beyond its rows' own errors."""
    failed: bool = False
    """Something was rejected, unhealthy, or stopped the apply."""
    revertable: bool = False
    """Failed because of the commit's content (rejected, unhealthy), not the infrastructure."""
    recorded: bool = False
    """The final inventory (members, revision) was written."""
    healthy: tuple[ResourceKey, ...] = ()
    """Objects whose health was waited for, and that became healthy."""
    waited: float | None = None
    """Seconds spent waiting for health; ``None`` when it was not waited for."""
    status: Mapping[ResourceKey, str] = field(default_factory=dict)
    """What the run did to each row's object (``status``)."""


def execute(prepared: Prepared) -> Outcome:
    """Write ``prepared`` (which must not have failed its checks)."""
    if prepared.failed or prepared.assessment is None:
        raise ValueError("execute needs a target that passed its checks")
    run = _Run(prepared)
    try:
        run.go()
    except ClusterError as err:  # unreachable while settling or waiting: stop where it is
        run.fail(f"target {run.target.name}: {err}", revertable=False)
    return run.outcome()


class _Run:
    def __init__(self, prepared: Prepared) -> None:
        assert prepared.assessment is not None
        self.p, self.a = prepared, prepared.assessment
        self.cluster, self.target = prepared.cluster, prepared.target
        self.rows: dict[ResourceKey, ResourceDiff] = dict(self.a.rows)
        self.answers: dict[ResourceKey, Written] = dict(self.a.answers)
        self.resources: dict[ResourceKey, ApiResource] = dict(self.a.resources)
        self.written: dict[ResourceKey, KubeObject] = {}
        self.applied: list[ResourceKey] = []
        self.pending: list[ResourceKey] = []
        self.unknown: list[ResourceKey] = []
        self.pruned: list[ResourceKey] = []
        self.pruning: bool = False
        """The prune was started (else its deletions are kept: say why)."""
        self.healthy: list[ResourceKey] = []
        self.waited: float | None = None
        self.errors: list[str] = []
        self.revertable = False
        self.failed_rows = False
        self.parent = self.a.parent
        self.prune = self.a.prune
        self.recorded = False
        self.waiting = bool(self.a.deferred)
        self.lock = prepared.lock

    def fail(self, message: str, *, revertable: bool) -> None:
        self.errors.append(message)
        self.revertable |= revertable

    def go(self) -> None:
        phases = apply_phases(self.a.changes)
        self.pending = [k for _, keys in phases for k in keys]
        own_namespace = self.a.inventory.namespace in self.a.creating
        if not own_namespace and not self._record(record.superset(self.a)):
            return
        for index, keys in phases:
            if index > FIRST and self.waiting and not self._settle():
                return
            rest = keys
            if index == FIRST and own_namespace:
                # The parent cannot exist before its Namespace; it still precedes every other
                # member (the Namespace is written first, alone).
                ns = [
                    k
                    for k in keys
                    if k.kind == "Namespace" and k.name == self.a.inventory.namespace
                ]
                if not (
                    self._write(index, ns)
                    and self._take_lease()
                    and self._record(record.superset(self.a))
                ):
                    return
                rest = [k for k in keys if k not in ns]
            if not self._write(index, rest):
                return
        if self.waiting and not self._settle():
            return
        self._finish()

    def _exclusive(self) -> bool:
        """Still the one writer of this target (the lease is ours and fresh)?"""
        error = self.lock.check() if self.lock is not None else ""
        if error:
            self.fail(error, revertable=False)
        return not error

    def _take_lease(self) -> bool:
        """The inventory's Namespace exists now: take the lease before the parent."""
        if self.lock is None or self.lock.held:
            return True
        error = self.lock.take(self.p.timeout)
        if not error and self.lock.missing_namespace:
            error = f"target {self.target.name}: its lease's namespace is still missing"
        if error:
            self.fail(error, revertable=False)
        return not error

    def _record(self, desired: KubeObject, *, final: bool = False) -> bool:
        if not self._exclusive():
            return False
        try:
            if final:
                self.parent = record.write_final(
                    self.cluster, self.target, desired, self.parent, self.p.settings.revision,
                    self.p.history, force=self.p.settings.force,
                )  # fmt: skip
            else:
                self.parent = record.write(self.cluster, self.target, desired, self.parent)
        except ClusterError as err:
            self.fail(str(err), revertable=False)
            return False
        return True

    def _settle(self) -> bool:
        """After Namespaces and CRDs: dry-run what had to wait for them, all or nothing."""
        self.waiting = False
        resources, error = settle(self.cluster, self.a, self.p.timeout)
        if error:
            self.fail(error, revertable=True)
            return False
        self.resources.update(resources)
        checked = judge(
            self.cluster, self.target, self.a.inventory, self.a.placement, {},
            sorted(self.a.deferred), resources=resources,
        )  # fmt: skip
        for key, (answer, row) in checked.items():
            earlier = self.rows.get(key)  # keeps its note on why it waited
            self.rows[key] = dataclasses.replace(row, notes=earlier.notes) if earlier else row
            if isinstance(answer, Written):
                self.answers[key] = answer
            else:
                self.revertable = self.failed_rows = True
        return not (self.errors or self.failed_rows)

    def _write(self, index: int, keys: Sequence[ResourceKey]) -> bool:
        if not self._exclusive():
            return False
        done = phase.write(self.cluster, self.target, self.a, keys, self.resources, self.answers)
        for key, answer in done.written.items():
            self.written[key] = answer.obj
            self.applied.append(key)
            self.pending.remove(key)
            if answer.warnings:  # a conflict that arose after the dry-run, forced
                row = self.rows[key]
                self.rows[key] = dataclasses.replace(
                    row, warnings=(*row.warnings, *answer.warnings)
                )
        for key, error in done.rejected.items():
            self._row_failed(key, APPLY_REJECTED.format(error=error))
        for key in done.unknown:
            self.unknown.append(key)
            self.pending.remove(key)
        if done.lost is not None:
            unknown = f"; {len(done.unknown)} written or not: unknown" if done.unknown else ""
            self.fail(
                f"target {self.target.name}: stopped in phase '{phase_name(index)}': "
                f"{done.lost}{unknown}",
                revertable=False,
            )
        return not (self.errors or self.failed_rows)

    def _row_failed(self, key: ResourceKey, error: str) -> None:
        """An object the server rejected or that never became healthy: the commit's fault."""
        self.rows[key] = dataclasses.replace(self.rows[key], error=error)
        self.revertable = self.failed_rows = True

    def _finish(self) -> None:
        settings = self.p.settings
        wait = self.target.wait if settings.wait is None else settings.wait
        try:
            healthy = self._wait_healthy() if wait else True
            if healthy:
                self._prune()
            else:
                self._not_pruned("the apply failed its health checks")
        except ClusterError as err:  # unreachable while waiting
            self.fail(f"target {self.target.name}: {err}", revertable=False)
        final = record.final(self.a, settings.revision, self.written, self.answers, self.prune)
        self.recorded = self._record(final, final=True)

    def _not_pruned(self, reason: str) -> None:
        """The prune did not run: its deletions stay, and the target says so, once."""
        left = set(self.prune.delete)
        if left:
            many = len(left) > 1
            self.errors.append(
                f"target {self.target.name}: not pruned ({reason}): {len(left)} "
                f"{'members' if many else 'member'} that left Git {'stay' if many else 'stays'}"
            )
            self.prune = pruning.keep(self.prune, left, f"not pruned: {reason}")

    def _wait_healthy(self) -> bool:
        objects = {**self.a.live, **self.written}
        started = time.monotonic()
        healthy, unhealthy = rollout.wait(self.cluster, self.resources, objects, self.p.timeout)
        self.waited = time.monotonic() - started
        for key, why in unhealthy.items():
            self._row_failed(key, why)
        self.healthy = healthy
        return not unhealthy

    def _prune(self) -> None:
        if not self._exclusive():
            return
        self.pruning = True  # from here on, what is not deleted is kept for its own reason
        done = pruning.execute(self.cluster, self.prune)
        self.pruned = list(done.deleted)
        for key, error in done.failures.items():
            self.fail(f"{key}: pruning it failed: {error}", revertable=False)
        if done.unreachable is not None:
            sent = {k: self.prune.delete[k][0] for k in done.unknown}
            found = readback.deletions(self.cluster, sent)
            self.pruned.extend(found.done)
            self.unknown.extend(found.unknown)
            unknown = f"; {len(found.unknown)} deleted or not: unknown" if found.unknown else ""
            self.fail(
                f"target {self.target.name}: the prune stopped: {done.unreachable}{unknown}",
                revertable=False,
            )
        left = set(self.prune.delete) - set(self.pruned) - set(self.unknown)
        if left:
            self.prune = pruning.keep(self.prune, left, "its deletion failed or was not reached")

    def outcome(self) -> Outcome:
        if not self.pruning:
            self._not_pruned("the apply stopped before the prune")
        out = dict(self.rows)
        status = {k: self._status(k) for k in out}
        for key, (_, obj) in self.prune.delete.items():
            out[key] = rows.deleted(key, obj, done=key in self.pruned)
            status[key] = st.PRUNED if key in self.pruned else st.UNKNOWN
        for key, (obj, reason) in self.prune.kept.items():
            out[key] = rows.kept(key, obj, reason)
            status[key] = st.KEPT
        return Outcome(
            applied=tuple(self.applied), not_applied=tuple(self.pending),
            unknown=tuple(self.unknown), pruned=tuple(self.pruned), rows=out,
            errors=tuple(self.errors), revertable=self.revertable, recorded=self.recorded,
            healthy=tuple(self.healthy), waited=self.waited, failed=self.failed, status=status,
        )  # fmt: skip

    def _status(self, key: ResourceKey) -> str:
        if key in self.written:
            return st.APPLIED
        if key in self.unknown:
            return st.UNKNOWN
        return st.NOT_APPLIED if key in self.pending else st.UNCHANGED

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.failed_rows
