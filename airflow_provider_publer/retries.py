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
from airflow_provider_publer.exceptions import PublerRateLimitError, is_transient

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
    """The retry decision: the error is transient (:func:`~airflow_provider_publer.exceptions.is_transient`).

    The hook raises transient errors only where another attempt cannot post twice: a request of
    unknown outcome raises :class:`~airflow_provider_publer.exceptions.PublerOutcomeUnknownError`,
    which is not transient.
    """
    return is_transient(error)


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

#: Publer's documented request limit: 100 requests per 2 minutes per user (connection extras
#: ``rate_limit`` and ``rate_limit_window`` change it for users Publer gave more).
DEFAULT_RATE_LIMIT = 100
DEFAULT_RATE_WINDOW = 120.0


class RateBudget:
    """Paces the requests of one API key in this process so Publer's limit is not run into.

    A token bucket of ``limit`` tokens refilled at ``limit / window`` per second: every request
    reserves a token first (:meth:`reserve` says how long to wait for it), so the requests of
    every task thread and trigger coroutine of the process queue up behind each other instead of
    bursting. Publer's ``X-RateLimit-*`` headers are the truth shared with other processes and
    hosts (Celery or Kubernetes workers using the same key): each answer sets the tokens to what
    Publer says is left (:meth:`observe`), and no new token comes before ``X-RateLimit-Reset``,
    so ``X-RateLimit-Remaining: 0`` makes the next request wait for the reset. Thread-safe and
    non-blocking (it only computes waits), so the async hook uses the same object on the event
    loop.

    :param limit: requests per window.
    :param window: the window, in seconds.
    """

    def __init__(self, limit: int = DEFAULT_RATE_LIMIT, window: float = DEFAULT_RATE_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._tokens = float(limit)
        self._at: float | None = None  # tokens accrue from this instant on (never before a reset)
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        """Tokens per second."""
        return self.limit / self.window

    def reserve(self, now: float | None = None) -> float:
        """Book the next request; return the seconds to wait before sending it."""
        now = time.time() if now is None else now
        with self._lock:
            self._refill(now)
            self._tokens -= 1
            self._in_flight += 1
            if self._tokens >= 0:
                return 0.0
            start = max(now, self._at if self._at is not None else now)
            return start - now - self._tokens / self.rate

    def cancel(self) -> None:
        """Give back a reservation that will not be used (e.g. its wait passes a deadline)."""
        with self._lock:
            self._tokens = min(float(self.limit), self._tokens + 1)
            self._in_flight = max(0, self._in_flight - 1)

    def release(self) -> None:
        """A reserved request ended without an answer carrying headers."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def observe(self, headers: Mapping[str, str], now: float | None = None, *, reserved: bool = True) -> None:
        """A request was answered: follow what Publer says is left of the window.

        :param reserved: the request had reserved a token (``False`` for the connection test).
        """
        now = time.time() if now is None else now
        reading = responses.rate_limit_headers(headers, now)
        with self._lock:
            if reserved:
                self._in_flight = max(0, self._in_flight - 1)
            if reading is None:
                return
            limit, remaining, reset = reading
            self._refill(now)
            if limit and limit > 0:
                self.limit = limit
            self._tokens = min(float(self.limit), float(remaining - self._in_flight))
            if reset > now:  # the next slot frees at the reset: the first new token arrives then
                self._at = max(now, reset - 1 / self.rate)

    def _refill(self, now: float) -> None:
        if self._at is None:
            self._at = now
        elif now > self._at:
            self._tokens = min(float(self.limit), self._tokens + (now - self._at) * self.rate)
            self._at = now


_BUDGETS: dict[str, RateBudget] = {}
_BUDGETS_LOCK = threading.Lock()


def budget_for(
    api_key: str, base_url: str, limit: int = DEFAULT_RATE_LIMIT, window: float = DEFAULT_RATE_WINDOW
) -> RateBudget:
    """The process-wide budget of one API key on one server (keyed by a hash: no key in memory maps)."""
    digest = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:32]
    with _BUDGETS_LOCK:
        budget = _BUDGETS.get(digest)
        if budget is None:
            budget = _BUDGETS[digest] = RateBudget(limit, window)
        return budget
