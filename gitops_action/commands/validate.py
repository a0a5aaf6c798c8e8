"""``gitops-action validate``: render every target, check every object, print the findings.

Offline: no cluster, no network, nothing written to disk. A target that cannot be rendered at
all (a missing tool) is a finding too, so one broken target never hides the others' problems.
Exit code 1 when any finding is an error, else 0 (warnings alone do not fail).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from ..config import Config, Target
from ..errors import GitopsError
from ..models import Finding
from ..render import Rendered, render_target
from ..report.findings import FORMATS, format_findings
from ..validate.checks import validate


def run(config: Config, targets: Sequence[Target], *, fmt: str, out: TextIO) -> int:
    if fmt not in FORMATS:
        raise GitopsError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rendered = [_render(target, config) for target in targets]
    findings = validate(rendered)
    out.write(format_findings(findings, fmt))
    return 1 if any(f.severity == "error" for f in findings) else 0


def _render(target: Target, config: Config) -> Rendered:
    try:
        return render_target(target, config.root)
    except GitopsError as err:
        failure = Finding(str(err), target.source, target=target.name)
        return Rendered(target, (), (failure,))
