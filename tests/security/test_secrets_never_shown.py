"""Property: whatever shape a pull request gives its Secrets and Lists, no value of a Secret
reaches any output: the plan as text, JSON, job summary and PR comment parts, validate in every
format, render findings and error messages; and, end to end, the CLI's stdout, stderr and
--output-md/--output-json files.

Hypothesis draws the manifests (tests/security/secret_shapes.py); the examples are bounded
and derandomized, so CI runs the same cases every time."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitops_action.config import Target
from gitops_action.errors import GitopsError
from gitops_action.models import Report
from gitops_action.plan.offline import offline_plan
from gitops_action.render import render_target
from gitops_action.report import json as json_report
from gitops_action.report.findings import FORMATS, format_findings
from gitops_action.report.markdown import PlanContext, comment_parts, plan_markdown
from gitops_action.report.text import report_text
from gitops_action.validate.checks import validate
from tests.security.secret_shapes import documents, found_values, leaks
from tests.support import Repo, git

TARGET = Target(name="web", path="deploy", namespace="web")
CTX = PlanContext(baseline="the base ref", revision="0" * 40, base_revision="1" * 40)


def write(root: Path, docs: list[str]) -> None:
    (root / "deploy").mkdir(parents=True)
    for index, text in enumerate(docs):
        (root / "deploy" / f"s{index}.yaml").write_text(text, encoding="utf-8")


def every_output(head_root: Path, base_root: Path) -> str:
    """Everything the engine can show about the target, errors included."""
    head, base = render_target(TARGET, head_root), render_target(TARGET, base_root)
    out = [str(f) for f in (*head.findings, *base.findings)]
    findings = validate([head])
    out.extend(format_findings(findings, fmt) for fmt in FORMATS)
    try:
        head.raise_for_errors()
    except GitopsError as err:
        out.append(str(err))
    try:
        target = offline_plan(TARGET, head.manifests, base.manifests)
    except GitopsError as err:  # the same object twice
        out.append(str(err))
        return "\n".join(out)
    report = Report("plan", CTX.revision, (target,), CTX.base_revision)
    out.extend([report_text(report), json_report.dumps(report), plan_markdown(report, CTX)])
    out.extend(comment_parts(target, CTX))
    return "\n".join(out)


@settings(max_examples=120, derandomize=True, deadline=None, database=None)
@given(base=documents, head=documents)
def test_no_secret_value_reaches_any_output_of_render_validate_or_plan(
    base: list[str], head: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp, "head"), head)
        write(Path(tmp, "base"), base)
        text = every_output(Path(tmp, "head"), Path(tmp, "base"))
    values = found_values([*base, *head])
    assert values, "the strategy always writes values"
    assert leaks(text, values) == []


@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # run_cli: fresh per call
)
@given(base=documents, head=documents, actions=st.booleans())
def test_no_secret_value_reaches_the_cli_output_or_its_files(
    run_cli, base: list[str], head: list[str], actions: bool
) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(Path(tmp, "repo"))
        repo.root.mkdir()
        git(repo.root, "init", "-q", "-b", "main")
        repo.write({".gitops.yaml": "version: 1\ntargets:\n  - {name: web, path: deploy}\n"})
        write(repo.root, base)
        first = repo.commit("base")
        repo.remove("deploy")
        write(repo.root, head)
        repo.commit("head")
        env = {"GITHUB_ACTIONS": "true"} if actions else {}
        md, report = Path(tmp, "plan.md"), Path(tmp, "plan.json")
        runs = [
            run_cli(repo.root, "plan", "--no-live", "--base-ref", first, "--output-md", str(md),
                    "--output-json", str(report), env=env),
            *(run_cli(repo.root, "validate", "--format", fmt, env=env) for fmt in FORMATS),
        ]  # fmt: skip
        text = "\n".join(r.out + r.err for r in runs)
        text += "".join(p.read_text() for p in (md, report) if p.exists())
    assert all(r.code in (0, 1) for r in runs), text
    assert leaks(text, found_values([*base, *head])) == []
