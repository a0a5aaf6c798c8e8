"""The assessment of one target: what applying its desired objects would do, object by object.

One copy for every flow. ``plan`` reports it, ``apply`` checks it and then carries it out,
``verify`` runs its dry-run step on the objects it suspects. Writes nothing:

1. read the inventory (the ApplySet parent) and place the desired objects (``placement``);
2. read the live objects and the ApplySet's members, one LIST per kind and namespace;
3. prove objects unchanged from the inventory's fingerprints (no dry-run for them);
4. dry-run the rest exactly as apply writes them (member label, conflicts per the target);
5. build one row per object (``rows``): create, update, unchanged, adopted, rejected, or
   waiting for a Namespace or CRD that the same apply creates;
6. plan the prune (``prune``) with its refusals, and dry-run its deletions.

With the base branch's render (``plan``), it also says which objects the pull request touches:
an update of an object it does not touch is drift, and a touched object that the cluster holds
differently from the base is a change made outside Git that merging overwrites.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from ..config import Target
from ..core.normalize import normalize
from ..core.order import listed
from ..errors import ApiError
from ..models import KubeObject, Manifest, ResourceDiff, ResourceKey
from ..ports import ApiResource, Cluster
from . import inventory as inventories
from . import prune as pruning
from . import rows
from .inventory import PART_OF, Inventory, Recorded, label_member, member_scopes
from .objects import parallel, read
from .placement import Placement, place
from .writes import Written, apply_one

NAMESPACE = ("", "Namespace")


@dataclass(frozen=True)
class Problem:
    """Something that stops the apply of a target, beyond one object's row."""

    message: str
    content: bool = False
    """Caused by the commit's content (a revert fixes it), not by a guard or the cluster."""


@dataclass(frozen=True)
class Assessment:
    target: Target
    inventory: Inventory
    """The recorded inventory, or a new empty one (same id, same namespace)."""
    parent: KubeObject | None
    """The live ApplySet parent; ``None`` before the first apply."""
    placement: Placement
    live: Mapping[ResourceKey, KubeObject]
    answers: Mapping[ResourceKey, Written]
    """The server's dry-run of each object it accepted."""
    rows: Mapping[ResourceKey, ResourceDiff]
    """One per desired object, and one per object that left Git."""
    deferred: frozenset[ResourceKey]
    """Waiting for a Namespace or CRD the same apply creates: dry-run once that exists."""
    creating: frozenset[str]
    """Namespaces the same apply creates."""
    prune: pruning.PrunePlan = field(default_factory=pruning.PrunePlan)
    problems: tuple[Problem, ...] = ()

    @property
    def manifests(self) -> Mapping[ResourceKey, Manifest]:
        return self.placement.manifests

    @property
    def resources(self) -> Mapping[ResourceKey, ApiResource]:
        return self.placement.resources

    @property
    def blocked(self) -> bool:
        """Apply would refuse this target: an object or the target has an error."""
        return bool(self.problems) or any(r.error for r in self.rows.values())

    @property
    def changes(self) -> list[ResourceKey]:
        """What apply writes: creations, updates and adoptions (labels only)."""
        return [k for k, r in self.rows.items() if k in self.manifests and _writes(r)]

    def report_rows(self) -> list[ResourceDiff]:
        return listed(self.rows.values())


def _writes(row: ResourceDiff) -> bool:
    return row.action in ("create", "update") or row.adopt


def assess(
    cluster: Cluster,
    target: Target,
    rendered: Sequence[Manifest],
    *,
    base: Sequence[Manifest] | None = None,
    prune: bool | None = None,
    force: bool = False,
    recorded: Recorded | None = None,
) -> Assessment:
    """The target's assessment. ``base``: the base branch's render (plan); ``prune``:
    ``--prune/--no-prune`` (``None``: the target's); ``force``: prune past the refusals;
    ``recorded``: the inventory if the caller read it already."""
    namespace = target.namespace or cluster.default_namespace
    recorded = recorded or inventories.read(cluster, target.name, namespace)
    parent, inventory = recorded.parent, recorded.inventory
    placement = place(cluster, rendered, namespace)
    previous = place(cluster, base, namespace) if base is not None else None
    gone = {k: r for k, r in (previous.resources if previous else {}).items()}
    gone = {k: r for k, r in gone.items() if k not in placement.manifests}
    found = read(
        cluster,
        {**placement.resources, **gone},
        member_scopes(cluster, inventory, parent),
        (PART_OF, inventory.id),
    )
    live = found.objects
    creating = frozenset(
        k.name for k in placement.manifests if (k.group, k.kind) == NAMESPACE and k not in live
    )
    deferred = placement.custom | {k for k in placement.manifests if k.namespace in creating}
    out: dict[ResourceKey, ResourceDiff] = {}
    for key, manifest in placement.unserved.items():
        out[key] = rows.unserved(key, manifest)
    for key in sorted(deferred):
        manifest = placement.manifests[key]
        shown = label_member(manifest.obj, inventory.id)
        out[key] = rows.waiting(key, manifest, shown, for_crd=key in placement.custom)
    for key, obj in live.items():
        owner = ((obj.get("metadata") or {}).get("labels") or {}).get(PART_OF)
        if key in placement.manifests and owner and owner != inventory.id:
            error = rows.OTHER_APPLYSET.format(owner=owner)
            out[key] = rows.failed(key, placement.manifests[key], obj, error)
    for key in placement.resources:
        manifest = placement.manifests[key]
        if key not in out and inventory.unchanged(key, manifest.obj, live.get(key)):
            out[key] = rows.unchanged(key, manifest)
    todo = sorted(k for k in placement.resources if k not in out)
    checked = judge(cluster, target, inventory, placement, live, todo, previous)
    answers = {k: a for k, (a, _) in checked.items() if isinstance(a, Written)}
    out.update({k: row for k, (_, row) in checked.items()})

    problems: list[Problem] = []
    enabled = target.prune if prune is None else prune
    off = "--no-prune" if prune is False else "prune is off for this target"
    plan = pruning.plan_prune(
        target, found.members, placement.manifests.keys(),
        enabled=enabled, off_reason=off, force=force,
    )  # fmt: skip
    if plan.refusal:
        problems.append(Problem(plan.refusal))
        plan = pruning.keep(plan, set(plan.delete), "pruning was refused")
    for key, error in pruning.check_deletions(cluster, plan).items():
        problems.append(Problem(f"{key}: the dry-run of its deletion was rejected: {error}"))
    for key, (_, obj) in plan.delete.items():
        out[key] = rows.deleted(key, obj)
    for key, (obj, reason) in plan.kept.items():
        out[key] = rows.kept(key, obj, reason)
    for key in gone:
        if key in live and key not in out:
            out[key] = rows.not_ours(key, live[key])
    return Assessment(
        target=target, inventory=inventory, parent=parent, placement=placement, live=live,
        answers=answers, rows=out, deferred=frozenset(deferred), creating=creating,
        prune=plan, problems=tuple(problems),
    )  # fmt: skip


def judge(
    cluster: Cluster,
    target: Target,
    inventory: Inventory,
    placement: Placement,
    live: Mapping[ResourceKey, KubeObject],
    keys: Collection[ResourceKey],
    previous: Placement | None = None,
    resources: Mapping[ResourceKey, ApiResource] | None = None,
) -> dict[ResourceKey, tuple[Written | ApiError, ResourceDiff]]:
    """Dry-run ``keys`` as apply writes them and build their rows. ``previous``: the base
    branch's placement, to tell drift and overwritten changes apart from the pull request's
    own; ``resources``: served kinds for objects ``placement`` had none for (custom
    resources of a CRD that now exists)."""
    served = {**placement.resources, **(resources or {})}
    ordered = sorted(keys)
    member_id = inventory.id

    def check(key: ResourceKey, manifest: Manifest) -> Written | ApiError:
        try:
            obj = label_member(manifest.obj, member_id)
            return apply_one(cluster, target, obj, served[key], dry_run=True)
        except ApiError as err:
            return err

    answers = parallel(lambda k: check(k, placement.manifests[k]), ordered)
    base = previous.manifests if previous is not None else {}
    # Objects the pull request changes: is the cluster still what the base branch says? Not
    # a question where the inventory proves the base is exactly what was applied, unchanged.
    touched = {
        k for k in ordered
        if k in live and k in base
        and normalize(base[k].obj) != normalize(placement.manifests[k].obj)
    }  # fmt: skip
    doubtful = sorted(k for k in touched if not inventory.unchanged(k, base[k].obj, live[k]))
    from_base = dict(zip(doubtful, parallel(lambda k: check(k, base[k]), doubtful), strict=True))

    out: dict[ResourceKey, tuple[Written | ApiError, ResourceDiff]] = {}
    for key, answer in zip(ordered, answers, strict=True):
        manifest, current = placement.manifests[key], live.get(key)
        if isinstance(answer, ApiError):
            row = rows.rejected(key, manifest, answer, current, base.get(key))
        elif current is None:
            shown = label_member(manifest.obj, member_id)
            row = rows.as_rendered(key, manifest, answer.warnings, shown=shown)
        else:
            warnings = list(answer.warnings)
            base_answer = from_base.get(key)
            if isinstance(base_answer, Written):
                clean = rows.cleaner(target, key, current, base_answer.obj)
                if clean(base_answer.obj) != clean(current):
                    warnings.append(rows.OVERWRITES)
            row = rows.updated(target, key, manifest, current, answer.obj, warnings, member_id)
            if row.action == "update" and key in base and key not in touched:
                row = dataclasses.replace(rows.with_note(row, rows.DRIFT_NOTE), drift=True)
        out[key] = (answer, row)
    return out


def shared_objects(
    assessments: Sequence[Assessment],
) -> dict[str, list[Problem]]:
    """An object in two targets on one cluster (kubeconfig context) would flip between their
    ApplySets on every apply: a problem for the second target that defines it. Targets on
    other contexts are other clusters (as ``validate`` keys it)."""
    owner: dict[tuple[str | None, ResourceKey], str] = {}
    found: dict[str, list[Problem]] = {}
    for assessment in assessments:
        name = assessment.target.name
        for key, manifest in assessment.manifests.items():
            first = owner.setdefault((assessment.target.context, key), name)
            if first != name:
                found.setdefault(name, []).append(
                    Problem(
                        f"{manifest.describe()}: also defined by target {first} on the same "
                        "cluster: an object belongs to one target; remove it from one of them",
                        content=True,
                    )
                )
    return found
