"""Every credential of the action's kubeconfig input is masked on its own, whatever the YAML
layout: block, flow, one-line JSON; names are not (they would hide common words)."""

from __future__ import annotations

import json

import pytest

from gitops_action.adapters.kubeconfig_masks import credential_values, mask_commands

TOKEN = "tok-Secret-0001"
PASSWORD = "pw9x"
KEY = "S0VZREFUQQ=="
EXEC_VALUE = "s3cr"

CONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "prod", "cluster": {"server": "https://10.0.0.1:6443"}}],
    "users": [
        {
            "name": "ci",
            "user": {
                "token": TOKEN,
                "password": PASSWORD,
                "client-key-data": KEY,
                "exec": {
                    "command": "aws",
                    "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": EXEC_VALUE}],
                },
            },
        }
    ],
    "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "ci"}}],
    "current-context": "prod",
}
FLOW = (
    "{apiVersion: v1, kind: Config, clusters: [{name: prod, cluster: {server: "
    "'https://10.0.0.1:6443'}}], users: [{name: ci, user: {token: tok-Secret-0001, password: "
    "pw9x, client-key-data: S0VZREFUQQ==, exec: {command: aws, env: [{name: "
    "AWS_SECRET_ACCESS_KEY, value: s3cr}]}}}], contexts: [{name: prod, context: {cluster: "
    "prod, user: ci}}], current-context: prod}"
)
BLOCK = """\
apiVersion: v1
kind: Config
users:
- name: ci
  user:
    token: tok-Secret-0001
    password: "pw9x"
    client-key-data: S0VZREFUQQ==
    exec:
      command: aws
      env:
      - {name: AWS_SECRET_ACCESS_KEY, value: s3cr}
"""


@pytest.mark.parametrize(
    "text",
    [FLOW, BLOCK, json.dumps(CONFIG), json.dumps(CONFIG, indent=2)],
    ids=["flow", "block", "json", "json-lines"],
)
def test_each_credential_is_masked_on_its_own_in_any_layout(text: str) -> None:
    masked = credential_values(text)
    for value in (TOKEN, PASSWORD, KEY, EXEC_VALUE):
        assert value in masked
    for name in ("prod", "ci", "v1", "Config", "aws", "AWS_SECRET_ACCESS_KEY"):
        assert name not in masked


def test_each_line_of_a_multi_line_credential_is_masked_too() -> None:
    text = "users:\n- name: ci\n  user:\n    client-key-data: |\n      LINE-ONE-KEY\n      LINE-TWO-KEY\n"
    assert {"LINE-ONE-KEY", "LINE-TWO-KEY", "LINE-ONE-KEY\nLINE-TWO-KEY"} <= set(
        credential_values(text)
    )


def test_what_is_not_yaml_is_still_masked_line_by_line() -> None:
    masked = credential_values("users: [\n  token: tok-Secret-0001\n")  # never closed
    assert {"token: tok-Secret-0001", TOKEN} <= set(masked)


def test_the_commands_are_escaped_as_the_runner_reads_them() -> None:
    text = "users:\n- user:\n    password: |\n      50%\n      second\n"
    assert "::add-mask::50%25%0Asecond\n" in mask_commands(text)
