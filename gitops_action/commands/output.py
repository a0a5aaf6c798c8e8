"""Files the user asked for (``--output-md``, ``--output-json``), written or refused clearly."""

from __future__ import annotations

from pathlib import Path

from ..errors import GitopsError


def write_output(path: Path, text: str, option: str) -> None:
    """Write ``text`` to ``path``; a path that cannot be written is one error naming the
    option, the path and why (never a traceback)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise GitopsError(
            f"{option} {path}: cannot write it ({reason}); pass a file in a folder that exists "
            "and is writable (the report above is complete)"
        ) from None
