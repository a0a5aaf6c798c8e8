"""The target of the fault matrix: 120 objects in four phases, three versions of them, and the
one assertion every fault test ends with: the cluster and the inventory are exactly a commit's.

- v1: ConfigMaps cm-000..099, Secrets s-0..9, ServiceAccounts sa-0..4, headless Services
  svc-0..4;
- v2: cm-000..079 and the Secrets changed, cm-080..099 gone (pruned), cm-100..119 new;
- v3: cm-000..079 changed again, cm-080..089 back, cm-100..109 gone, cm-120..129 new.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gitops_action.cluster.inventory import APPLYSET_ID, PART_OF, REVISION_ANNOTATION
from gitops_action.models import ResourceKey
from tests.cluster.pins import REPO_ROOT
from tests.manifests import Obj, configmap, dump, secret, service, service_account
from tests.site import Site

KINDS = ("ConfigMap", "Secret", "ServiceAccount", "Service")


def _configmaps(version: int) -> list[int]:
    if version == 1:
        return list(range(100))
    if version == 2:
        return [*range(80), *range(100, 120)]
    return [*range(90), *range(110, 130)]


def objects(version: int) -> list[Obj]:
    out = [configmap(f"cm-{i:03}", v=str(version)) for i in _configmaps(version)]
    out += [secret(f"s-{i}", k=f"v{version}") for i in range(10)]
    out += [service_account(f"sa-{i}") for i in range(5)]
    for i in range(5):
        svc = service(f"svc-{i}")
        svc["spec"]["clusterIP"] = "None"  # headless: the service range is a /24 for all tests
        out.append(svc)
    return out


def files(version: int) -> dict[str, str]:
    by_kind: dict[str, list[Obj]] = {}
    for obj in objects(version):
        by_kind.setdefault(obj["kind"], []).append(obj)
    return {f"deploy/{kind.lower()}.yaml": dump(*objs) for kind, objs in by_kind.items()}


def commit(site: Site, version: int) -> str:
    return site.commit(files(version), msg=f"v{version}")


def live_members(site: Site) -> dict[str, dict[str, Any]]:
    """``Kind/name`` of every object labelled as a member of the target's ApplySet."""
    parent = site.inventory_parent()
    assert parent is not None, "no inventory parent"
    selector = f"{PART_OF}={parent['metadata']['labels'][APPLYSET_ID]}"
    kube = site.kube()
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        resource = kube.resource("v1", kind)
        assert resource is not None
        for obj in kube.list(resource, site.namespace, label_selector=selector):
            out[f"{kind}/{obj['metadata']['name']}"] = obj
    return out


def assert_converged(site: Site, version: int, revision: str) -> None:
    """Live objects and inventory are exactly ``version``'s, recorded at ``revision``."""
    want = {f"{o['kind']}/{o['metadata']['name']}": o for o in objects(version)}
    live = live_members(site)
    assert sorted(set(live) - set(want)) == [], "members that are not in the commit"
    assert sorted(set(want) - set(live)) == [], "objects of the commit that are not members"
    stale = sorted(k for k, o in want.items() if "data" in o and o["data"] != live[k].get("data"))
    assert stale == [], "objects that do not hold the commit's data"
    members = {str(k) for k in _members(site)}
    assert members == {f"{k.split('/')[0]}/{site.namespace}/{k.split('/')[1]}" for k in want}
    parent = site.inventory_parent()
    assert parent is not None
    assert parent["metadata"]["annotations"][REVISION_ANNOTATION] == revision


def _members(site: Site) -> set[ResourceKey]:
    from gitops_action.cluster.inventory import from_parent

    parent = site.inventory_parent()
    assert parent is not None
    return set(from_parent("app", parent).members)


def runner(
    site: Site, repo: Path, signals: Path, *options: str, log: str = "run"
) -> subprocess.Popen[bytes]:
    """``python -m tests.apply.runner`` for ``repo`` (see its docstring), output in files."""
    signals.mkdir(parents=True, exist_ok=True)
    argv: Sequence[str] = [
        sys.executable, "-m", "tests.apply.runner",
        str(repo), str(site.control_plane.kubeconfig), str(signals), *options,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    with (signals / f"{log}.out").open("wb") as out, (signals / f"{log}.err").open("wb") as err:
        return subprocess.Popen(
            argv, cwd=REPO_ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=err
        )
