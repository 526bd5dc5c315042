"""The one retry policy: the same decisions for the sync (requests) and async (httpx) hooks."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_publer.exceptions import (
    PublerAuthenticationError,
    PublerConnectError,
    PublerOutcomeUnknownError,
    PublerRateLimitError,
    PublerServerError,
    PublerTimeoutError,
    PublerTransientError,
    PublerValidationError,
)
from airflow_provider_publer.retries import RetryPolicy, is_retryable

LOG = logging.getLogger(__name__)


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (PublerConnectError("refused"), True),
        (PublerTimeoutError("slow"), True),
        (PublerTransientError("dropped"), True),
        (PublerRateLimitError(429, ["limit"], retry_after=3), True),
        (PublerServerError(502, ["bad gateway"]), True),
        (PublerServerError(501, ["not implemented"]), False),
        (PublerOutcomeUnknownError("POST sent, answer lost"), False),
        (PublerAuthenticationError(401, ["bad key"]), False),
        (PublerValidationError("bad", field="posts"), False),
    ],
)
def test_retry_decision(error, retry):
    assert is_retryable(error) is retry


def _failing(errors):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"

    return call, calls


SEQUENCES = [
    ([PublerServerError(503, [])] * 2, "ok", 3),
    ([PublerServerError(503, [])] * 5, PublerServerError, 4),
    ([PublerRateLimitError(429, [], retry_after=0)] * 6 + [PublerTimeoutError("t")], "ok", 8),
    ([PublerOutcomeUnknownError("lost")], PublerOutcomeUnknownError, 1),
    ([PublerRateLimitError(429, [], retry_after=500)], PublerRateLimitError, 1),
]


@pytest.mark.parametrize(("errors", "outcome", "attempts"), SEQUENCES)
def test_sync_policy(errors, outcome, attempts):
    call, calls = _failing(errors)
    retrying = RetryPolicy(max_retries=3, base_delay=0.01).retrying(LOG, sleep=lambda s: None)
    if outcome == "ok":
        assert retrying(call) == "ok"
    else:
        with pytest.raises(outcome):
            retrying(call)
    assert len(calls) == attempts


@pytest.mark.asyncio
@pytest.mark.parametrize(("errors", "outcome", "attempts"), SEQUENCES)
async def test_async_policy_makes_the_same_decisions(errors, outcome, attempts):
    call, calls = _failing(errors)

    async def acall():
        return call()

    async def no_sleep(_):
        return None

    retrying = RetryPolicy(max_retries=3, base_delay=0.01).async_retrying(LOG, sleep=no_sleep)
    if outcome == "ok":
        assert await retrying(acall) == "ok"
    else:
        with pytest.raises(outcome):
            await retrying(acall)
    assert len(calls) == attempts


def test_waits_grow_with_jitter_and_follow_the_rate_limit_reset():
    waits = []
    call, _ = _failing([PublerServerError(503, [])] * 3 + [PublerRateLimitError(429, [], retry_after=20)])
    RetryPolicy(max_retries=5, base_delay=1).retrying(LOG, sleep=waits.append)(call)
    assert 1 <= waits[0] <= 2
    assert 2 <= waits[1] <= 3
    assert 4 <= waits[2] <= 5
    assert 20 <= waits[3] <= 21


def test_no_wait_starts_past_the_deadline():
    import time

    waits = []
    call, calls = _failing([PublerServerError(503, [])] * 3)
    with pytest.raises(PublerServerError):
        RetryPolicy(max_retries=5, base_delay=1, deadline=time.time() + 0.9).retrying(
            LOG, sleep=waits.append
        )(call)
    assert len(calls) == 1
    assert waits == []
