"""Hostile or broken input ends in one clean error naming where it is and what to do, exit 1,
never a traceback (exit 3): run through the CLI, as a pull request would make it run."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_action.render import tools
from tests.support import Repo

CONFIG = "version: 1\ntargets:\n  - {name: web, path: deploy, namespace: web}\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: info}\n"


def planned(repo: Repo, run_cli, files: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    """Commit CONFIG and a ConfigMap, then ``files`` on top, and plan the change."""
    repo.write({".gitops.yaml": CONFIG, "deploy/cm.yaml": CM})
    base = repo.commit("base")
    repo.write(files)
    repo.commit("change")
    return run_cli(repo.root, "plan", "--no-live", "--base-ref", base, *args)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: c2VjcmV0\n",
            "deploy/bad.yaml:4:1: Secret data must be a mapping of key: value, got a string "
            "(the value is not shown)",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: [s, c2VjcmV0]\n",
            "deploy/bad.yaml:3:1: metadata must be a mapping, got a list",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: c2VjcmV0\n",
            "deploy/bad.yaml:4:1: Secret stringData must be a mapping of key: value, got a string "
            "(the value is not shown)",
        ),
    ],
)
def test_a_secret_whose_data_or_metadata_has_the_wrong_type_is_a_clean_error(
    repo: Repo, run_cli, text: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    result = planned(repo, run_cli, {"deploy/bad.yaml": text})
    assert result.code == 1
    assert result.err == f"gitops-action: error: {message}\n"
    assert "c2VjcmV0" not in result.out + result.err


def test_plan_never_shows_an_object_without_a_name(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = planned(repo, run_cli, {"deploy/x.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    assert result.code == 1
    assert "ConfigMap/web/" not in result.out + result.err
    assert result.err == (
        "gitops-action: error: deploy/x.yaml:1:1: missing metadata.name: "
        "every ConfigMap needs one\n"
    )


def test_yaml_nested_hundreds_of_levels_deep_is_a_clean_error(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    deep = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + "{a: " * 600
    result = planned(repo, run_cli, {"deploy/deep.yaml": deep + "1" + "}" * 600 + "\n"})
    assert result.code == 1, result.err
    assert "deploy/deep.yaml:4:807: nested more than 200 levels deep" in result.err
    assert "internal error" not in result.err


def test_a_control_character_is_one_line_with_its_line_and_column(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = planned(repo, run_cli, {"deploy/cm.yaml": CM.replace("info", "info\x07")})
    assert result.code == 1
    assert result.err == (
        "gitops-action: error: deploy/cm.yaml:4:19: control character "
        "U+0007 is not allowed in YAML; remove it (write it as an escape such as \\u0007 inside "
        "double quotes)\n"
    )


@pytest.mark.parametrize("option", ["--output-json", "--output-md"])
def test_an_output_path_that_cannot_be_written_is_a_clean_error(
    repo: Repo, run_cli, tmp_path: Path, option: str
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "file").write_text("")
    for path in (tmp_path / "missing" / "plan.out", tmp_path / "file" / "plan.out"):
        result = planned(
            repo, run_cli, {"deploy/cm.yaml": CM.replace("info", "debug")}, option, str(path)
        )
        assert result.code == 1, result.err
        assert result.err.startswith(f"gitops-action: error: {option} {path}: cannot write it (")
        assert "pass a file in a folder that exists and is writable" in result.err


def test_a_jinja_template_that_never_ends_stops_at_the_time_limit_named_in_the_error(
    repo: Repo, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tools, "TIMEOUT", 1.0)
    forever = (
        "{% for a in range(99999) %}{% for b in range(99999) %}{% for c in range(99999) %}"
        "{% endfor %}{% endfor %}{% endfor %}\n" + CM
    )
    result = planned(repo, run_cli, {"deploy/cm.yaml.j2": forever})
    assert result.code == 1, result.err
    assert result.err == (
        "gitops-action: error: target 'web' (jinja2): Jinja2 rendering of deploy took more than "
        "1s; stopped: a template that never ends (a loop over a loop?) must be made smaller\n"
    )


def test_a_jinja_power_too_big_to_stop_is_refused(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    # A power this big runs in C for minutes, where no time limit can stop it.
    template = "{{ 7 ** 123456789 > 0 }}\n" + CM
    result = planned(repo, run_cli, {"deploy/cm.yaml.j2": template})
    assert result.code == 1, result.err
    assert "deploy/cm.yaml.j2:1:1: Jinja2 error: refusing a power with an exponent over 1000" in (
        result.err
    )
