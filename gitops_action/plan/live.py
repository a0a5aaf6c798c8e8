"""The live plan: what applying head would change in the cluster, object by object.

Never Git's YAML against the live object: the assessment (``cluster.assess``, the same that
apply carries out) compares each live object with the server-side-apply dry-run of the desired
one, both produced by the API server and normalized, so defaulting, canonical quantities and
list order cancel out, and fields that other managers own stay equal on both sides. The plan
shows what apply will do, its refusals included.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..cluster.assess import Assessment, Problem, assess, shared_objects
from ..config import Target
from ..models import Manifest, TargetReport
from ..ports import Cluster


def live_plan(
    cluster: Cluster, target: Target, head: Sequence[Manifest], base: Sequence[Manifest]
) -> TargetReport:
    """The plan of ``head`` against the cluster; ``base`` tells what the pull request touches
    and which objects left Git."""
    return report(assess(cluster, target, head, base=base))


def live_plans(
    targets: Sequence[tuple[Cluster, Target, Sequence[Manifest], Sequence[Manifest]]],
) -> list[TargetReport]:
    """Each target (its cluster, head and base) assessed as apply will assess it, refusals
    included: an object that two targets on one cluster define, too."""
    assessments = [assess(c, t, head, base=base) for c, t, head, base in targets]
    shared = shared_objects(assessments)
    return [report(a, shared.get(a.target.name, ())) for a in assessments]


def report(assessment: Assessment, problems: Sequence[Problem] = ()) -> TargetReport:
    """The plan rows of an assessment, with its refusals (and ``problems`` found across
    targets) as the target's errors."""
    errors = tuple(p.message for p in (*assessment.problems, *problems))
    return TargetReport(assessment.target.name, tuple(assessment.report_rows()), errors)
