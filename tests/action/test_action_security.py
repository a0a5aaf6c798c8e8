"""The real action.yml under act: each credential of a kubeconfig in flow style is masked on
its own, and a cached virtualenv that is not what was installed is installed again."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from tests.action.act import Act, workflow
from tests.action.test_kubeconfig_masks import EXEC_VALUE, FLOW, KEY, PASSWORD, TOKEN
from tests.support import Repo

pytestmark = pytest.mark.slow

STEPS = """\
      - id: validate
        uses: your-org/gitops-action@v1
        with:
          command: validate
          kubeconfig: ${{ secrets.GITOPS_KUBECONFIG }}
      - name: A careless step that prints each credential alone
        if: always()
        shell: bash
        run: |
          for value in CREDENTIALS; do printf 'alone: %s\\n' "$value"; done
"""


def validate_with_kubeconfig(act: Act, repo: Repo, kubeconfig: str) -> tuple[int, str]:
    repo.write({
        ".gitops.yaml": "version: 1\ntargets:\n  - {name: web, path: deploy, namespace: web}\n",
        "deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n",
    })  # fmt: skip
    repo.commit("web")
    steps = STEPS.replace("CREDENTIALS", " ".join((TOKEN, PASSWORD, KEY, EXEC_VALUE)))
    result = act.run(
        repo.root,
        workflow("push", steps),
        "push",
        {"ref": "refs/heads/main"},
        secrets={"GITOPS_KUBECONFIG": kubeconfig},
    )
    return result.code, result.log


def test_each_credential_of_a_flow_style_kubeconfig_is_masked_on_its_own(
    act: Act, repo: Repo
) -> None:
    code, log = validate_with_kubeconfig(act, repo, FLOW)
    assert code == 0, log
    for value in (TOKEN, PASSWORD, KEY, EXEC_VALUE):
        assert value not in log
    assert log.count("alone: ***") == 4


def test_a_cached_virtualenv_that_was_changed_is_installed_again(
    act: Act, repo: Repo, tmp_path: Path
) -> None:
    # A tool cache of this test's own: the shared one must never be left changed.
    own = dataclasses.replace(act, cache=tmp_path / "act-cache")
    code, log = validate_with_kubeconfig(own, repo, FLOW)  # installs it
    assert code == 0, log
    used = re.search(r"installing the dependencies into (\S+/venv-[0-9a-f]{16})", log)
    assert used is not None, log
    venv = Path(os.path.realpath(used.group(1)))
    [site] = venv.glob("lib/python*/site-packages")
    with (site / "click" / "__init__.py").open("a", encoding="utf-8") as module:
        module.write("\nprint('planted by another job')\n")
    code, log = validate_with_kubeconfig(own, repo, FLOW)
    assert code == 0, log
    assert "its files are not what was installed; installing the dependencies again" in log
    assert "planted by another job" not in log
