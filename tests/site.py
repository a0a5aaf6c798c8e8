"""A target in a real git repository, applied to the real control plane in a fresh namespace.

`site` writes `.gitops.yaml` with one target `app` (path `deploy`, the test's namespace),
commits manifests, runs `gitops-action apply` in-process, and reads objects back as the admin.
`site.apply_with(cluster)` runs the command layer with a wrapped `Cluster` port (for counting
or fault injection) instead of the CLI's own connection.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_action.adapters.actions import ActionsEnv
from gitops_action.adapters.git import Git
from gitops_action.adapters.kube import Kube
from gitops_action.cluster.inventory import PARENT, from_parent, parent_name
from gitops_action.commands import Context
from gitops_action.commands import apply as apply_command
from gitops_action.config import load_config
from gitops_action.ports import Cluster
from tests.cluster.controlplane import ControlPlane
from tests.support import Repo, Result, kubectl

PATHS = {
    "ConfigMap": "/api/v1/namespaces/{ns}/configmaps/{name}",
    "Secret": "/api/v1/namespaces/{ns}/secrets/{name}",
    "Service": "/api/v1/namespaces/{ns}/services/{name}",
    "ServiceAccount": "/api/v1/namespaces/{ns}/serviceaccounts/{name}",
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
    "Namespace": "/api/v1/namespaces/{name}",
}


@dataclass
class Site:
    repo: Repo
    namespace: str
    control_plane: ControlPlane
    run: Callable[..., Result]
    tmp: Path
    target: dict[str, Any] = field(default_factory=dict)

    def configure(self, **options: Any) -> None:
        target = {"name": "app", "path": "deploy", "namespace": self.namespace, **options}
        self.target = target
        config = {"version": 1, "targets": [target]}
        self.repo.write({".gitops.yaml": yaml.safe_dump(config, sort_keys=False)})

    def commit(
        self, files: Mapping[str, str], *, remove: tuple[str, ...] = (), msg: str = "change"
    ) -> str:
        if not self.target:
            self.configure(wait={"timeout": 30})
        self.repo.write(dict(files))
        if remove:
            self.repo.remove(*remove)
        return self.repo.commit(msg)

    def apply(
        self, *args: str, env: Mapping[str, str] | None = None, before: tuple[str, ...] = ()
    ) -> Result:
        """``gitops-action --kubeconfig K [before...] apply [args...]``."""
        kubeconfig = str(self.control_plane.kubeconfig)
        return self.run(
            self.repo.root, "--kubeconfig", kubeconfig, *before, "apply", *args, env=env
        )

    def apply_json(self, *args: str) -> tuple[Result, dict[str, Any]]:
        out = self.tmp / "report.json"
        result = self.apply("--output-json", str(out), *args)
        return result, json.loads(out.read_text())

    def kube(self) -> Kube:
        return Kube(self.control_plane.kubeconfig)

    def context(self, cluster: Cluster, **overrides: Any) -> Context:
        """The commands' context, with ``cluster`` as every target's connection."""
        config = load_config(self.repo.root / ".gitops.yaml")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        settings: dict[str, Any] = {
            "config": config, "targets": config.targets, "git": Git(self.repo.root),
            "actions": ActionsEnv(env), "out": io.StringIO(), "err": io.StringIO(),
            "connect": lambda _target: cluster,
        }  # fmt: skip
        return Context(**{**settings, **overrides})

    def apply_with(
        self, cluster: Cluster, options: apply_command.ApplyOptions | None = None
    ) -> tuple[int, str, str]:
        """The command layer with ``cluster`` as every target's connection."""
        ctx = self.context(cluster)
        code = apply_command.run(ctx, options or apply_command.ApplyOptions())
        return code, ctx.out.getvalue(), ctx.err.getvalue()  # type: ignore[attr-defined]

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        path = PATHS[kind].format(ns=namespace or self.namespace, name=name)
        return self.control_plane.get(path)

    def version(self, kind: str, name: str) -> str:
        obj = self.get(kind, name)
        assert obj is not None, f"{kind}/{name} does not exist"
        return str(obj["metadata"]["resourceVersion"])

    def kubectl(self, *args: str, stdin: str = "") -> str:
        """kubectl as an admin would run it out of band, in the test's namespace."""
        return kubectl(self.control_plane.kubeconfig, self.namespace, *args, stdin=stdin)

    def inventory_parent(self) -> dict[str, Any] | None:
        return self.get("Secret", parent_name("app"))

    def members(self) -> set[str]:
        parent = self.inventory_parent()
        assert parent is not None, "no inventory parent"
        return {str(k) for k in from_parent("app", parent).members}


@pytest.fixture
def site(
    repo: Repo,
    namespace: str,
    control_plane: ControlPlane,
    run_cli: Callable[..., Result],
    tmp_path: Path,
) -> Site:
    assert PARENT.kind == "Secret"
    return Site(repo, namespace, control_plane, run_cli, tmp_path)
