"""``gitops-action validate`` end to end on real files: render, check, report, exit code; and
no false alarm on a realistic set of valid objects of every common kind."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from gitops_action.commands.validate import run
from gitops_action.config import Config, Target, load_config
from gitops_action.core.yamlio import load_documents
from gitops_action.models import Manifest, Source
from gitops_action.render import render_target
from gitops_action.validate.checks import check_target, validate

REALISTIC = Path(__file__).parent / "realistic"


def make_repo(root: Path, files: dict[str, str]) -> Config:
    shutil.copytree(REALISTIC, root / "deploy" / "shop")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    config = "version: 1\ntargets:\n  - {name: shop, path: deploy/shop}\n"
    if (root / "deploy" / "broken").is_dir():
        config += "  - {name: broken, path: deploy/broken, namespace: shop}\n"
    (root / ".gitops.yaml").write_text(config)
    return load_config(root / ".gitops.yaml")


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_realistic_set_of_valid_objects_has_no_findings() -> None:
    rendered = render_target(Target(name="shop", path="."), REALISTIC)
    kinds = {m.kind for m in rendered.manifests}
    assert kinds >= {
        "Namespace", "Deployment", "Service", "ConfigMap", "Secret", "Ingress", "CronJob",
        "StatefulSet", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
        "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
        "CustomResourceDefinition", "Widget", "PriorityClass",
    }  # fmt: skip
    assert validate([rendered]) == []


def test_the_command_prints_no_problems_and_exits_0_for_valid_targets(tmp_path: Path) -> None:
    config = make_repo(tmp_path, {})
    out = io.StringIO()
    assert run(config, config.targets, fmt="text", out=out) == 0
    assert out.getvalue() == "no problems found\n"


def test_the_command_reports_every_target_and_exits_1_without_writing(tmp_path: Path) -> None:
    config = make_repo(
        tmp_path,
        {
            "deploy/broken/web.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
                "spec:\n  replicas: three\n"
            ),
            "deploy/broken/bad.yaml": "a: [\n",
            "deploy/broken/sa.yaml": (
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n"
            ),
        },
    )
    before = listing(tmp_path)
    out = io.StringIO()
    assert run(config, config.targets, fmt="json", out=out) == 1
    assert listing(tmp_path) == before
    doc = json.loads(out.getvalue())
    assert [(f["target"], f["file"], f["line"], f["message"]) for f in doc["findings"]] == [
        ("broken", "deploy/broken/bad.yaml", 2, "YAML syntax error: did not find expected node "
         "content (while parsing a flow node)"),
        ("broken", "deploy/broken/sa.yaml", 1, "in two targets on the same cluster, shop "
         "(deploy/shop/deployment.yaml:110:1) and broken (deploy/broken/sa.yaml:1:1); "
         "keep it in one of them"),
        ("broken", "deploy/broken/web.yaml", 4, "missing required field spec.selector"),
        ("broken", "deploy/broken/web.yaml", 4, "missing required field spec.template"),
        ("broken", "deploy/broken/web.yaml", 5, 'spec.replicas must be an integer, got "three"'),
    ]  # fmt: skip
    assert (doc["errors"], doc["warnings"]) == (5, 0)


def test_the_command_writes_github_annotations(tmp_path: Path) -> None:
    config = make_repo(
        tmp_path,
        {"deploy/broken/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: A}\n"},
    )
    out = io.StringIO()
    assert run(config, config.targets[1:], fmt="github", out=out) == 1
    assert out.getvalue().splitlines() == [
        "::error file=deploy/broken/cm.yaml,line=3,col=12,title=gitops-action validate"
        '::ConfigMap/shop/A: metadata.name "A" is not a valid ConfigMap name (an RFC 1123 '
        "subdomain): must be a lowercase RFC 1123 subdomain: lower case letters, digits, '-' "
        "and '.', starting and ending with a letter or digit (e.g. 'example.com')",
        "1 error, 0 warnings",
    ]


def test_a_thousand_valid_objects_give_no_findings() -> None:
    one = (REALISTIC / "deployment.yaml").read_text().split("---\n")[0]
    text = "---\n".join(one.replace("name: web\n", f"name: web-{i}\n", 1) for i in range(1000))
    docs = load_documents(text, "deploy/many.yaml")
    objects = [
        Manifest(d.data, Source("deploy/many.yaml", d.line, d.column), d.positions) for d in docs
    ]
    check_target(Target(name="warm", path="deploy"), objects[:1])  # schemas load once a process
    assert check_target(Target(name="many", path="deploy"), objects) == []
