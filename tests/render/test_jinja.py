"""Jinja2: templates rendered strictly with the target's variables, mapped to template lines."""

from __future__ import annotations

import pytest

from gitops_action.errors import RenderError
from gitops_action.models import Source

from .conftest import Render, WriteFiles

TEMPLATES = {
    "jobs/vars.yaml": """
        image: reports:1
        settings: {retries: 1, level: info}
        reports: [daily, weekly]
        """,
    "jobs/vars-prod.yaml": """
        image: reports:2
        settings: {level: warn}
        """,
    "jobs/cron.yaml.j2": """
        {# one CronJob per report #}
        {% for report in reports %}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: {{ report }}
        spec:
          schedule: "@{{ report }}"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - name: run
                      image: {{ image }}
        {% endfor %}
        """,
    "jobs/settings.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ target }}-settings
        data:
          retries: "{{ settings.retries }}"
          level: {{ settings.level }}
          namespace: {{ namespace }}
        """,
    "jobs/account.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: reports
        """,
}


def test_jinja_renders_templates_with_merged_variables_and_plain_yaml_beside_them(
    write: WriteFiles, render: Render
) -> None:
    write(TEMPLATES)
    rendered = render(
        "jobs", name="reports", namespace="batch", values=("jobs/vars.yaml", "jobs/vars-prod.yaml")
    )
    assert rendered.renderer == "jinja2"
    assert rendered.findings == ()
    assert [(m.kind, m.key.name) for m in rendered.manifests] == [
        ("ServiceAccount", "reports"),
        ("CronJob", "daily"),
        ("CronJob", "weekly"),
        ("ConfigMap", "reports-settings"),
    ]
    cron = rendered.manifests[1].obj
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "reports:2"
    )
    # Mappings merge key by key; the later file wins.
    assert rendered.manifests[3].obj["data"] == {
        "retries": "1",
        "level": "warn",
        "namespace": "batch",
    }


def test_jinja_sources_point_at_the_template_lines(write: WriteFiles, render: Render) -> None:
    write(TEMPLATES)
    rendered = render("jobs", values=("jobs/vars.yaml",))
    daily, weekly = rendered.manifests[1:3]
    # Output lines differ (the comment and the for tag produce blank lines); the object is moved
    # onto its template, fields with it.
    assert daily.source == Source("jobs/cron.yaml.j2", 4, 1)
    assert weekly.source == Source("jobs/cron.yaml.j2", 4, 1)
    assert weekly.where(("spec", "schedule")) == Source("jobs/cron.yaml.j2", 9, 3)
    config = rendered.manifests[3]
    assert config.where(("data", "level")) == Source("jobs/settings.yaml.j2", 7, 3)


def test_an_undefined_variable_is_an_error_naming_the_template_and_line(
    write: WriteFiles, render: Render
) -> None:
    write({**TEMPLATES, "jobs/settings.yaml.j2": "a: 1\n\nb: {{ not_defined }}\n"})
    rendered = render("jobs", values=("jobs/vars.yaml",))
    (finding,) = rendered.findings
    assert finding.source == Source("jobs/settings.yaml.j2", 3, 1)
    assert "'not_defined' is undefined" in finding.message
    with pytest.raises(RenderError, match=r"jobs/settings.yaml.j2:3:1: undefined variable"):
        rendered.raise_for_errors()


def test_an_undefined_attribute_in_an_included_partial_names_the_partial(
    write: WriteFiles, render: Render
) -> None:
    write({
        "t/main.yaml.j2": "{% include '_labels.j2' %}\n",
        "t/_labels.j2": "# labels\nlabels: {{ settings.nope }}\n",
        "t/vars.yaml": "settings: {}\n",
    })  # fmt: skip
    (finding,) = render("t", values=("t/vars.yaml",)).findings
    assert finding.source == Source("t/_labels.j2", 2, 1)
    assert "has no attribute 'nope'" in finding.message


def test_template_syntax_errors_and_bad_output_are_findings_with_lines(
    write: WriteFiles, render: Render
) -> None:
    write({
        "t/a.yaml.j2": "kind: A\n{% if true %}\nx: 1\n",
        "t/b.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x}\n",
    })  # fmt: skip
    findings = render("t").findings
    assert [(f.source.path, f.source.line) for f in findings if f.source] == [
        ("t/a.yaml.j2", 2),  # the "if" left open
        ("t/b.yaml.j2", 3),
    ]
    assert "Jinja2 syntax error" in findings[0].message
    assert "rendered output is not valid YAML (line 3 of the output)" in findings[1].message


def test_variables_files_of_other_targets_beside_the_templates_are_not_objects(
    write: WriteFiles, render: Render
) -> None:
    write({**TEMPLATES, "jobs/values-other.yaml": "image: other\n"})
    rendered = render("jobs", values=("jobs/vars.yaml",))
    assert rendered.findings == ()
    assert len(rendered.manifests) == 4


def test_values_files_must_be_mappings(write: WriteFiles, render: Render) -> None:
    write({"t/a.yaml.j2": "kind: A\n", "t/vars.yaml": "- a\n- b\n"})
    (finding,) = render("t", values=("t/vars.yaml",)).findings
    assert finding.source == Source("t/vars.yaml", 1, 1)
    assert "one YAML mapping" in finding.message


def test_templates_run_in_the_sandbox(write: WriteFiles, render: Render) -> None:
    write({"t/a.yaml.j2": "x: {{ ''.__class__.__mro__ }}\n"})
    (finding,) = render("t").findings
    assert "unsafe" in finding.message or "__class__" in finding.message
