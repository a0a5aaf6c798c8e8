"""The action's virtualenv: made once per runner, Python and dependency set, and reused only
when it is still what was installed.

``action.yml`` runs this file with the runner's ``python3`` before anything is installed, so
it uses the standard library only, and says what is wrong in words (Python too old, no venv
module) rather than with a traceback. The virtualenv is built in a fresh directory and then
published by renaming a symlink over its key (atomic), so jobs sharing a runner never see a
half-built one.

A tool cache may be shared (a self-hosted runner runs jobs of other repositories): a
virtualenv found there is reused only when this user owns all of it, nothing in it is
writable by group or others, and its files hash to what was recorded right after it was
installed; otherwise it is installed again, with a warning. Bytecode caches are left out of the
hash because they are never read: the action runs Python with ``PYTHONPYCACHEPREFIX`` set to a
folder of its own step. (A job running as the same user on a runner that is not ephemeral can
change anything of that user, this check included: such runners must not run untrusted code.)
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

RECORD = ".gitops-action-installed"
"""The file, inside the virtualenv, that holds the hash of what was installed."""
NONE_YET = "none yet"


def inspect(folder: Path) -> tuple[str, str]:
    """``(sha256 of every file but bytecode caches, by path and content, links by target;
    why the folder cannot be trusted, or "")``."""
    digest, uid = hashlib.sha256(), os.getuid()
    for here, dirs, files in os.walk(folder):
        dirs.sort()
        for name in [".", *dirs, *sorted(files)]:
            path = os.path.join(here, name)
            info = os.lstat(path)
            if info.st_uid != uid:
                return "", f"{path} belongs to another user"
            if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022:
                return "", f"{path} is writable by others"
            relative = os.path.relpath(path, folder)
            if name in (".", "__pycache__") or relative == RECORD:
                continue
            digest.update(relative.encode() + b"\0")
            if stat.S_ISLNK(info.st_mode):
                digest.update(b"link:" + os.readlink(path).encode() + b"\0")
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    digest.update(hashlib.file_digest(handle, "sha256").digest())
        # Never into bytecode caches (not read) nor through links (hashed by their target).
        dirs[:] = [d for d in dirs if d != "__pycache__" and not os.path.islink(Path(here, d))]
    return digest.hexdigest(), ""


def untrusted(link: Path, root: Path) -> str:
    """Why the virtualenv behind ``link`` cannot be reused; ``""`` when it can."""
    if not os.path.lexists(link):
        return NONE_YET
    if os.lstat(link).st_uid != os.getuid():
        return f"{link} belongs to another user"
    folder = Path(os.path.realpath(link))
    if folder.parent != root.resolve() or not folder.is_dir():
        return f"{link} points outside {root}"
    digest, problem = inspect(folder)
    if problem:
        return problem
    record = folder / RECORD
    if not record.is_file() or record.read_text(encoding="utf-8").strip() != digest:
        return "its files are not what was installed"
    return ""


def record(folder: Path) -> str:
    """Write the hash of what ``folder`` holds into it; why it is not safe, or ``""``."""
    digest, problem = inspect(folder)
    if not problem:
        (folder / RECORD).write_text(digest + "\n", encoding="utf-8")
    return problem


def works(python: Path) -> bool:
    probe = [str(python), "-P", "-c", "import click, yaml"]
    with tempfile.TemporaryDirectory() as pycache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": pycache}
        return subprocess.run(probe, capture_output=True, env=env, check=False).returncode == 0


def key_of(requirements: list[str], interpreter: str) -> str:
    parts = ["verified", interpreter, sys.version, *requirements]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cache_root(env: dict[str, str]) -> Path:
    """``gitops-action`` in the tool cache, else in RUNNER_TEMP: the first that is usable."""
    for place in (env.get("RUNNER_TOOL_CACHE", ""), env["RUNNER_TEMP"]):
        if not place:
            continue
        root = Path(place) / "gitops-action"
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(root, os.W_OK):
            return root
    raise SystemExit(
        "::error title=gitops-action::neither RUNNER_TOOL_CACHE nor RUNNER_TEMP is writable"
    )


def install(work: Path, interpreter: str, requirements: list[str]) -> None:
    subprocess.run([interpreter, "-m", "venv", str(work)], check=True)
    subprocess.run(
        [str(work / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--no-input", "--no-compile", *requirements],
        check=True,
    )  # fmt: skip


def main() -> int:
    if os.name == "nt":
        print("::error title=gitops-action::gitops-action runs on Linux and macOS runners")
        return 1
    # The runner's python3 may be older than the package needs: say so, no traceback.
    if sys.version_info < (3, 11):  # noqa: UP036
        found = sys.version.split()[0]
        print(
            f"::error title=gitops-action::gitops-action needs Python 3.11 or newer; the "
            f"runner's python3 is {found}: add actions/setup-python with python-version: "
            "'3.12' before this step"
        )
        return 1
    import tomllib

    os.umask(0o022)  # nothing installed is writable by group or others, whatever the runner's
    env = dict(os.environ)
    with open(Path(env["GITHUB_ACTION_PATH"]) / "pyproject.toml", "rb") as handle:
        requirements = sorted(tomllib.load(handle)["project"]["dependencies"])
    interpreter = os.path.realpath(sys.executable)
    key = key_of(requirements, interpreter)
    root = cache_root(env)
    link = root / f"venv-{key}"
    python = link / "bin" / "python"
    reason = untrusted(link, root)
    if not reason and works(python):
        print(f"gitops-action: reusing {link} (Python {sys.version.split()[0]})")
    else:
        if reason != NONE_YET:
            print(
                f"::warning title=gitops-action::not reusing {link}: {reason}; installing the "
                "dependencies again"
            )
        print(f"::group::gitops-action: installing the dependencies into {link}", flush=True)
        work = Path(tempfile.mkdtemp(prefix=f"venv-{key}-", dir=root))
        try:
            install(work, interpreter, requirements)
        except subprocess.CalledProcessError as err:
            print("::endgroup::")
            print(
                "::error title=gitops-action::cannot install the dependencies "
                f"({' '.join(map(str, err.cmd[:4]))}... exited {err.returncode}; the log above "
                "says why): the runner needs python3 with venv (Debian/Ubuntu: python3-venv) "
                "and access to PyPI or to the index in PIP_INDEX_URL"
            )
            return 1
        problem = record(work)
        if problem:
            print("::endgroup::")
            print(f"::error title=gitops-action::the new virtualenv is not safe: {problem}")
            return 1
        staged = root / f".venv-{key}-{os.getpid()}"
        os.symlink(work, staged)
        os.replace(staged, link)
        print("::endgroup::", flush=True)
    with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"python={python}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
