"""Failure reports that say what happened: every apply row has a status, a write whose answer
was lost is read back (or is "unknown", never "not applied"), "rejected" only when the server
rejected, and a prune that did not run is said at the target."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from gitops_action.adapters.kube import Kube
from gitops_action.commands.apply import ApplyOptions
from gitops_action.errors import Unreachable
from gitops_action.models import KubeObject
from gitops_action.ports import ApiResource
from tests.manifests import configmap, deployment, dump
from tests.site import Site
from tests.support import Delegating

pytestmark = pytest.mark.cluster

RESET = "cannot reach the API server at https://127.0.0.1:6443 (ConnectionResetError)"


def statuses(report: dict[str, Any]) -> dict[str, str]:
    [target] = report["targets"]
    return {f"{r['kind']}/{r['name']}": r.get("status", "-") for r in target["resources"]}


def run(site: Site, cluster: Any) -> tuple[int, str, dict[str, Any]]:
    out = site.tmp / "report.json"
    code, text, err = site.apply_with(cluster, ApplyOptions(output_json=out))
    return code, text + err, json.loads(out.read_text())


class LosesAnswers(Delegating):
    """The real adapter, but the connection breaks on the writes of some of the two ConfigMaps
    of a phase: after the server carried them out (`took`), or before they reached it
    (`dropped`); reading `unreadable` back fails too. Both writes are under way before either
    breaks (once the server is found away, nothing more is sent)."""

    def __init__(
        self, kube: Kube, took: set[str], dropped: set[str], unreadable: set[str] = frozenset()
    ) -> None:
        super().__init__(kube)
        self.took, self.dropped, self.unreadable = took, dropped, unreadable
        self.both = threading.Barrier(2, timeout=10)

    def apply(
        self, obj: KubeObject, resource: ApiResource, *, dry_run: bool, force: bool
    ) -> KubeObject:
        name = obj["metadata"]["name"]
        if dry_run or obj["kind"] != "ConfigMap":
            return self.kube.apply(obj, resource, dry_run=dry_run, force=force)
        self.both.wait()
        if name in self.dropped:
            raise Unreachable(RESET)
        answer: KubeObject = self.kube.apply(obj, resource, dry_run=dry_run, force=force)
        if name in self.took:
            raise Unreachable(RESET)
        return answer

    def get(self, resource: ApiResource, namespace: str, name: str) -> KubeObject | None:
        if resource.kind == "ConfigMap" and name in self.unreadable:
            raise Unreachable(RESET)
        found: KubeObject | None = self.kube.get(resource, namespace, name)
        return found


def test_every_row_of_an_apply_says_what_was_done_and_dry_run_rows_say_nothing(
    site: Site,
) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("a"), configmap("b"), configmap("gone"))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("a", v="2"), configmap("b"), configmap("c"))})

    _, dry = site.apply_json("--dry-run")
    result, report = site.apply_json()

    assert set(statuses(dry).values()) == {"-"}
    assert result.code == 0, result.out
    assert statuses(report) == {
        "ConfigMap/a": "applied",
        "ConfigMap/b": "unchanged",
        "ConfigMap/c": "applied",
        "ConfigMap/gone": "pruned",
    }
    site.commit({"deploy/a.yaml": dump(configmap("a", v="2"), configmap("c"))})
    _, kept = site.apply_json("--no-prune")
    assert statuses(kept) == {
        "ConfigMap/a": "unchanged",
        "ConfigMap/b": "kept",
        "ConfigMap/c": "unchanged",
    }


def test_a_write_whose_answer_was_lost_is_read_back_as_applied_or_not_applied(
    site: Site,
) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("a"), configmap("b"))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("a", v="2"), configmap("b", v="2"))})

    code, text, report = run(site, LosesAnswers(site.kube(), took={"a"}, dropped={"b"}))

    assert code == 1
    assert statuses(report) == {
        "ConfigMap/a": "applied",  # the server did it: read back, not "not applied"
        "ConfigMap/b": "not applied",  # read back too: not done
    }
    [error] = report["targets"][0]["errors"]
    assert error == f"target app: stopped in phase 'configuration and storage': {RESET}"
    assert "rejected" not in text
    assert site.get("ConfigMap", "a")["data"] == {"v": "2"}  # type: ignore[index]
    assert "data" not in site.get("ConfigMap", "b")  # type: ignore[operator]

    rerun = site.apply()

    assert rerun.code == 0, rerun.out
    assert site.get("ConfigMap", "b")["data"] == {"v": "2"}  # type: ignore[index]


def test_a_write_that_cannot_be_read_back_is_unknown_never_not_applied(site: Site) -> None:
    site.commit({"deploy/a.yaml": dump(configmap("a"), configmap("b"))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("a", v="2"), configmap("b", v="2"))})
    broken = LosesAnswers(site.kube(), took={"a"}, dropped=set(), unreadable={"a"})

    code, text, report = run(site, broken)

    assert code == 1
    assert statuses(report) == {"ConfigMap/a": "unknown", "ConfigMap/b": "applied"}
    [target] = report["targets"]
    [row] = [r for r in target["resources"] if r["name"] == "a"]
    assert row["warnings"] == [
        "unknown: the connection broke before the server answered, and it could not be read "
        "back; the next apply reads it and converges"
    ]
    assert target["errors"] == [
        f"target app: stopped in phase 'configuration and storage': {RESET}; "
        "1 written or not: unknown"
    ]
    assert f"unknown (1): ConfigMap/{site.namespace}/a" in text
    assert "== target app: ❌ failed\n" in text
    assert site.get("ConfigMap", "a")["data"] == {"v": "2"}  # type: ignore[index]


class DeletionsUnreachable(Delegating):
    """The real adapter, but the server cannot be reached for the deletion of any object (nor
    its dry-run); the lease is still given back."""

    def delete(self, resource: ApiResource, *args: Any, **kwargs: Any) -> bool:
        if resource.kind == "Lease":
            return bool(self.kube.delete(resource, *args, **kwargs))
        raise Unreachable(RESET)


def test_an_unreachable_server_during_the_deletion_checks_is_said_once_and_not_as_rejected(
    site: Site,
) -> None:
    site.commit({"deploy/a.yaml": dump(*(configmap(f"c{i}") for i in range(10)))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(*(configmap(f"c{i}") for i in range(5)))})

    code, text, report = run(site, DeletionsUnreachable(site.kube()))

    assert code == 1
    assert report["targets"][0]["errors"] == [f"target app: {RESET}"]
    assert "rejected" not in text
    assert text.count(RESET) == 1, text


def test_a_prune_that_did_not_run_is_said_once_at_the_target(site: Site) -> None:
    site.configure(wait={"timeout": 2})
    site.commit({"deploy/a.yaml": dump(configmap("old"), configmap("stays"))})
    assert site.apply().code == 0
    site.commit({"deploy/a.yaml": dump(configmap("stays"), deployment("huge", cpu="1000"))})

    result, report = site.apply_json()

    assert result.code == 1
    assert statuses(report) == {
        "ConfigMap/stays": "unchanged",
        "Deployment/huge": "applied",
        "ConfigMap/old": "kept",
    }
    errors = report["targets"][0]["errors"]
    assert errors[0] == (
        "target app: not pruned (the apply failed its health checks): 1 member that left Git stays"
    )
    assert site.get("ConfigMap", "old") is not None
