"""The fingerprint of a target's desired state: what a plan comment says was reviewed, and what
apply compares it with when the pull request is merged (``report.reviewed``).

It is published in the comment, so it must say nothing about a Secret value: it is taken over
the normalized objects with every Secret value masked (key names kept). A Secret value that
changes alone does not move it; a key added, removed or renamed does, as does any other field.
Where an object came from (file, line) does not count, nor the order of the objects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from ..models import Manifest
from .normalize import normalize
from .secrets import mask

PREFIX = "sha256:"
DIGITS = 16
"""Hex digits kept: 64 bits tell two desired states apart; the whole hash is not needed."""


def desired_fingerprint(manifests: Iterable[Manifest]) -> str:
    """``sha256:`` and 16 hex digits over the target's masked, normalized objects."""
    objects = sorted(
        json.dumps(mask(normalize(m.obj)), sort_keys=True, separators=(",", ":"), default=str)
        for m in manifests
    )
    digest = hashlib.sha256("\n".join(objects).encode()).hexdigest()
    return PREFIX + digest[:DIGITS]
