"""Plans for the report tests, made the way the plan makes them: two normalized objects per
row through ``diff.compare``, then ``review``."""

from __future__ import annotations

import base64
from typing import Any

from gitops_action.core.diff import compare
from gitops_action.core.normalize import normalize
from gitops_action.core.review import review
from gitops_action.models import KubeObject, ResourceDiff, ResourceKey, TargetReport
from gitops_action.report.markdown import PlanContext
from tests.core.objects import allow, container, deployment, ingress, obj, pdb, role, service

CTX = PlanContext(
    baseline="the base ref `origin/main` (`0123456789ab`)",
    revision="89abcdef01234567",
    base_revision="0123456789abcdef",
    run_url="https://github.example/octo/shop/actions/runs/42",
)
OVERWRITES = "live differs from the base branch: merging overwrites a change made outside Git"


def row(old: KubeObject | None, new: KubeObject | None, *warnings: str) -> ResourceDiff:
    some = new if new is not None else old
    assert some is not None
    return compare(
        ResourceKey.of(some),
        str(some["apiVersion"]),
        normalize(old) if old is not None else None,
        normalize(new) if new is not None else None,
        warnings=warnings,
    )


def plan(name: str, *rows: ResourceDiff, ignore: tuple[str, ...] = ()) -> TargetReport:
    return review(TargetReport(name, tuple(sorted(rows, key=lambda r: r.key))), ignore)


def app(name: str, image: str, **spec: Any) -> KubeObject:
    labelled = deployment(container(image=image), name=name, selector=name, **spec)
    labelled["metadata"]["labels"] = {"app": name}
    labelled["spec"]["template"]["metadata"]["labels"] = {"app": name}
    return labelled


def env(name: str, level: str) -> KubeObject:
    return obj("v1", "ConfigMap", f"{name}-env", data={"LOG_LEVEL": level, "PORT": "8080"})


def secret(password: str) -> KubeObject:
    value = base64.b64encode(password.encode()).decode()
    return obj("v1", "Secret", "db", data={"password": value, "user": "YWRtaW4="})


def worker(replicas: int, cpu: str) -> KubeObject:
    resources = {"requests": {"cpu": cpu, "memory": "256Mi"}}
    return deployment(
        container("worker", "worker:7", resources=resources), name="worker", replicas=replicas
    )


def shop() -> TargetReport:
    """A pull request a reviewer meets: an image bump in four apps, debug logs in three, a
    worker scaled to zero, a rotated password, a wider ClusterRole, a public Service and
    Ingress, two ConfigMaps and a PodDisruptionBudget gone."""
    rows = [
        row(app(f"app-{i}", "shop/web:1.4.2"), app(f"app-{i}", "shop/web:1.4.3")) for i in range(4)
    ]
    rows += [row(env(f"app-{i}", "info"), env(f"app-{i}", "debug")) for i in range(4, 7)]
    rows += [
        row(worker(3, "500m"), worker(0, "250m"), OVERWRITES),
        row(secret("hunter2"), secret("correct-horse")),
        row(role(allow(["get"], ["pods"]), name="ops"), role(allow(["*"], ["pods"]), name="ops")),
        row(service(), service("LoadBalancer")),
        row(obj("v1", "ConfigMap", "legacy-a", data={"a": "1"}), None),
        row(obj("v1", "ConfigMap", "legacy-b", data={"b": "2"}), None),
        row(pdb(), None),
        row(None, ingress("shop.example.com")),
        row(None, obj("v1", "ServiceAccount", "deployer")),
    ]
    return plan("shop", *rows)
