"""The action's virtualenv in a shared tool cache is reused only while it is what was
installed: this user's, not writable by others, its files hashing to the record. Real
virtualenvs (``python -m venv --without-pip``, a second each), no act."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitops_action.adapters.virtualenv import NONE_YET, record, untrusted


@pytest.fixture
def cached(tmp_path: Path) -> tuple[Path, Path]:
    """``(cache root, link)``: a virtualenv installed, recorded and published as the action
    does, with a module of its own in site-packages."""
    root = tmp_path / "tool_cache" / "gitops-action"
    root.mkdir(parents=True)
    folder = root / "venv-0123456789abcdef-x1"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    [site] = folder.glob("lib/python*/site-packages")
    (site / "click.py").write_text("VERSION = 1\n")
    assert record(folder) == ""
    link = root / "venv-0123456789abcdef"
    os.symlink(folder, link)
    return root, link


def site_packages(link: Path) -> Path:
    [site] = Path(os.path.realpath(link)).glob("lib/python*/site-packages")
    return site


def test_a_virtualenv_as_installed_is_reused(cached: tuple[Path, Path]) -> None:
    root, link = cached
    assert untrusted(link, root) == ""


def test_a_changed_file_is_not_reused(cached: tuple[Path, Path]) -> None:
    root, link = cached
    (site_packages(link) / "click.py").write_text("import os; os.system('curl evil')\n")
    assert untrusted(link, root) == "its files are not what was installed"


def test_a_file_added_next_to_the_code_is_not_reused(cached: tuple[Path, Path]) -> None:
    root, link = cached
    (site_packages(link) / "zz-evil.pth").write_text("import os\n")
    assert untrusted(link, root) == "its files are not what was installed"


def test_bytecode_caches_do_not_count_they_are_never_read(cached: tuple[Path, Path]) -> None:
    root, link = cached
    (site_packages(link) / "__pycache__").mkdir()
    (site_packages(link) / "__pycache__" / "click.cpython-311.pyc").write_bytes(b"\0" * 16)
    assert untrusted(link, root) == ""


def test_a_file_writable_by_others_is_not_reused(cached: tuple[Path, Path]) -> None:
    root, link = cached
    module = site_packages(link) / "click.py"
    module.chmod(0o666)
    assert untrusted(link, root) == f"{module} is writable by others"


def test_a_virtualenv_without_a_record_is_installed_again(cached: tuple[Path, Path]) -> None:
    root, link = cached
    (Path(os.path.realpath(link)) / ".gitops-action-installed").unlink()
    assert untrusted(link, root) == "its files are not what was installed"
    assert untrusted(root / "venv-ffffffffffffffff", root) == NONE_YET


def test_a_link_to_a_folder_elsewhere_is_not_reused(
    cached: tuple[Path, Path], tmp_path: Path
) -> None:
    root, link = cached
    elsewhere = tmp_path / "elsewhere"
    os.rename(os.path.realpath(link), elsewhere)
    link.unlink()
    os.symlink(elsewhere, link)
    assert untrusted(link, root) == f"{link} points outside {root}"


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_a_file_of_another_user_is_not_reused(cached: tuple[Path, Path]) -> None:
    root, link = cached
    module = site_packages(link) / "click.py"
    os.chown(module, 65534, 65534)
    assert untrusted(link, root) == f"{module} belongs to another user"
