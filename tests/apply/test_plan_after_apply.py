"""The live plan after a real apply: quiet without dry-runs, and still catching every change.

The inventory's fingerprints let plan skip the dry-run of objects that neither Git nor the
cluster changed since the apply; these tests prove the shortcut never hides a change.
"""

from __future__ import annotations

import io
import os
from typing import Any

import pytest

from gitops_action.adapters.actions import ActionsEnv
from gitops_action.adapters.git import Git
from gitops_action.commands import Context
from gitops_action.commands import plan as plan_command
from gitops_action.config import load_config
from tests.manifests import configmap, deployment, dump
from tests.plan.live_helpers import Counting, edit
from tests.site import Site

pytestmark = pytest.mark.cluster

FILES = {
    "deploy/app.yaml": dump(deployment("web"), configmap("settings", LOG_LEVEL="info")),
    "deploy/extra.yaml": dump(configmap("extra", a="1")),
}


def plan(site: Site, base: str) -> tuple[int, str, Counting]:
    """The plan command with a counting wrapper around the real cluster adapter."""
    counting = Counting(site.kube())
    config = load_config(site.repo.root / ".gitops.yaml")
    out = io.StringIO()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    ctx = Context(
        config=config, targets=config.targets, git=Git(site.repo.root), actions=ActionsEnv(env),
        out=out, err=io.StringIO(), connect=lambda _target: counting,  # type: ignore[arg-type,return-value]
    )  # fmt: skip
    options = plan_command.PlanOptions(base_ref=base, live=True, comment=False)
    code = plan_command.run(ctx, options)
    return code, out.getvalue(), counting


def test_right_after_apply_the_plan_is_quiet_and_makes_no_dry_run(site: Site) -> None:
    site.commit(FILES)
    assert site.apply().code == 0
    code, out, counting = plan(site, "HEAD")
    assert code == 0
    assert "0 to create, 0 to update, 0 to delete, 3 unchanged" in out
    assert counting.calls["dry-run"] == 0 and counting.calls["apply"] == 0


def test_a_change_made_in_the_cluster_after_apply_is_still_found(site: Site) -> None:
    site.commit(FILES)
    assert site.apply().code == 0
    settings: dict[str, Any] = configmap("settings")
    settings["metadata"]["namespace"] = site.namespace
    edit(site.kube(), settings, {"data": {"LOG_LEVEL": "debug"}})
    code, out, counting = plan(site, "HEAD")
    assert code == 0
    assert f"~ update ConfigMap/{site.namespace}/settings" in out
    assert "    -  LOG_LEVEL: debug\n    +  LOG_LEVEL: info\n" in out
    assert not [line for line in out.splitlines() if "part-of" in line and "    -" in line]
    assert "the cluster differs from Git (drift)" in out
    # Only the object whose fingerprint moved: once unforced (409, kubectl-edit owns the
    # field now), once forced to show the change.
    assert counting.calls["dry-run"] == 2


def test_a_change_in_git_after_apply_is_dry_run_and_shown(site: Site) -> None:
    site.commit(FILES)
    assert site.apply().code == 0
    site.commit({"deploy/extra.yaml": dump(configmap("extra", a="2"))})
    code, out, counting = plan(site, "HEAD~1")
    assert code == 0
    assert f"~ update ConfigMap/{site.namespace}/extra" in out
    # Exactly the change made in Git: the ApplySet label apply adds is not shown as removed,
    # and the cluster is known (from the inventory) to match the base: no warning.
    assert "    -  a: '1'\n    +  a: '2'\n" in out
    assert not [line for line in out.splitlines() if "part-of" in line and "    -" in line]
    assert "warning" not in out
    assert counting.calls["dry-run"] == 1  # head only: the inventory proves the base is live


def test_an_object_removed_from_git_is_a_deletion_known_from_the_inventory(site: Site) -> None:
    site.commit(FILES)
    assert site.apply().code == 0
    site.commit({}, remove=("deploy/extra.yaml",))
    # Even compared with HEAD itself (no base difference), the inventory knows it was ours.
    code, out, _ = plan(site, "HEAD")
    assert code == 0
    assert f"- delete ConfigMap/{site.namespace}/extra" in out
    assert "will be deleted (pruned) when this is applied" in out
    assert site.apply().code == 0
    assert site.get("ConfigMap", "extra") is None
    assert "0 to create, 0 to update, 0 to delete, 2 unchanged" in plan(site, "HEAD")[1]
