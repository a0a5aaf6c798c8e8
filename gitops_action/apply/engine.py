"""Apply engine, one target: check everything, then write phase by phase.

``prepare`` writes nothing: it reads the inventory, runs the stale-run guard, places the
objects, LISTs the live ones, dry-runs every object that can be checked now (skipping those
the inventory proves unchanged), plans the prune and dry-runs its deletions. ``execute`` then
updates the ApplySet parent with the superset of kinds and namespaces (KEP-3659: before any
member), applies the changed objects in ``order`` phases (an object whose dry-run equals live
is not written), and hands over to ``finish`` (health, prune, the final record).

Objects whose Namespace or CRD this same apply creates are dry-run as soon as the first phase
is in (``settle``): if one fails, nothing past the first phase is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..cluster.inventory import PARENT, PART_OF, Inventory, from_parent, label_member, parent_name
from ..cluster.objects import fetch_live, parallel, place
from ..cluster.writes import Written, apply_one
from ..config import Target
from ..core.order import FIRST, apply_phases, phase_name
from ..errors import ApiError, ClusterError
from ..models import KubeObject, Manifest, ResourceDiff, ResourceKey
from ..ports import Cluster, Repository
from . import finish, monotonic, record
from . import prune as pruning
from .settle import Settler, rows_for


@dataclass(frozen=True)
class Settings:
    revision: str
    dry_run: bool = False
    prune: bool | None = None
    """``None``: the target's ``prune``."""
    wait: bool | None = None
    timeout: int | None = None
    force: bool = False


@dataclass
class Progress:
    """What happened, for the report: applied, not applied, why it stopped."""

    applied: list[ResourceKey] = field(default_factory=list)
    not_applied: list[ResourceKey] = field(default_factory=list)
    pruned: list[ResourceKey] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    revertable: bool = False
    """The commit's content failed (rejected, unhealthy), not the infrastructure or a guard."""
    recorded: bool = False
    """The final inventory (members, revision) was written."""


class TargetApply:
    def __init__(
        self,
        cluster: Cluster,
        target: Target,
        manifests: Sequence[Manifest],
        settings: Settings,
        history: Repository,
    ) -> None:
        self.cluster, self.target, self.settings = cluster, target, settings
        self.rendered, self.history = tuple(manifests), history
        self.progress = Progress()
        self.rows: dict[ResourceKey, ResourceDiff] = {}
        self.answers: dict[ResourceKey, Written] = {}
        self.written: dict[ResourceKey, KubeObject] = {}
        self.prune = pruning.PrunePlan()
        self.executed = False

    @property
    def failed(self) -> bool:
        return bool(self.progress.errors)

    @property
    def checks_failed(self) -> bool:
        """Failed before writing anything (``prepare``'s checks)."""
        return self.failed and not self.executed

    @property
    def timeout(self) -> int:
        return self.settings.timeout or self.target.wait_timeout

    def fail(self, message: str, *, revertable: bool) -> None:
        self.progress.errors.append(message)
        self.progress.revertable |= revertable

    # -- checks: nothing is written ---------------------------------------------------------

    def prepare(self) -> None:
        cluster, target = self.cluster, self.target
        namespace = target.namespace or cluster.default_namespace
        self.parent_live = cluster.get(PARENT, namespace, parent_name(target.name))
        self.old = (
            from_parent(target.name, self.parent_live)
            if self.parent_live is not None
            else Inventory(target.name, namespace)
        )
        self.progress.notices += monotonic.check(
            self.history, target.name, self.old.revision, self.settings.revision,
            force=self.settings.force,
        )  # fmt: skip
        placed = place(cluster, target, self.rendered)
        self.settler = Settler(cluster, target, self.old.id, self.rendered, placed)
        self.manifests, self.resources = self.settler.manifests, dict(placed.resources)
        self.live = fetch_live(cluster, self.resources)
        self.settler.defer_created_namespaces(self.live)
        for key in self.settler.unserved:
            self.fail(self.settler.unserved_error(key), revertable=True)
        for key, obj in self.live.items():
            owner = ((obj.get("metadata") or {}).get("labels") or {}).get(PART_OF)
            if owner and owner != self.old.id:
                self.fail(
                    f"{self.manifests[key].describe()}: belongs to another ApplySet ({owner}), "
                    "so another target or tool applies it: define each object in one target",
                    revertable=True,
                )
        skip = self.settler.deferred | {
            k
            for k in self.resources
            if self.old.unchanged(k, self.manifests[k].obj, self.live.get(k))
        }
        for key in sorted(skip - self.settler.deferred):
            manifest = self.manifests[key]
            self.rows[key] = ResourceDiff(
                key, manifest.api_version, "unchanged", source=manifest.source
            )
        self.dry_run(sorted(self.resources.keys() - skip))
        self.rows.update(self.settler.deferred_rows())
        record.check(self)
        self._plan_prune()

    def dry_run(self, keys: Sequence[ResourceKey]) -> None:
        def check(key: ResourceKey) -> Written | ApiError:
            obj = label_member(self.manifests[key].obj, self.old.id)
            try:
                return apply_one(self.cluster, self.target, obj, self.resources[key], dry_run=True)
            except ApiError as err:
                return err

        for key, answer in zip(keys, parallel(check, keys), strict=True):
            manifest, live = self.manifests[key], self.live.get(key)
            if isinstance(answer, ApiError):
                self.fail(f"{manifest.describe()}: dry-run rejected: {answer}", revertable=True)
            else:
                self.answers[key] = answer
            row = rows_for(self.target, key, manifest, live, answer, self.old.id)
            earlier = self.rows.get(key)  # a deferred object keeps its note on why it waited
            self.rows[key] = dataclasses.replace(row, notes=earlier.notes) if earlier else row

    def _plan_prune(self) -> None:
        enabled = self.target.prune if self.settings.prune is None else self.settings.prune
        off = "--no-prune" if self.settings.prune is False else "prune is off for this target"
        members = pruning.live_members(self.cluster, self.old, self.parent_live)
        self.prune = pruning.plan_prune(
            self.target, members, self.manifests.keys(),
            enabled=enabled, off_reason=off, force=self.settings.force,
        )  # fmt: skip
        if self.prune.refusal:
            self.fail(self.prune.refusal, revertable=False)
            self.prune = pruning.keep(self.prune, set(self.prune.delete), "pruning was refused")
            return
        for key, error in pruning.check_deletions(self.cluster, self.prune).items():
            self.fail(f"{key}: the dry-run of its deletion was rejected: {error}", revertable=False)

    # -- writes -----------------------------------------------------------------------------

    def execute(self) -> None:
        """Write phase by phase and stop at the first that fails; then ``finish``."""
        self.executed = True
        changes = [k for k, r in self.rows.items() if r.action in ("create", "update")]
        phases = apply_phases(changes)
        self.progress.not_applied = [k for _, keys in phases for k in keys]
        creating_parent_ns = self.old.namespace in self.settler.creating
        if not creating_parent_ns and not record.write(self, written_last=False):
            return
        for index, keys in phases:
            if index > FIRST and self.settler.pending and not self._settle():
                return
            rest = keys
            if index == FIRST and creating_parent_ns:
                # The parent cannot exist before its Namespace; it still precedes every other
                # member (the Namespace is written first, alone).
                ns = [k for k in keys if k.kind == "Namespace" and k.name == self.old.namespace]
                if not self._write_phase(index, ns) or not record.write(self, written_last=False):
                    return
                rest = [k for k in keys if k not in ns]
            if not self._write_phase(index, rest):
                return
        if self.settler.pending and not self._settle():
            return
        finish.finish(self)

    def _settle(self) -> bool:
        """After Namespaces and CRDs: dry-run what had to wait for them, all or nothing."""
        self.settler.pending = False
        error = self.settler.settle(self.timeout)
        if error:
            self.fail(error, revertable=True)
            return False
        self.resources.update(self.settler.resources)
        self.dry_run(sorted(self.settler.resources))
        return not self.failed

    def _write_phase(self, index: int, keys: Sequence[ResourceKey]) -> bool:
        def write(key: ResourceKey) -> Written | ClusterError:
            obj = label_member(self.manifests[key].obj, self.old.id)
            answer = self.answers.get(key)
            try:  # forced only where the dry-run met (and reported) a conflict
                return apply_one(
                    self.cluster, self.target, obj, self.resources[key],
                    dry_run=False, force=bool(answer and answer.warnings),
                )  # fmt: skip
            except ClusterError as err:
                return err

        lost = ""
        for key, result in zip(keys, parallel(write, keys), strict=True):
            if isinstance(result, ApiError):
                row = self.rows[key]
                self.rows[key] = dataclasses.replace(row, error=f"apply rejected: {result}")
                described = self.manifests[key].describe()
                self.fail(f"{described}: apply rejected: {result}", revertable=True)
            elif isinstance(result, ClusterError):
                lost = str(result)
            else:
                self.written[key] = result.obj
                self.progress.applied.append(key)
                if result.warnings:  # a conflict that arose after the dry-run, forced
                    row = self.rows[key]
                    self.rows[key] = dataclasses.replace(
                        row, warnings=(*row.warnings, *result.warnings)
                    )
                self.progress.not_applied.remove(key)
        if lost:
            self.fail(
                f"target {self.target.name}: stopped in phase '{phase_name(index)}': {lost}",
                revertable=False,
            )
        return not self.failed
