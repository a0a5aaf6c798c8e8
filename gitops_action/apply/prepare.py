"""Apply, step one: check one target and write nothing.

``prepare`` reads the inventory, runs the stale-run guard (``monotonic``), then the target's
assessment (``cluster.assess``: placement, live objects, inventory proof, dry-runs, rows, the
prune plan and its refusals) and checks that the inventory can be written. Every refusal
becomes data (a ``Problem`` or a row's error), never an exception, so that the report, the job
summary and the step outputs are written whatever stopped the apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..cluster import inventory as inventories
from ..cluster.assess import Assessment, Problem, assess
from ..config import Target
from ..errors import ClusterError
from ..models import Manifest
from ..ports import Cluster, Repository
from . import monotonic, record


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
    """Refusals beyond the assessment's own: the stale-run guard, the inventory."""
    notices: tuple[str, ...] = ()

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
        return Prepared(
            self.target, self.cluster, self.settings, self.assessment,
            (*self.problems, problem), self.notices,
        )  # fmt: skip


def prepare(
    cluster: Cluster,
    target: Target,
    manifests: Sequence[Manifest],
    settings: Settings,
    repo: Repository,
) -> Prepared:
    """Check everything for one target; write nothing."""
    namespace = target.namespace or cluster.default_namespace
    try:
        recorded = inventories.read(cluster, target.name, namespace)
    except ClusterError as err:
        return Prepared(target, cluster, settings, None, (Problem(f"target {target.name}: {err}"),))
    try:
        notices = monotonic.check(
            repo, target.name, recorded.inventory.revision, settings.revision,
            force=settings.force,
        )  # fmt: skip
    except monotonic.StaleRevision as err:
        return Prepared(target, cluster, settings, None, (Problem(str(err)),))
    try:
        assessment = assess(
            cluster, target, manifests,
            prune=settings.prune, force=settings.force, recorded=recorded,
        )  # fmt: skip
        problems = record.check(cluster, target, assessment)
    except ClusterError as err:  # unreachable, or a LIST/GET refused (RBAC)
        problem = Problem(f"target {target.name}: {err}")
        return Prepared(target, cluster, settings, None, (problem,), tuple(notices))
    return Prepared(target, cluster, settings, assessment, tuple(problems), tuple(notices))
