"""A time limit for renderers that run in this process (Jinja2), as helm and kustomize have.

A template is code from the pull request: ``{% for a in range(99999) %}{% for b in
range(99999) %}`` never ends in practice. The limit is a ``SIGALRM`` timer: its handler raises
between two Python bytecodes, which is where a template spends its time. Signals reach only the
main thread; elsewhere (a server embedding the engine) the render runs without a limit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from ..errors import RenderError


class _Expired(BaseException):
    """Raised by the timer: a BaseException, so that no ``except Exception`` of the code that
    was running (a renderer reporting template errors) can take it for one of its own."""


@contextmanager
def time_limit(seconds: float, message: str) -> Iterator[None]:
    """Run the block for at most ``seconds``; past that, ``RenderError(message)`` with a hint."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise RenderError(
            f"{message}; stopped: a template that never ends (a loop over a loop?) must be "
            "made smaller"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
