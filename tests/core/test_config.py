"""``.gitops.yaml``: defaults, every setting, and errors that name the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.config import IgnoreRule, load_config
from gitops_action.errors import ConfigError
from gitops_action.models import ResourceKey


def write(root: Path, text: str, *folders: str) -> Path:
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    path = root / ".gitops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_is_read_with_defaults_applied(tmp_path: Path) -> None:
    (tmp_path / "charts/web").mkdir(parents=True)
    (tmp_path / "charts/web/values-staging.yaml").write_text("x: 1\n")
    path = write(
        tmp_path,
        """\
version: 1
defaults:
  prune: false
  wait: {timeout: 120}
targets:
  - name: staging
    path: charts/web
    render: helm
    values: [values-staging.yaml]
    namespace: staging
    context: kind-staging
    prune-limit: 0.25
    protect: [Namespace]
    force-conflicts: false
    revert-on-failure: pr
    drift:
      on-drift: revert-pr
      ignore:
        - {kind: Deployment, paths: [/spec/replicas]}
        - {managers: [kube-controller-manager]}
  - name: plain
    path: deploy
""",
        "deploy",
    )
    config = load_config(path)
    staging, plain = config.targets
    assert staging.values == ("charts/web/values-staging.yaml",)
    assert (staging.prune, staging.wait_timeout, staging.prune_limit) == (False, 120, 0.25)
    assert staging.protect == frozenset({"Namespace"})
    assert staging.on_drift == "revert-pr" and staging.revert_on_failure == "pr"
    assert staging.ignore == (
        IgnoreRule(kind="Deployment", paths=("/spec/replicas",)),
        IgnoreRule(managers=("kube-controller-manager",)),
    )
    web = ResourceKey("apps", "Deployment", "staging", "web")
    assert staging.ignore_paths(web) == ("/spec/replicas",)
    assert staging.ignore_managers(web) == ("kube-controller-manager",)
    assert plain.prune is False and plain.wait_timeout == 120  # from defaults
    assert plain.render == "auto" and "PersistentVolumeClaim" in plain.protect
    assert str(plain.source) == ".gitops.yaml:21:5"


def test_unknown_keys_are_errors_with_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\ntargets:\n  - name: a\n    path: d\n    prun: true\n", "d")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(
        ".gitops.yaml:5:5: unknown key 'targets.0.prun'; allowed here:"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
version: 2
targets:
  - name: Web_App
    path: missing
    render: kustomise
    wait: {timeout: -1}
  - name: ok
    path: d
  - name: ok
    path: d
    drift: {ignore: [{kind: Deployment, paths: [spec/replicas]}]}
""",
        "d",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).splitlines() == [
        ".gitops.yaml:1:1: version must be 1, got 2; add 'version: 1'",
        ".gitops.yaml:3:5: targets.0.name must be a lowercase name of letters, digits and '-', got 'Web_App'",
        ".gitops.yaml:4:5: target path 'missing' is not a folder under " + str(tmp_path.resolve()),
        ".gitops.yaml:5:5: targets.0.render must be one of auto, plain, kustomize, helm, jinja2, got 'kustomise'",
        ".gitops.yaml:6:12: targets.0.wait.timeout must be a positive number of seconds, got -1",
        ".gitops.yaml:9:5: duplicate target name 'ok' (first at .gitops.yaml:7:5)",
        ".gitops.yaml:11:49: 'spec/replicas' must be a JSON pointer starting with '/', like /spec/replicas",
    ]


def test_a_missing_values_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\ntargets:\n- {name: a, path: d, values: [v.yaml]}\n", "d")
    with pytest.raises(ConfigError, match=r"^.gitops.yaml:3:31: values file 'v.yaml' not found"):
        load_config(path)


def test_a_path_outside_the_repository_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    path = write(root, "version: 1\ntargets:\n- {name: a, path: ..}\n")
    with pytest.raises(ConfigError, match="leaves the repository"):
        load_config(path)


def test_a_missing_config_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such file; create it"):
        load_config(tmp_path / ".gitops.yaml")


def test_selecting_an_unknown_target_lists_the_known_ones(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "version: 1\ntargets: [{name: a, path: d}]\n", "d"))
    with pytest.raises(ConfigError, match="no target named 'b'; the targets are: a"):
        config.select(["b"])
    assert config.select([]) == config.targets


def test_review_ignore_switches_rules_off_per_target_over_the_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
version: 1
defaults:
  review: {ignore: [replicas-to-zero]}
targets:
  - name: dev
    path: d
    review:
      ignore: [pod-privileged, service-exposed]
  - name: prod
    path: d
""",
        "d",
    )
    dev, prod = load_config(path).targets
    assert dev.review_ignore == frozenset({"pod-privileged", "service-exposed"})
    assert prod.review_ignore == frozenset({"replicas-to-zero"})


def test_an_unknown_rule_in_review_ignore_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\ntargets:\n  - name: a\n    path: d\n    review:\n      ignore: [pod-privileged, rbac-wildcards]\n      ignor: []\n",
        "d",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    first, second = str(err.value).splitlines()
    assert first.startswith(
        ".gitops.yaml:6:32: unknown rule 'rbac-wildcards' in review.ignore "
        "(did you mean 'rbac-wildcard'?); the rules are: "
        "rbac-wildcard, rbac-escalation-verbs,"
    )
    assert second.startswith(
        ".gitops.yaml:7:7: unknown key 'targets.0.review.ignor'; allowed here: ignore"
    )


def test_review_must_be_a_mapping_of_rule_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\ntargets:\n- {name: a, path: d, review: {ignore: pod-privileged}}\n",
        "d",
    )
    with pytest.raises(
        ConfigError,
        match=r"^.gitops.yaml:3:\d+: targets.0.review.ignore must be a list of rule names",
    ):
        load_config(path)
    assert (
        load_config(write(tmp_path, "version: 1\ntargets: [{name: a, path: d}]\n"))
        .targets[0]
        .review_ignore
        == frozenset()
    )


def test_reviewed_plan_is_warn_unless_refuse_is_set_per_target_or_in_defaults(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "version: 1\ndefaults: {reviewed-plan: refuse}\ntargets:\n"
        "- {name: a, path: d}\n- {name: b, path: d, reviewed-plan: warn}\n",
        "d",
    )
    assert [t.reviewed_plan for t in load_config(path).targets] == ["refuse", "warn"]
    bare = write(tmp_path, "version: 1\ntargets: [{name: a, path: d}]\n")
    assert load_config(bare).targets[0].reviewed_plan == "warn"
    wrong = write(tmp_path, "version: 1\ntargets: [{name: a, path: d, reviewed-plan: fail}]\n")
    with pytest.raises(
        ConfigError, match=r"^.gitops.yaml:2:\d+: targets.0.reviewed-plan must be warn or refuse"
    ):
        load_config(wrong)
