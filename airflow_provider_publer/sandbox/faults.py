"""Seeded fault injection for ``/api/v1`` requests: 5xx, 429, slow answers and lost responses.

The decision for each request is drawn from ``random.Random(seed)`` in arrival order
(two draws per eligible request), so the same seed and the same request sequence
give the same faults. 5xx and 429 answer without processing (a 5xx quotes the
Authorization header under ``echo_credentials``). "slow" sleeps first.
"drop" processes the request completely (its state changes happen) and then loses
the response: it sends the status line and headers with the real Content-Length,
half the body, and returns without finishing. uvicorn then closes the connection
("ASGI callable returned without completing response."), and the client sees a
truncated response (httpx raises ``RemoteProtocolError``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_publer.sandbox.config import FaultConfig
from airflow_provider_publer.sandbox.shapes import error_response, rate_limited_response, rejected_credentials
from airflow_provider_publer.sandbox.state import SandboxStore

API_PREFIX = "/api/v1"
_5XX = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"))
_UVICORN_INCOMPLETE = "ASGI callable returned without completing response."
log = logging.getLogger("airflow_provider_publer.sandbox")
#: An injected 429 says "retry in a second or two", so clients that honour the header stay fast.
FAULT_RETRY_SECONDS = 1


@dataclass(frozen=True)
class FaultDecision:
    kind: str | None = None  # None, "5xx", "429", "slow" or "drop"
    status: int = 0
    reason: str = ""


NO_FAULT = FaultDecision()


class FaultInjector:
    """Draws the fault (if any) of each eligible request from a seeded generator."""

    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        """Switch to new fault settings; the generator restarts from ``config.seed``."""
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)

    def reset(self) -> None:
        self.configure(self.config)

    def applies(self, method: str, path: str) -> bool:
        config = self.config
        return (
            config.active
            and path.startswith(API_PREFIX)
            and (not config.paths or path.startswith(config.paths))
            and (not config.methods or method.upper() in config.methods)
        )

    def decide(self, method: str, path: str) -> FaultDecision:
        if not self.applies(method, path):
            return NO_FAULT
        with self._lock:
            roll, pick = self._rng.random(), self._rng.random()
        return _classify(self.config, roll, pick)


def _classify(config: FaultConfig, roll: float, pick: float) -> FaultDecision:
    bounds = (
        ("5xx", config.rate_5xx),
        ("429", config.rate_429),
        ("slow", config.rate_slow),
        ("drop", config.rate_drop),
    )
    edge = 0.0
    for kind, rate in bounds:
        edge += rate
        if roll < edge:
            if kind == "5xx":
                status, reason = _5XX[int(pick * len(_5XX)) % len(_5XX)]
                return FaultDecision(kind, status, reason)
            return FaultDecision(kind)
    return NO_FAULT


class FaultMiddleware:
    """ASGI middleware applying the injector's decisions and counting them in the store."""

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        store: SandboxStore,
        rate_limit: int,
        echo_credentials: bool = False,
    ) -> None:
        self.app = app
        self.injector = injector
        self.store = store
        self.rate_limit = rate_limit
        self.echo_credentials = echo_credentials
        _quiet_uvicorn_about_drops()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide(scope["method"], scope["path"])
        if decision.kind is None:
            await self.app(scope, receive, send)
            return
        self.store.count_fault(decision.kind)
        if decision.kind == "5xx":
            reason = decision.reason
            if self.echo_credentials:
                reason = rejected_credentials(Headers(scope=scope).get("authorization"))
            await error_response(decision.status, reason)(scope, receive, send)
        elif decision.kind == "429":
            await rate_limited_response(self._rate_headers())(scope, receive, send)
        elif decision.kind == "slow":
            await asyncio.sleep(self.injector.config.slow_seconds)
            await self.app(scope, receive, send)
        else:
            await self._drop(scope, receive, send)

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Process the request fully, then send a truncated response and abandon it."""
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        log.info("Injected fault: dropping the response to %s %s", scope["method"], scope["path"])
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None:
            return
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        declared = max(len(body), 2)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(declared).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body[: declared // 2], "more_body": True})

    def _rate_headers(self) -> dict[str, str]:
        reset = math.ceil(self.store.now().timestamp()) + FAULT_RETRY_SECONDS
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset),
        }


class _DropNoise(logging.Filter):
    """uvicorn logs every dropped response as an ERROR; here that is the intended outcome."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _UVICORN_INCOMPLETE


def _quiet_uvicorn_about_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropNoise) for f in logger.filters):
        logger.addFilter(_DropNoise())
