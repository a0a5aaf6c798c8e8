"""Apply, step one: check one target and write nothing.

``prepare`` takes the target's lease (``lock``: an apply waits here while another one writes
the target), reads the inventory, runs the stale-run guard (``monotonic``), then the target's
assessment (``cluster.assess``: placement, live objects, inventory proof, dry-runs, rows, the
prune plan and its refusals) and checks that the inventory can be written. Every refusal
becomes data (a ``Problem`` or a row's error), never an exception, so that the report, the job
summary and the step outputs are written whatever stopped the apply.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from ..cluster import inventory as inventories
from ..cluster.assess import Assessment, Problem, assess
from ..config import Target
from ..errors import ClusterError
from ..models import Manifest
from ..ports import Cluster, Repository
from . import monotonic, record
from .lock import Lock


@dataclass(frozen=True)
class Settings:
    revision: str
    dry_run: bool = False
    prune: bool | None = None
    """``None``: the target's ``prune``."""
    wait: bool | None = None
    timeout: int | None = None
    force: bool = False


@dataclass(frozen=True)
class Prepared:
    """One target checked: what ``execute`` will do, or why it must not."""

    target: Target
    cluster: Cluster
    settings: Settings
    assessment: Assessment | None
    """``None`` when it could not be made: the cluster unreachable, or a stale commit."""
    problems: tuple[Problem, ...] = ()
    """Refusals beyond the assessment's own: the lease, the stale-run guard, the inventory."""
    notices: tuple[str, ...] = ()
    lock: Lock | None = None
    """The target's lease, held from here to the end of the apply (``None``: a dry run)."""
    history: Repository | None = None
    """The commits, for the stale-run guard's second look right before the final record."""

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        found = self.assessment.problems if self.assessment else ()
        return (*self.problems, *found)

    @property
    def failed(self) -> bool:
        """Apply must not write to this target."""
        blocked = self.assessment is not None and self.assessment.blocked
        return bool(self.problems) or blocked or self.assessment is None

    @property
    def revertable(self) -> bool:
        """Failed because of the commit's content (a revert fixes it)."""
        rows = self.assessment.rows.values() if self.assessment else ()
        return any(p.content for p in self.all_problems) or any(r.error for r in rows)

    @property
    def timeout(self) -> int:
        return self.settings.timeout or self.target.wait_timeout

    def refused(self, problem: Problem) -> Prepared:
        """The same, with one more refusal (found across targets)."""
        return dataclasses.replace(self, problems=(*self.problems, problem))


def prepare(
    cluster: Cluster,
    target: Target,
    manifests: Sequence[Manifest],
    settings: Settings,
    repo: Repository,
    lock: Lock | None = None,
) -> Prepared:
    """Check everything for one target; write nothing but the lease (``lock``, when given)."""
    namespace = target.namespace or cluster.default_namespace
    checked = Prepared(target, cluster, settings, None, lock=lock, history=repo)
    refusal = lock.take(checked.timeout) if lock is not None else ""
    if refusal:
        return checked.refused(Problem(refusal))
    try:
        recorded = inventories.read(cluster, target.name, namespace)
    except ClusterError as err:
        return checked.refused(Problem(f"target {target.name}: {err}"))
    try:
        notices = monotonic.check(
            repo, target.name, recorded.inventory.revision, settings.revision,
            force=settings.force,
        )  # fmt: skip
    except monotonic.StaleRevision as err:
        return checked.refused(Problem(str(err)))
    checked = dataclasses.replace(checked, notices=tuple(notices))
    try:
        assessment = assess(
            cluster, target, manifests,
            prune=settings.prune, force=settings.force, recorded=recorded,
        )  # fmt: skip
        problems = record.check(cluster, target, assessment)
    except ClusterError as err:  # unreachable, or a LIST/GET refused (RBAC)
        return checked.refused(Problem(f"target {target.name}: {err}"))
    return dataclasses.replace(checked, assessment=assessment, problems=tuple(problems))
