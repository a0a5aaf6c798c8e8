"""The one retry policy, and the typed API errors it decides on."""

from __future__ import annotations

import pytest

from gitops_action.core.retry import OutOfTime, RetryPolicy
from gitops_action.errors import (
    ApiError,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    ServerError,
    TooManyRequests,
    Unauthorized,
    api_error,
)


class Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


def policy(slept: list[float], **options: float) -> RetryPolicy:
    return RetryPolicy(sleep=slept.append, rand=lambda: 0.5, **options)  # type: ignore[arg-type]


def test_a_failure_that_may_pass_is_tried_again_after_a_doubling_backoff() -> None:
    slept: list[float] = []
    call = Flaky([OSError("reset"), OSError("reset"), OSError("reset")])

    assert policy(slept, base=0.2, jitter=0.1).run(call, lambda err: True) == "done"

    assert call.calls == 4
    assert slept == pytest.approx([0.25, 0.45, 0.85])


def test_a_failure_that_cannot_pass_is_raised_at_once() -> None:
    slept: list[float] = []
    call = Flaky([ValueError("bad input")])

    with pytest.raises(ValueError, match="bad input"):
        policy(slept).run(call, lambda err: None)

    assert call.calls == 1 and slept == []


def test_the_servers_wait_is_honoured_within_the_budget_of_one_call() -> None:
    slept: list[float] = []
    call = Flaky([OSError("one"), OSError("two"), OSError("three")])

    with pytest.raises(OutOfTime) as out:
        policy(slept, max_wait=50.0).run(call, lambda err: 30.0)

    assert slept == [30.0]  # a second wait of 30 s would pass the 50 s of the budget
    assert str(out.value.cause) == "two" and out.value.waited == 30.0 and out.value.wait == 30.0


def test_a_write_found_done_after_a_wait_is_not_made_again() -> None:
    slept: list[float] = []
    call = Flaky([OSError("dropped")])

    assert policy(slept).run(call, lambda err: True, recover=lambda err: "found") == "found"
    assert call.calls == 1 and len(slept) == 1


def test_at_most_the_given_number_of_tries_is_made() -> None:
    slept: list[float] = []
    call = Flaky([OSError()] * 10)

    with pytest.raises(OSError):
        policy(slept, attempts=3).run(call, lambda err: True)

    assert call.calls == 3 and len(slept) == 2


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (410, Gone),
        (422, Invalid),
        (429, TooManyRequests),
        (500, ServerError),
        (503, ServerError),
        (418, ApiError),
    ],
)
def test_an_api_status_is_raised_as_the_error_that_names_what_happened(
    status: int, kind: type[ApiError]
) -> None:
    err = api_error(status, "Reason", "message", {})
    assert type(err) is kind and err.status == status and str(err) == "message"
    assert type(err.with_message("other")) is kind


def test_a_conflict_says_whether_other_managers_own_the_fields() -> None:
    owners = {"details": {"causes": [{"type": "FieldManagerConflict", "field": ".spec"}]}}
    stale = {"details": {"kind": "configmaps"}}

    assert Conflict(409, "Conflict", "m", owners).field_owners
    assert not Conflict(409, "Conflict", "the object has been modified", stale).field_owners
