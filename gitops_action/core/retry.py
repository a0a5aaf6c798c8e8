"""When to try a call again, and after how long: one policy for the Kubernetes and GitHub
adapters and for server-side apply's optimistic-concurrency conflicts.

The caller says, per failure, whether trying again can help and whether the server named a
wait (``Retry-After``); the policy owns the rest: exponential backoff with jitter, a cap on
one wait, a cap on the waits of one call, and at most ``attempts`` tries. ``sleep`` and the
jitter's random source are injectable, so tests never wait and are deterministic.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

Decision = float | bool | None
"""What a caller's ``decide`` returns for a failure: ``None``/``False``, give up (re-raise);
``True``, try again after the policy's backoff; a number, try again after that many seconds
(a server's ``Retry-After``), capped by the policy."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    """Tries in all, the first included."""
    base: float = 0.2
    """The first backoff; it doubles with each try."""
    cap: float = 5.0
    """One backoff at most (a server-named wait may be longer, up to ``max_wait``)."""
    max_wait: float = 60.0
    """All the waits of one call together at most; past it, give up."""
    jitter: float = 0.1
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = field(default=random.random)

    def backoff(self, attempt: int) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return min(self.base * 2.0 ** (attempt - 1), self.cap) + self.jitter * self.rand()

    def run(
        self,
        call: Callable[[], T],
        decide: Callable[[Exception], Decision],
        *,
        recover: Callable[[Exception], T | None] | None = None,
    ) -> T:
        """``call()``, tried again while ``decide`` says it may help, at most ``attempts``
        times and ``max_wait`` seconds of waiting; past the budget, ``OutOfTime``.

        ``recover(err)``, when given, runs after each wait and before the next try: for a
        write whose outcome a failure left unknown (a 5xx, a dropped connection), it looks
        for the result, so that a write the server did take is never made twice.
        """
        waited = 0.0
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except Exception as err:
                decision = decide(err)
                if decision is None or decision is False or attempt == self.attempts:
                    raise
                wait = self.backoff(attempt) if decision is True else float(decision)
                if waited + wait > self.max_wait:
                    raise OutOfTime(err, wait, waited) from err
                waited += wait
                self.sleep(wait)
                if recover is not None:
                    done = recover(err)
                    if done is not None:
                        return done
        raise AssertionError("unreachable")  # pragma: no cover


class OutOfTime(Exception):
    """The next wait would pass the policy's ``max_wait``: ``cause`` is the last failure."""

    def __init__(self, cause: Exception, wait: float, waited: float) -> None:
        super().__init__(f"{cause} (the next try would wait {wait:.0f} s more)")
        self.cause, self.wait, self.waited = cause, wait, waited


NO_WAIT = RetryPolicy(sleep=lambda _seconds: None, rand=lambda: 0.0)
"""For tests: the same decisions, no sleeping."""
