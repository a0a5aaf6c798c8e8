"""When to try a GitHub call again, and after how long: 5xx with the policy's backoff
(``core.retry``), rate limits (primary and secondary) after ``Retry-After``, the reset time,
or a minute."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from ..core.retry import Decision, RetryPolicy

SECONDARY_RATE_LIMIT_WAIT = 60.0
"""GitHub: without ``Retry-After``, wait at least a minute after a secondary rate limit."""


GITHUB_RETRY = RetryPolicy(attempts=5, base=1.0, cap=30.0, max_wait=60.0, jitter=0.0)
"""Five tries, waits of 1, 2, 4, 8 s after 5xx, and a minute of waiting at most per call."""


def wait_for(
    status: int,
    headers: Mapping[str, Any],
    message: str,
    *,
    now: Callable[[], float] = time.time,
) -> Decision:
    """Seconds to wait before trying again (a rate limit says how long), ``True`` for the
    policy's backoff (5xx), ``None`` when trying again cannot help."""
    lower = {k.lower(): str(v) for k, v in headers.items()}
    if is_rate_limited(status, headers, message):
        after = _retry_after(lower.get("retry-after", ""), now)
        if after is not None:
            return after
        reset = lower.get("x-ratelimit-reset", "")
        if lower.get("x-ratelimit-remaining") == "0" and reset.isdigit():
            return max(int(reset) - now(), 0.0) + 1.0
        return SECONDARY_RATE_LIMIT_WAIT
    if status >= 500:
        return True
    return None


def is_rate_limited(status: int, headers: Mapping[str, Any], message: str) -> bool:
    """A 429, or a 403 that is a (primary or secondary) rate limit, not a refusal."""
    if status == 429:
        return True
    if status != 403:
        return False
    lower = {k.lower(): str(v) for k, v in headers.items()}
    text = message.lower()
    return (
        "retry-after" in lower
        or lower.get("x-ratelimit-remaining") == "0"
        or "rate limit" in text
        or text.endswith("please retry your request again later.")
    )


def _retry_after(value: str, now: Callable[[], float]) -> float | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - now(), 0.0)
    except (TypeError, ValueError):
        return None
