"""``gitops-action targets``: the targets as JSON for a job matrix, and only those a change
touched with ``--changed-since``. Real git repositories, the real renderers, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.ghfake import GitHubFake
from tests.github.helpers import REPO, configmap, open_pull, said
from tests.support import Repo

CONFIG = """\
version: 1
targets:
  - {name: web, path: apps/web}
  - {name: api, path: apps/api, context: prod-eu}
  - {name: cache, path: charts/cache, values: [values-prod.yaml]}
"""
CHART = {
    "charts/cache/Chart.yaml": "apiVersion: v2\nname: cache\nversion: 1.0.0\n",
    "charts/cache/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cache\ndata:\n"
        "  size: {{ .Values.size | quote }}\n"
    ),
    "charts/cache/values.yaml": "size: small\n",
    "charts/cache/values-prod.yaml": "size: large\n",
}


def seed(repo: Repo) -> str:
    repo.write(
        {
            ".gitops.yaml": CONFIG,
            "apps/web/cm.yaml": configmap("web", color="blue"),
            "apps/api/cm.yaml": configmap("api", color="blue"),
            "README.md": "docs\n",
            **CHART,
        }
    )
    return repo.commit("seed")


def listed(result: Any) -> list[str]:
    """The names printed; under Actions stdout and stderr are one stream: the JSON is what
    is not a ``gitops-action:`` line."""
    lines = said(result).splitlines(keepends=True)
    document = json.loads("".join(x for x in lines if not x.startswith("gitops-action:")))
    rows = document["include"] if isinstance(document, dict) else document
    return [row["name"] for row in rows]


def test_targets_prints_name_context_and_path_of_every_target_in_order(
    repo: Repo, run_cli: Any
) -> None:
    seed(repo)
    result = run_cli(repo.root, "targets")
    assert result.code == 0, said(result)
    assert json.loads(result.out) == [
        {"name": "web", "context": "", "path": "apps/web"},
        {"name": "api", "context": "prod-eu", "path": "apps/api"},
        {"name": "cache", "context": "", "path": "charts/cache"},
    ]


def test_matrix_prints_include_and_sets_a_compact_matrix_output(
    repo: Repo, run_cli: Any, tmp_path: Path
) -> None:
    seed(repo)
    output = tmp_path / "output.txt"
    result = run_cli(
        repo.root, "--target", "api", "targets", "--matrix", env={"GITHUB_OUTPUT": str(output)}
    )
    assert result.code == 0, said(result)
    assert json.loads(result.out) == {
        "include": [{"name": "api", "context": "prod-eu", "path": "apps/api"}]
    }
    assert output.read_text(encoding="utf-8") == (
        'matrix={"include":[{"name":"api","context":"prod-eu","path":"apps/api"}]}\n'
    )


def test_changed_since_keeps_the_targets_whose_rendered_files_or_values_changed(
    repo: Repo, run_cli: Any
) -> None:
    base = seed(repo)
    repo.write(
        {
            "apps/web/cm.yaml": configmap("web", color="green"),
            "charts/cache/values-prod.yaml": "size: huge\n",
            "README.md": "more docs\n",
        }
    )
    repo.commit("web green, a bigger cache")
    result = run_cli(repo.root, "targets", "--matrix", "--changed-since", base)
    assert result.code == 0, said(result)
    assert listed(result) == ["web", "cache"]
    assert result.err.splitlines() == [
        "gitops-action: target web: apps/web/cm.yaml changed",
        "gitops-action: target cache: charts/cache/values-prod.yaml changed",
    ]


def test_nothing_changed_gives_an_empty_matrix(repo: Repo, run_cli: Any, tmp_path: Path) -> None:
    seed(repo)
    repo.write({"README.md": "only docs\n"})
    repo.commit("docs")
    output = tmp_path / "output.txt"
    result = run_cli(
        repo.root,
        "targets",
        "--matrix",
        "--changed-since",
        "HEAD~1",
        env={"GITHUB_OUTPUT": str(output)},
    )
    assert result.code == 0, said(result)
    assert output.read_text(encoding="utf-8") == 'matrix={"include":[]}\n'
    assert "no target's inputs changed since HEAD~1" in result.err


def test_a_drift_revert_record_lists_its_target_although_no_manifest_changed(
    repo: Repo, run_cli: Any
) -> None:
    base = seed(repo)
    repo.write({".gitops/resync/api.yaml": "# what drifted\n"})
    repo.commit("Revert drift in api")
    result = run_cli(repo.root, "targets", "--changed-since", base)
    assert listed(result) == ["api"]
    assert "target api: .gitops/resync/api.yaml changed (a drift revert)" in result.err


def test_a_changed_entry_in_the_configuration_lists_that_target_only(
    repo: Repo, run_cli: Any
) -> None:
    base = seed(repo)
    repo.write(
        {
            ".gitops.yaml": CONFIG.replace("context: prod-eu", "context: prod-us")
            + "  - {name: jobs, path: apps/jobs}\n",
            "apps/jobs/cm.yaml": configmap("jobs"),
        }
    )
    repo.commit("api to the US, and a new target")
    result = run_cli(repo.root, "targets", "--changed-since", base)
    assert listed(result) == ["api", "jobs"]
    assert "target api: its settings in the configuration changed" in result.err
    assert "target jobs: a new target in the configuration" in result.err


def test_defaults_that_change_list_every_target_they_reach(repo: Repo, run_cli: Any) -> None:
    base = seed(repo)
    repo.write({".gitops.yaml": CONFIG.replace("targets:", "defaults: {prune: false}\ntargets:")})
    repo.commit("no pruning")
    assert listed(run_cli(repo.root, "targets", "--changed-since", base)) == [
        "web",
        "api",
        "cache",
    ]


KUSTOMIZE = {
    ".gitops.yaml": "version: 1\ntargets:\n"
    "  - {name: staging, path: overlays/staging}\n"
    "  - {name: prod, path: overlays/prod}\n",
    "base/kustomization.yaml": "resources: [cm.yaml]\n",
    "base/cm.yaml": configmap("web", color="blue"),
    "overlays/staging/kustomization.yaml": "resources: [../../base]\nnamePrefix: staging-\n",
    "overlays/prod/kustomization.yaml": "resources: [../../shared]\nnamePrefix: prod-\n",
    "shared/kustomization.yaml": "resources: [cm.yaml]\n",
    "shared/cm.yaml": configmap("shared"),
}


def test_a_kustomize_base_counts_for_each_overlay_that_builds_on_it(
    repo: Repo, run_cli: Any
) -> None:
    repo.write(KUSTOMIZE)
    base = repo.commit("seed")
    repo.write({"base/cm.yaml": configmap("web", color="green")})
    repo.commit("green")
    assert listed(run_cli(repo.root, "targets", "--changed-since", base)) == ["staging"]


def test_a_deleted_base_counts_by_what_the_render_read_at_the_ref(repo: Repo, run_cli: Any) -> None:
    repo.write(KUSTOMIZE)
    base = repo.commit("seed")
    repo.remove("shared")
    repo.commit("remove shared (prod still names it: its plan will say so)")
    result = run_cli(repo.root, "targets", "--changed-since", base)
    assert listed(result) == ["prod"]
    assert (
        f"target prod: shared/cm.yaml, shared/kustomization.yaml changed (read at {base[:12]})"
    ) in result.err


def test_a_ref_that_is_not_in_the_clone_lists_every_target_and_says_why(
    repo: Repo, run_cli: Any
) -> None:
    seed(repo)
    for ref in ("0" * 40, "no-such-ref"):
        result = run_cli(repo.root, "targets", "--changed-since", ref)
        assert result.code == 0, said(result)
        assert listed(result) == ["web", "api", "cache"]
        assert "listing every target" in result.err


def test_on_a_pull_request_a_target_with_a_plan_comment_stays_listed(
    repo: Repo, github: GitHubFake, run_cli: Any
) -> None:
    staging = "deploy/staging/cm.yaml"
    pull = open_pull(
        repo,
        github,
        {staging: configmap("web", color="blue")},
        {staging: configmap("web", color="green")},
    )
    assert run_cli(repo.root, "plan", "--no-live", env=pull.env()).code == 0
    # A later push undoes the change: staging's comment must still be planned ("no changes").
    pull.push({staging: configmap("web", color="blue")})
    result = run_cli(repo.root, "targets", "--changed-since", pull.base, env=pull.env())
    assert listed(result) == ["staging"]
    assert f"target staging: it has a plan comment on #{pull.number} to keep true" in said(result)
    # Someone else's comment with the marker does not count.
    github.state.add_comment(
        REPO, pull.number, "<!-- gitops-action:plan target=prod part=1 -->\nhi", user="mallory"
    )
    assert listed(run_cli(repo.root, "targets", "--changed-since", pull.base, env=pull.env())) == [
        "staging"
    ]
