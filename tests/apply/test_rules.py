"""Pure rules of apply: phase order, the stale-run guard on real git, prune limits, masking."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest

from gitops_action.adapters.git import Git
from gitops_action.apply.monotonic import StaleRevision, check
from gitops_action.cluster.prune import plan_prune
from gitops_action.cluster.writes import explain, mask_message
from gitops_action.config import Target
from gitops_action.core.order import apply_phases, delete_phases, listed, phase_name
from gitops_action.errors import Invalid
from gitops_action.models import ResourceDiff, ResourceKey
from gitops_action.ports import ApiResource
from tests.support import Repo

RBAC = "rbac.authorization.k8s.io"


def key(kind: str, name: str = "x", group: str = "", namespace: str = "ns") -> ResourceKey:
    return ResourceKey(group, kind, namespace, name)


def test_objects_are_applied_in_dependency_order_and_deleted_in_reverse() -> None:
    keys = [
        key("ValidatingWebhookConfiguration", group="admissionregistration.k8s.io", namespace=""),
        key("Widget", group="example.com"),
        key("Deployment", group="apps"),
        key("Service"),
        key("ConfigMap"),
        key("Secret"),
        key("ServiceAccount"),
        key("RoleBinding", group=RBAC),
        key("CustomResourceDefinition", group="apiextensions.k8s.io", namespace=""),
        key("Namespace", namespace=""),
    ]
    phases = apply_phases(reversed(keys))
    assert [(phase_name(i), [k.kind for k in ks]) for i, ks in phases] == [
        ("namespaces and CRDs", ["Namespace", "CustomResourceDefinition"]),
        ("RBAC and cluster policy", ["RoleBinding"]),
        ("service accounts", ["ServiceAccount"]),
        ("configuration and storage", ["ConfigMap", "Secret"]),
        ("services", ["Service"]),
        ("workloads", ["Deployment"]),
        ("everything else", ["Widget"]),
        ("admission webhooks and policies", ["ValidatingWebhookConfiguration"]),
    ]
    assert [ks for _, ks in delete_phases(keys)] == [ks for _, ks in reversed(phases)]


def test_reports_list_objects_in_apply_order_with_deletions_last_in_reverse() -> None:
    def row(kind: str, action: str = "create", group: str = "") -> ResourceDiff:
        return ResourceDiff(key(kind, group=group), "v1", action)  # type: ignore[arg-type]

    rows = [
        row("ClusterRole", group=RBAC),
        row("Deployment", "delete", group="apps"),
        row("ConfigMap", "delete"),
        row("Widget", "update", group="example.com"),
        row("CustomResourceDefinition", group="apiextensions.k8s.io"),
        row("Deployment", "unchanged", group="apps"),
    ]

    assert [(r.key.kind, r.action) for r in listed(rows)] == [
        ("CustomResourceDefinition", "create"),
        ("ClusterRole", "create"),
        ("Deployment", "unchanged"),
        ("Widget", "update"),
        ("Deployment", "delete"),
        ("ConfigMap", "delete"),
    ]


@pytest.fixture
def history(repo: Repo) -> tuple[Git, list[str]]:
    shas = []
    for n in range(3):
        repo.write({"f": str(n)})
        shas.append(repo.commit(f"c{n}"))
    return Git(repo.root), shas


def test_the_guard_refuses_an_ancestor_and_passes_the_same_commit_or_a_descendant(
    history: tuple[Git, list[str]],
) -> None:
    git, (a, b, c) = history
    assert check(git, "app", b, b, force=False) == []
    assert check(git, "app", a, c, force=False) == []
    assert check(git, "app", "", a, force=False) == []
    with pytest.raises(
        StaleRevision, match=f"refusing to apply {a[:12]}: it is an ancestor of {c[:12]}"
    ):
        check(git, "app", c, a, force=False)
    assert check(git, "app", c, a, force=True) == [
        f"--force: applied over the recorded revision {c[:12]} without checking ancestry"
    ]


def test_the_guard_says_fetch_depth_0_when_a_shallow_clone_cannot_decide(
    history: tuple[Git, list[str]], tmp_path: Path
) -> None:
    origin, (a, _, c) = history
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.root}", str(clone)], check=True
    )
    with pytest.raises(
        StaleRevision, match=re.escape("this clone is shallow. Check out with 'fetch-depth: 0'")
    ):
        check(Git(clone), "app", a, c, force=False)


def test_the_guard_refuses_a_recorded_commit_it_does_not_know(
    history: tuple[Git, list[str]],
) -> None:
    git, (_, _, c) = history
    with pytest.raises(StaleRevision, match="is not in this clone"):
        check(git, "app", "0" * 40, c, force=False)


def test_a_commit_on_another_line_of_history_is_applied_with_a_warning(repo: Repo) -> None:
    repo.write({"f": "0"})
    base = repo.commit("base")
    repo.write({"f": "1"})
    one = repo.commit("one")
    repo.git("checkout", "-q", "-b", "other", base)
    repo.write({"f": "2"})
    two = repo.commit("two")
    [warning] = check(Git(repo.root), "app", one, two, force=False)
    assert "neither an ancestor nor a descendant" in warning


RESOURCE = ApiResource("", "v1", "ConfigMap", "configmaps", True)


def members(n: int) -> dict[ResourceKey, tuple[ApiResource, dict[str, object]]]:
    return {key("ConfigMap", f"cm-{i}"): (RESOURCE, {}) for i in range(n)}


def test_prune_limit_is_a_share_of_the_current_members() -> None:
    target = Target(name="app", path="deploy", prune_limit=0.5)
    current = members(4)
    two = plan_prune(target, current, [key("ConfigMap", "cm-0"), key("ConfigMap", "cm-1")],
                     enabled=True, off_reason="", force=False)  # fmt: skip
    assert (len(two.delete), two.refusal) == (2, "")
    three = plan_prune(
        target, current, [key("ConfigMap", "cm-0")], enabled=True, off_reason="", force=False
    )
    assert "refusing to prune 3 of 4 members (75%)" in three.refusal
    forced = plan_prune(
        target, current, [key("ConfigMap", "cm-0")], enabled=True, off_reason="", force=True
    )
    assert (len(forced.delete), forced.refusal) == (3, "")
    off = plan_prune(target, current, [], enabled=False, off_reason="--no-prune", force=False)
    assert (off.delete, off.refusal) == ({}, "")
    assert {r for _, r in off.kept.values()} == {"--no-prune"}


def test_secret_values_are_masked_out_of_server_messages() -> None:
    value = "correct-horse-battery"
    encoded = base64.b64encode(value.encode()).decode()
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": encoded},
    }
    message = f'Secret "s" is invalid: data[k]: Invalid value: "{value}": bad; also {encoded}'
    masked = mask_message(message, secret)
    assert value not in masked and encoded not in masked
    assert masked == 'Secret "s" is invalid: data[k]: Invalid value: (hidden): bad; also (hidden)'
    plain = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    assert mask_message(message, plain) == message


def test_an_immutable_field_rejection_names_the_field_and_the_way_out() -> None:
    body = {"details": {"causes": [{"field": "spec.selector", "message": "field is immutable"}]}}
    err = Invalid(
        422, "Invalid", 'Deployment.apps "web" is invalid: spec.selector: field is immutable', body
    )
    text = explain(key("Deployment", "web", group="apps"), err)
    assert "The field (spec.selector) cannot change once the object exists" in text
    assert "delete Deployment/ns/web and apply again to re-create it" in text


def test_a_plain_commit_is_reverted_on_a_branch_pushed_to_origin(
    repo: Repo, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    repo.write({"f": "good\n"})
    good = repo.commit("good")
    repo.write({"f": "bad\n"})
    bad = repo.commit("bad")
    repo.git("remote", "add", "origin", str(origin))
    git = Git(repo.root)

    commit = git.revert(bad, 'Revert "bad"')
    git.push_branch(commit, "gitops-action/revert/x")

    def at(ref: str, *args: str) -> str:
        out = subprocess.run(
            ["git", "--git-dir", str(origin), *args, ref],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert at("gitops-action/revert/x^", "rev-parse") == bad
    assert at("gitops-action/revert/x^{tree}", "rev-parse") == at(f"{good}^{{tree}}", "rev-parse")
    assert repo.git("rev-parse", "HEAD") == bad, "the checkout moved"
    assert git.uncommitted_files() == []
