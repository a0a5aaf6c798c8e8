"""What of a kubeconfig to mask in the Actions log, each credential on its own.

The action's ``kubeconfig`` input is content, often pasted from a secret: the runner masks a
secret as a whole (and act not even per line), so a token printed alone, or a value of a
kubeconfig written in flow style (``users: [{name: ci, user: {token: abc}}]``), would show.
``action.yml`` prints ``mask_commands`` of the input before any step reads it: every value of
every field that can hold a credential (``token``, ``client-key-data``, ``password``, exec
``env`` values, ``auth-provider`` settings, any ``*secret*``/``*key*``/``*cert*`` field) on its
own, whatever the YAML layout, each line of a multi-line value, and every line that carries
data as written. Names (of contexts, clusters, users, namespaces) are not masked: masking
``admin`` or ``v1`` would hide those words everywhere in the log, and GitHub drops a job
output that contains a masked value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

NAMES = frozenset({
    "apiVersion", "kind", "name", "cluster", "user", "context", "current-context", "namespace",
    "preferences", "command", "interactiveMode", "provideClusterInfo", "installHint",
})  # fmt: skip
"""Fields that name things or configure the client: never masked."""
SENSITIVE = re.compile(r"token|password|secret|key|cert|credential|auth|value", re.IGNORECASE)
"""Fields whose values are credentials (``value``: an exec plugin's ``env`` entry)."""
SHORTEST = 4
"""A credential field's value shorter than this is not masked (it would hide common words)."""
SHORTEST_OTHER = 8
"""Other values (a server URL, exec args) are masked from this length on."""
_OPENERS = ("", "|", "|-", "|+", ">", ">-", ">+", "{", "[", "{}", "[]", "null", "~")
_PAIR = re.compile(r"""^["']?([\w.-]+)["']?\s*:\s+(.*?),?$""")


def credential_values(text: str) -> list[str]:
    """Every text to mask, longest first (so that a longer value is masked whole)."""
    found: set[str] = set()
    try:
        documents = list(yaml.load_all(text, Loader=yaml.BaseLoader))  # every scalar as written
    except yaml.YAMLError:
        documents = []  # the lines below still mask what it holds
    for document in documents:
        for key, value in _scalars(document, ""):
            found.update(_pieces(key, value))
    for raw in text.splitlines():
        line = raw.strip()
        while line.startswith("- "):
            line = line[2:].lstrip()
        pair = _PAIR.match(line)
        if pair and pair.group(1) in NAMES:
            continue
        if len(line) >= SHORTEST_OTHER and not line.endswith((":", "{", "[")):
            found.add(line)
        if pair:
            found.update(_pieces(pair.group(1), pair.group(2).strip().strip("\"'")))
    return sorted(found, key=lambda v: (-len(v), v))


def mask_commands(text: str) -> str:
    """``::add-mask::VALUE`` lines for the runner, values escaped as @actions/core does."""
    return "".join(f"::add-mask::{_escape(value)}\n" for value in credential_values(text))


def _scalars(node: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _scalars(value, str(name))
    elif isinstance(node, list):
        for item in node:
            yield from _scalars(item, key)
    elif isinstance(node, str):
        yield key, node


def _pieces(key: str, value: str) -> Iterator[str]:
    """The value and each of its lines, when long enough to mask."""
    if key in NAMES:
        return
    shortest = SHORTEST if SENSITIVE.search(key) else SHORTEST_OTHER
    for piece in {value.strip(), *(line.strip() for line in value.splitlines())}:
        if len(piece) >= shortest and piece not in _OPENERS:
            yield piece


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
