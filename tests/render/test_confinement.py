"""Renders read only files inside the repository, never .git, never through a link that leaves
it; a link that stays inside is followed (a folder too), and what a render read is recorded.

Each test plants a value outside the repository (or in .git) and a link to it, as a pull
request can, and checks that the value is in no object and that the error names the link and
where it points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitops_action.config import Target
from gitops_action.render import Rendered, render_target

from .conftest import Render, WriteFiles

STOLEN = "VALUE-FROM-OUTSIDE-THE-REPOSITORY"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\ndata: {k: VALUE}\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository holding a ConfigMap, a template and a bare value."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "cm.yaml").write_text(CM.replace("NAME", "stolen").replace("VALUE", STOLEN))
    (folder / "_part.j2").write_text(f"k: {STOLEN}\n")
    (folder / "token").write_text(STOLEN)
    return folder


def link(repo: Path, name: str, to: str | Path) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(to, path)


def leaked(rendered: Rendered) -> bool:
    return STOLEN in repr([m.obj for m in rendered.manifests])


def errors(rendered: Rendered) -> list[str]:
    return [str(f) for f in rendered.errors]


# plain


def test_a_symlinked_folder_inside_the_repository_is_followed_not_skipped(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    # Skipped before: a plan then showed its objects as deletions.
    write({"shared/cm.yaml": CM.replace("NAME", "shared").replace("VALUE", "1")})
    link(repo, "app/shared", "../shared")
    rendered = render("app")
    assert errors(rendered) == []
    assert [(m.key.name, m.source.path if m.source else "") for m in rendered.manifests] == [
        ("shared", "app/shared/cm.yaml")
    ]
    assert rendered.inputs is not None
    assert {"app/shared", "shared"} <= rendered.inputs.files | rendered.inputs.folders


def test_a_symlinked_folder_out_of_the_repository_is_an_error_naming_it(
    repo: Path, render: Render, outside: Path
) -> None:
    link(repo, "app/linked", outside)
    (repo / "app" / "cm.yaml").write_text(CM.replace("NAME", "a").replace("VALUE", "1"))
    rendered = render("app")
    assert errors(rendered) == [
        f'app/linked:1:1: symbolic link to "{outside}" leaves the repository; a render reads '
        "only files inside it: point the link inside the repository, or copy the file in"
    ]
    assert not leaked(rendered)


def test_a_symlinked_file_out_of_the_repository_is_an_error_naming_where_it_points(
    repo: Path, render: Render, outside: Path
) -> None:
    link(repo, "app/cm.yaml", outside / "cm.yaml")
    rendered = render("app")
    assert [f.source.path for f in rendered.errors if f.source] == ["app/cm.yaml"]
    assert f'symbolic link to "{outside / "cm.yaml"}" leaves the repository' in errors(rendered)[0]
    assert not leaked(rendered)


def test_a_link_into_dot_git_is_an_error_even_though_git_is_inside_the_repository(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    write({".git/config": f"[http]\n\textraheader = AUTHORIZATION: basic {STOLEN}\n"})
    link(repo, "app/config.yaml", "../.git/config")
    rendered = render("app")
    assert errors(rendered) == [
        'app/config.yaml:1:1: symbolic link to "../.git/config" points into .git; a render '
        "never reads .git (it holds the checkout's credentials): remove the link"
    ]
    assert STOLEN not in repr(rendered)


def test_a_link_to_a_folder_that_contains_it_is_an_error_not_an_endless_walk(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    write({"app/cm.yaml": CM.replace("NAME", "a").replace("VALUE", "1")})
    link(repo, "app/sub/loop", "..")
    rendered = render("app")
    assert errors(rendered) == [
        "app/sub/loop:1:1: symbolic link to a folder that contains it (a loop); remove the link"
    ]
    assert [m.key.name for m in rendered.manifests] == ["a"]


def test_a_target_folder_or_a_values_file_in_dot_git_is_refused(
    write: WriteFiles, repo: Path
) -> None:
    write({".git/hooks/cm.yaml": CM, "app/t.yaml.j2": CM, ".git/config": f"k: {STOLEN}\n"})
    in_git = render_target(Target(name="t", path=".git/hooks"), repo)
    assert errors(in_git) == [
        ".git/hooks:1:1: a render never reads .git (it holds the checkout's credentials): use "
        "a file outside .git"
    ]
    values = render_target(Target(name="t", path="app", values=(".git/config",)), repo)
    assert [f.source.path for f in values.errors if f.source] == [".git/config"]
    assert STOLEN not in repr(values)


# Jinja2


def test_a_jinja_include_through_a_link_out_of_the_repository_is_an_error(
    write: WriteFiles, repo: Path, render: Render, outside: Path
) -> None:
    write({"app/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  {% include 'parts/_part.j2' %}\n"})  # fmt: skip
    link(repo, "app/parts", outside)
    rendered = render("app", render="jinja2")
    assert f'app/parts:1:1: symbolic link to "{outside}" leaves the repository' in " ".join(
        errors(rendered)
    )
    assert not leaked(rendered)


def test_a_jinja_include_through_a_link_inside_the_repository_is_followed_and_recorded(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    write({
        "app/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  {% include '_part.j2' %}\n",
        "shared/_part.j2": "k: from-shared\n",
    })  # fmt: skip
    link(repo, "app/_part.j2", "../shared/_part.j2")
    rendered = render("app", render="jinja2")
    assert errors(rendered) == []
    assert rendered.manifests[0].obj["data"] == {"k": "from-shared"}
    assert rendered.inputs is not None
    assert {"app/_part.j2", "shared/_part.j2"} <= rendered.inputs.files


# Helm


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    "chart/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files}\n"
        'data:\n  token: {{ .Files.Get "files/token" | quote }}\n'
    ),
}


@pytest.mark.usefixtures("helm")
def test_helm_files_get_through_a_link_out_of_the_repository_is_an_error(
    write: WriteFiles, repo: Path, render: Render, outside: Path
) -> None:
    write(CHART)
    link(repo, "chart/files/token", outside / "token")
    rendered = render("chart", render="helm")
    assert errors(rendered)[0].startswith(
        f'chart/files/token:1:1: symbolic link to "{outside / "token"}" leaves the repository'
    )
    assert STOLEN not in repr(rendered)


@pytest.mark.usefixtures("helm")
def test_helm_reads_a_linked_subchart_and_file_inside_the_repository(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    write({
        **CHART,
        "shared/token": "from-shared",
        "libs/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        "libs/sub/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub}\n",
    })  # fmt: skip
    link(repo, "chart/files/token", "../../shared/token")
    link(repo, "chart/charts/sub", "../../libs/sub")
    rendered = render("chart", render="helm")
    assert errors(rendered) == []
    objects = {m.key.name: m.obj.get("data") for m in rendered.manifests}
    assert objects == {"files": {"token": "from-shared"}, "sub": None}
    assert rendered.inputs is not None
    assert {"shared/token", "chart/charts/sub"} <= rendered.inputs.files
    assert "libs/sub" in rendered.inputs.folders


@pytest.mark.usefixtures("helm")
def test_helm_never_sees_dot_git_even_for_a_chart_at_the_repository_root(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    write({
        "Chart.yaml": CHART["chart/Chart.yaml"],
        "templates/cm.yaml": CHART["chart/templates/cm.yaml"].replace("files/token", ".git/config"),
        ".git/config": STOLEN,
    })  # fmt: skip
    rendered = render(".", render="helm")
    assert errors(rendered) == []
    assert rendered.manifests[0].obj["data"] == {"token": ""}


# kustomize


def test_kustomize_cannot_generate_a_configmap_from_dot_git_config(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    # A kustomization at the repository root reaches .git by a plain relative path.
    write({
        ".git/config": f"[http]\n\textraheader = AUTHORIZATION: basic {STOLEN}\n",
        "kustomization.yaml": "configMapGenerator:\n- name: leak\n  files: [.git/config]\n",
        "overlay/kustomization.yaml": "resources: [../]\n",
    })  # fmt: skip
    rendered = render("overlay", render="kustomize")
    assert rendered.manifests == ()
    assert "kustomize failed" in errors(rendered)[0]
    assert STOLEN not in repr(rendered)


def test_kustomize_a_linked_base_out_of_the_repository_is_an_error_naming_the_link(
    write: WriteFiles, repo: Path, render: Render, outside: Path
) -> None:
    (outside / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    write({"overlay/kustomization.yaml": "resources: [base]\n"})
    link(repo, "overlay/base", outside)
    rendered = render("overlay", render="kustomize")
    assert errors(rendered) == [
        f'overlay/base:1:1: symbolic link to "{outside}" leaves the repository; a render reads '
        "only files inside it: point the link inside the repository, or copy the file in"
    ]
    assert not leaked(rendered)


def test_kustomize_a_base_that_climbs_out_of_the_repository_is_an_error_at_its_line(
    write: WriteFiles, render: Render
) -> None:
    write({"overlay/kustomization.yaml": "resources:\n- cm.yaml\n- ../../outside\n"})
    rendered = render("overlay", render="kustomize")
    assert errors(rendered) == [
        'overlay/kustomization.yaml:3:3: resources entry "../../outside" is outside the '
        "repository; a render reads only files inside it"
    ]


def test_kustomize_follows_a_linked_base_inside_the_repository_and_records_it(
    write: WriteFiles, repo: Path, render: Render
) -> None:
    write({
        "bases/web/kustomization.yaml": "resources: [cm.yaml]\n",
        "bases/web/cm.yaml": CM.replace("NAME", "web").replace("VALUE", "1"),
        "overlay/kustomization.yaml": "resources: [base]\nnamePrefix: prod-\n",
    })  # fmt: skip
    link(repo, "overlay/base", "../bases/web")
    rendered = render("overlay", render="kustomize")
    assert errors(rendered) == []
    assert [m.key.name for m in rendered.manifests] == ["prod-web"]
    assert rendered.inputs is not None
    assert "overlay/base" in rendered.inputs.files
    assert {"overlay", "bases/web"} <= rendered.inputs.folders
