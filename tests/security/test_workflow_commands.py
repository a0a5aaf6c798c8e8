"""Manifest text is never a workflow command: under GitHub Actions everything the tool prints
sits between ``::stop-commands::TOKEN`` and ``::TOKEN::``, except the annotations of
``validate --format github``, which are commands on purpose with their data escaped.

``executed`` reads a log as the Actions runner does (runner ActionCommandManager): a line is a
command when, trimmed, it starts with ``::`` (``::name props::data``) or contains ``##[``
anywhere (the old form), unless commands are stopped, when only ``::TOKEN::`` counts."""

from __future__ import annotations

import pytest

from tests.support import Repo

CONFIG = "version: 1\ntargets:\n  - {name: web, path: deploy, namespace: web}\n"
ACTIONS = {"GITHUB_ACTIONS": "true"}
HOSTILE = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: evil}\ndata:\n"
    "  script: |\nLINES"
    "  inline: 'x ##[add-mask]visible-word and ::error::not-at-start'\n"
)
LINES = "    ::add-mask::visible-word\n    ::stop-commands::guess\n    ::error file=a::fake\n"


def executed(log: str) -> list[str]:
    """The workflow commands the runner would execute, in order (stop/resume themselves not)."""
    commands: list[str] = []
    token = ""
    for raw in log.splitlines():
        line = raw.strip()
        if token:
            if line == f"::{token}::":
                token = ""
            continue
        if line.startswith("::stop-commands::"):
            token = line.removeprefix("::stop-commands::")
        elif line.startswith("::") or "##[" in line:
            commands.append(line)
    return commands


def hostile(repo: Repo, value: str) -> str:
    repo.write({".gitops.yaml": CONFIG, "deploy/evil.yaml": HOSTILE.replace("LINES", "    safe\n")})
    base = repo.commit("base")
    repo.write({"deploy/evil.yaml": HOSTILE.replace("LINES", value)})
    repo.commit("hostile")
    return base


def test_a_plan_printed_under_actions_runs_no_command_from_a_manifest(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = hostile(repo, LINES)
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base, env=ACTIONS)
    assert result.code == 0, result.out
    assert "+    ::add-mask::visible-word" in result.out  # printed, as it is
    assert executed(result.out) == []
    assert result.out.startswith("::stop-commands::")
    assert result.err == ""  # one stream: the runner reads two pipes in no fixed order


def test_an_error_naming_a_hostile_file_runs_no_command(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = hostile(repo, LINES)
    repo.write({"deploy/##[add-mask]word.yaml": "a: [\n"})
    repo.commit("broken")
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base, env=ACTIONS)
    assert result.code == 1
    assert "gitops-action: error: deploy/##[add-mask]word.yaml:2:1:" in result.out
    assert executed(result.out) == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_text_and_json_run_no_command(repo: Repo, run_cli, fmt: str) -> None:  # type: ignore[no-untyped-def]
    hostile(repo, LINES)
    repo.write({"deploy/##[add-mask]word.yaml": "a: [\n"})
    result = run_cli(repo.root, "validate", "--format", fmt, env=ACTIONS)
    assert result.code == 1
    assert "##[add-mask]word.yaml" in result.out
    assert executed(result.out) == []


def test_validate_annotations_are_the_only_commands_and_their_data_is_escaped(
    repo: Repo, run_cli
) -> None:  # type: ignore[no-untyped-def]
    hostile(repo, LINES)
    name = '"50%\\n::add-mask::x"'  # a name with a line break: quoted in the message
    repo.write(
        {"deploy/a,b:c.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"}
    )
    result = run_cli(repo.root, "validate", "--format", "github", env=ACTIONS)
    assert result.code == 1
    [annotation] = executed(result.out)
    assert annotation.startswith(
        "::error file=deploy/a%2Cb%3Ac.yaml,line=3,col=12,title=gitops-action validate::"
        'ConfigMap/web/50%25%0A::add-mask::x: metadata.name "50%25%0A::add-mask::x" is not a '
        "valid ConfigMap name"
    )


def test_outside_actions_nothing_is_added_to_the_output(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    base = hostile(repo, LINES)
    result = run_cli(repo.root, "plan", "--no-live", "--base-ref", base)
    assert "stop-commands::" not in result.out.replace("    ::stop-commands::guess", "")
    assert result.out.startswith("== target web\n")
