"""Publer's request limit: N requests per sliding window per API key, with X-RateLimit-* headers.

Publer documents 100 requests per 2 minutes per user and the three headers; a
refused request gets HTTP 429 ``{"error": "Rate limit exceeded. Retry later."}`` and
does not use up the window.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

RATE_LIMIT_BODY = {"error": "Rate limit exceeded. Retry later."}


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # UNIX timestamp when the oldest counted request leaves the window

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class SlidingWindowLimiter:
    """Counts requests per key in the last ``window`` seconds; thread-safe."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> RateDecision:
        """Count one request at ``now`` (UNIX seconds) unless the window is full."""
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return RateDecision(False, self.limit, 0, math.ceil(hits[0] + self.window))
            hits.append(now)
            return RateDecision(True, self.limit, self.limit - len(hits), math.ceil(hits[0] + self.window))

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
