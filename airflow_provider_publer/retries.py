"""The one retry policy of the provider, for the sync hook (requests) and the async one (httpx).

Which failures are worth another attempt is decided once, on the provider's typed
exceptions, so both clients follow the same rules:

- a failure that cannot have changed anything on Publer is retried: a connection never
  established (:class:`PublerConnectError`), a 429 (Publer rejected the request), and for
  requests that are safe to repeat (reads, deletes) any network trouble and 5xx;
- a POST whose outcome is unknown (sent, then a 5xx or a lost answer) is never repeated:
  the hook raises :class:`PublerOutcomeUnknownError`, which this policy does not retry, so
  nothing is posted twice.

Backoff is exponential with jitter; after a 429 the wait is what ``X-RateLimit-Reset`` /
``Retry-After`` say (plus jitter), as long as it fits ``max_wait`` and the caller's deadline.
Retries are built with tenacity: no hand-written retry loop.

:class:`RateBudget` paces requests *before* Publer's limit (100 requests per 2 minutes per
user, shared by every task and trigger using the key) runs out, from the ``X-RateLimit-*``
headers of earlier answers. The headers are the shared truth across workers, so no state
needs to be shared between processes; one budget per key and process avoids needless waits
between the tasks or triggers of one process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tenacity

from airflow_provider_publer import responses
from airflow_provider_publer.exceptions import (
    PublerRateLimitError,
    PublerServerError,
    PublerTransientError,
)

#: Jitter added to every wait, in seconds (spreads tasks that failed together).
JITTER = 1.0
#: Longest exponential backoff step, in seconds.
MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a request that failed for a passing reason is tried again.

    :param max_retries: retries after the first attempt for network trouble and 5xx.
    :param base_delay: first backoff step in seconds (doubled at each retry, plus jitter).
    :param max_wait: longest single wait accepted, in seconds (a 429 asking for more is raised).
    :param rate_limit_retries: retries after 429s (separate from ``max_retries``: a 429 means
        Publer refused the request, so it is always safe, and a busy key meets several).
    :param deadline: UNIX time after which no retry starts (a sensor's remaining time).
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_wait: float = 130.0
    rate_limit_retries: int = 10
    deadline: float | None = None

    def kwargs(self, log: Any, clock: Callable[[], float] = time.time) -> dict[str, Any]:
        """The tenacity arguments of this policy (shared by ``Retrying`` and ``AsyncRetrying``)."""
        return {
            "retry": tenacity.retry_if_exception(is_retryable),
            "wait": _Wait(self.base_delay),
            "stop": _Stop(self, clock),
            "before_sleep": _log_retry(log),
            "reraise": True,
        }

    def retrying(self, log: Any, sleep: Callable[[float], None] = time.sleep) -> tenacity.Retrying:
        """A synchronous tenacity retrier following this policy."""
        return tenacity.Retrying(sleep=sleep, **self.kwargs(log))

    def async_retrying(
        self, log: Any, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> tenacity.AsyncRetrying:
        """An asyncio tenacity retrier following the same policy."""
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        return tenacity.AsyncRetrying(**extra, **self.kwargs(log))


def is_retryable(error: BaseException) -> bool:
    """The retry decision. The hook raises these only where another attempt cannot post twice."""
    if isinstance(error, (PublerTransientError, PublerRateLimitError)):
        return True
    return isinstance(error, PublerServerError) and error.status_code != 501


class _Wait(tenacity.wait.wait_base):
    """Exponential backoff with jitter; after a 429, the wait Publer's headers ask for."""

    def __init__(self, base: float) -> None:
        self.backoff = tenacity.wait_exponential(multiplier=base, max=MAX_BACKOFF, exp_base=2)
        self.jitter = tenacity.wait_random(0, min(JITTER, base))

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, PublerRateLimitError) and error.retry_after is not None:
            return float(error.retry_after) + self.jitter(retry_state)
        return float(self.backoff(retry_state) + self.jitter(retry_state))


class _Stop(tenacity.stop.stop_base):
    """Give up after the allowed retries, before a wait over ``max_wait``, or past the deadline."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self.policy = policy
        self.clock = clock
        self.rate_limited = 0

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        wait = retry_state.upcoming_sleep
        deadline = self.policy.deadline
        if deadline is not None and self.clock() + wait > deadline:
            return True
        if isinstance(error, PublerRateLimitError):
            self.rate_limited += 1
            return wait > self.policy.max_wait or self.rate_limited > self.policy.rate_limit_retries
        return retry_state.attempt_number - self.rate_limited > self.policy.max_retries


def _log_retry(log: Any) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(retry_state: tenacity.RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        log.warning(
            "Retrying in %.1fs after attempt %d: %s",
            retry_state.upcoming_sleep,
            retry_state.attempt_number,
            error,
        )

    return before_sleep


def attempts(retrying: tenacity.BaseRetrying) -> int:
    """How many attempts a finished retrier made."""
    return int(retrying.statistics.get("attempt_number", 1))


# -- pacing under Publer's request limit --------------------------------------------------------


@dataclass
class _Reading:
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # UNIX time


class RateBudget:
    """What the last ``X-RateLimit-*`` headers said about one API key's budget, in this process.

    :meth:`wait` answers how long to wait before the next request so the budget is not used up
    before ``X-RateLimit-Reset``: nothing while plenty is left, the remaining window spread over
    the remaining requests when less than ``reserve`` of the limit is left, and the whole wait
    until the reset when nothing is left. Thread-safe; the async hook uses the same object.

    :param reserve: share of the limit below which requests are spread out (0..1).
    """

    def __init__(self, reserve: float = 0.2) -> None:
        self.reserve = reserve
        self._reading = _Reading()
        self._lock = threading.Lock()

    def observe(self, headers: Mapping[str, str], now: float | None = None) -> None:
        """Remember the budget an answer reports (headers missing: keep what is known)."""
        reading = responses.rate_limit_headers(headers, time.time() if now is None else now)
        if reading is None:
            return
        limit, remaining, reset = reading
        with self._lock:
            self._reading = _Reading(limit=limit, remaining=remaining, reset=reset)

    def wait(self, now: float | None = None) -> float:
        """Seconds to wait before the next request (``0`` when the budget allows it now)."""
        now = time.time() if now is None else now
        with self._lock:
            reading = self._reading
            if reading.remaining is None or reading.reset is None or reading.reset <= now:
                return 0.0
            left = reading.reset - now
            if reading.remaining <= 0:
                return left
            limit = reading.limit or 100
            if reading.remaining > self.reserve * limit:
                return 0.0
            return left / (reading.remaining + 1)

    def spend(self) -> None:
        """Count a request about to be sent, so the next wait accounts for it before its answer."""
        with self._lock:
            if self._reading.remaining is not None:
                self._reading.remaining -= 1


_BUDGETS: dict[str, RateBudget] = {}
_BUDGETS_LOCK = threading.Lock()


def budget_for(api_key: str, base_url: str) -> RateBudget:
    """The process-wide budget of one API key on one server (keyed by a hash: no key in memory maps)."""
    digest = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:32]
    with _BUDGETS_LOCK:
        budget = _BUDGETS.get(digest)
        if budget is None:
            budget = _BUDGETS[digest] = RateBudget()
        return budget
