"""The command line: parse, build the configuration and adapters, call a command's ``run``.

The only click module. Errors end here: a ``GitopsError`` prints one clear message and exits 1;
anything else is a bug, exits 3 and suggests ``--debug`` for the traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from . import __version__
from .adapters.actions import ActionsEnv, WorkflowCommands, commands_allowed
from .adapters.git import Git
from .commands import Context
from .config import Target, load_config
from .errors import GitopsError
from .ports import Cluster, GitHub

EXIT_ERROR = 1
EXIT_BUG = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Default: .gitops.yaml at the repository root.",
)
@click.option(
    "--target",
    "target_names",
    multiple=True,
    metavar="NAME",
    help="Only this target (repeat for more). Default: all.",
)
@click.option(
    "--kubeconfig", type=click.Path(path_type=Path), help="Default: $KUBECONFIG or ~/.kube/config."
)
@click.option(
    "--context",
    "kube_context",
    metavar="NAME",
    help="Kubeconfig context for targets that name none.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="gitops-action")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    target_names: tuple[str, ...],
    kubeconfig: Path | None,
    kube_context: str | None,
    debug: bool,
) -> None:
    """GitOps guarantees for push-based Kubernetes delivery."""
    ctx.obj = {
        "config_path": config_path,
        "targets": target_names,
        "kubeconfig": kubeconfig,
        "kube_context": kube_context,
        "debug": debug,
    }


def target_option(command: Callable[..., None]) -> Callable[..., None]:
    """``--target`` after the command too (``apply --target staging``), as before it."""

    def merge(ctx: click.Context, _param: click.Parameter, names: tuple[str, ...]) -> None:
        obj = ctx.ensure_object(dict)
        obj["targets"] = (*obj.get("targets", ()), *names)

    return click.option(
        "--target",
        "_targets",
        multiple=True,
        metavar="NAME",
        expose_value=False,
        callback=merge,
        help="Only this target (repeat for more). Default: all.",
    )(command)


def _context(obj: dict[str, Any]) -> Context:
    config_path: Path | None = obj["config_path"]
    git = Git.discover(config_path.resolve().parent if config_path else Path.cwd())
    config = load_config(config_path or git.root / ".gitops.yaml")
    actions = ActionsEnv.load(os.environ)
    return Context(
        config=config,
        targets=config.select(obj["targets"]),
        git=git,
        actions=actions,
        out=sys.stdout,
        err=sys.stderr,
        connect=_connector(obj["kubeconfig"], obj["kube_context"]),
        github=lambda: _github(actions),
    )


def _github(actions: ActionsEnv) -> GitHub:
    from .adapters.github import GitHubClient

    return GitHubClient.from_env(actions)


def _connector(
    kubeconfig: Path | None, default_context: str | None
) -> Callable[[Target], Cluster] | None:
    """Connections per kubeconfig context, made on first use; ``None`` without a kubeconfig."""
    configured = (
        kubeconfig or os.environ.get("KUBECONFIG") or Path("~/.kube/config").expanduser().is_file()
    )
    if not configured:
        return None
    connections: dict[str, Cluster] = {}

    def connect(target: Target) -> Cluster:
        name = target.context or default_context or ""
        if name not in connections:
            from .adapters.kube import Kube

            connections[name] = Kube(kubeconfig, name or None)
        return connections[name]

    return connect


@cli.command()
@target_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
)
@click.pass_obj
def validate(obj: dict[str, Any], fmt: str) -> None:
    """Check the manifests of every target: syntax, structure, schemas, duplicates."""
    from .commands import validate as command

    ctx = _context(obj)
    # Annotations are workflow commands on purpose (their data and properties escaped).
    with commands_allowed() if fmt == "github" else nullcontext():
        raise SystemExit(command.run(ctx.config, ctx.targets, fmt=fmt, out=ctx.out))


@cli.command()
@target_option
@click.option(
    "--base-ref", metavar="REF", help="Compare with this ref. Default: the pull request's base."
)
@click.option(
    "--live/--no-live",
    default=None,
    help="Diff against the cluster. Default: when a cluster is configured.",
)
@click.option(
    "--comment/--no-comment",
    default=None,
    help="Post the PR comment. Default: on pull_request events.",
)
@click.option(
    "--output-md",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the Markdown plan here.",
)
@click.option(
    "--output-json",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the JSON report here.",
)
@click.option("--exit-code", is_flag=True, help="Exit 2 when the plan has changes.")
@click.pass_obj
def plan(
    obj: dict[str, Any],
    base_ref: str | None,
    live: bool | None,
    comment: bool | None,
    output_md: Path | None,
    output_json: Path | None,
    exit_code: bool,
) -> None:
    """Show what a merge would change, per target."""
    from .commands import plan as command

    options = command.PlanOptions(
        base_ref=base_ref,
        live=live,
        comment=comment,
        output_md=output_md,
        output_json=output_json,
        exit_code=exit_code,
    )
    raise SystemExit(command.run(_context(obj), options))


@cli.command()
@target_option
@click.option(
    "--prune/--no-prune",
    default=None,
    help="Delete what left Git. Default: each target's prune setting.",
)
@click.option(
    "--wait/--no-wait",
    default=None,
    help="Wait for rollouts to be healthy. Default: each target's wait setting.",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Health wait per target. Default: each target's wait timeout.",
)
@click.option("--dry-run", is_flag=True, help="Check and report everything; write nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Apply over a newer recorded commit, and prune past prune-limit or an empty render.",
)
@click.option(
    "--output-json",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the JSON report here.",
)
@click.pass_obj
def apply(
    obj: dict[str, Any],
    prune: bool | None,
    wait: bool | None,
    timeout: int | None,
    dry_run: bool,
    force: bool,
    output_json: Path | None,
) -> None:
    """Apply the checked-out commit: ordered, pruned, health-checked server-side apply."""
    from .commands import apply as command

    options = command.ApplyOptions(
        prune=prune,
        wait=wait,
        timeout=timeout,
        dry_run=dry_run,
        force=force,
        output_json=output_json,
    )
    raise SystemExit(command.run(_context(obj), options))


@cli.command()
@target_option
@click.option(
    "--on-drift",
    type=click.Choice(["none", "issue", "revert-pr", "adopt-pr"]),
    help="What to open when drift is found. Default: each target's drift.on-drift.",
)
@click.option(
    "--output-json",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the JSON report here.",
)
@click.option("--exit-code", is_flag=True, help="Exit 2 when drift is found.")
@click.pass_obj
def verify(
    obj: dict[str, Any], on_drift: str | None, output_json: Path | None, exit_code: bool
) -> None:
    """Find drift between Git and the cluster, and keep its issue or pull request true."""
    from .commands import verify as command

    options = command.VerifyOptions(on_drift=on_drift, output_json=output_json, exit_code=exit_code)
    raise SystemExit(command.run(_context(obj), options))


@cli.command()
@click.option(
    "--matrix",
    is_flag=True,
    help='Print {"include": [...]} for a job\'s strategy.matrix; set the step output matrix.',
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only the targets whose inputs changed between REF and the checkout.",
)
@click.pass_obj
def targets(obj: dict[str, Any], matrix: bool, changed_since: str | None) -> None:
    """List the targets (name, context, path) as JSON, for a job matrix."""
    from .commands import targets as command

    options = command.TargetsOptions(matrix=matrix, changed_since=changed_since)
    raise SystemExit(command.run(_context(obj), options))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 0 ok, 1 error, 2 changes/drift with --exit-code, 3 a bug."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Under Actions, nothing we print (manifest text) may act as a workflow command.
    with WorkflowCommands.for_env(os.environ, sys.stdout).stopped():
        return _main(args)


def _main(args: list[str]) -> int:
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="gitops-action", standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int | None) else EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("gitops-action: aborted", err=True)
        return EXIT_ERROR
    except click.ClickException as err:
        # Usage errors exit 1, not click's 2: 2 means "changes" under --exit-code.
        err.show()
        return EXIT_ERROR
    except GitopsError as err:
        if debug:
            traceback.print_exc()
        for line in str(err).splitlines() or [type(err).__name__]:
            click.echo(f"gitops-action: error: {line}", err=True)
        return EXIT_ERROR
    except Exception:
        if debug:
            traceback.print_exc()
        else:
            exc = sys.exc_info()[1]
            click.echo(
                f"gitops-action: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in gitops-action; re-run with --debug for the traceback "
                "and report it.",
                err=True,
            )
        return EXIT_BUG
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
