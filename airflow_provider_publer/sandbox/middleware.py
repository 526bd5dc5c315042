"""What every ``/api/v1`` request passes before a route: counting, API key, rate limit, workspace.

The gate answers like Publer: 401 ``{"errors": [...]}`` for a missing or unknown key
(quoting the Authorization header under ``echo_credentials``, as a careless server might),
429 with X-RateLimit-* headers when the key's window is full, 403 for a missing or
foreign ``Publer-Workspace-Id`` (not needed on ``/users/me`` and ``/workspaces``). When
rate limiting is on, every answer to a known key carries the X-RateLimit-* headers.
The accepted workspace id is put in ``request.state.workspace_id`` for the routes.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_publer.sandbox.config import SandboxConfig
from airflow_provider_publer.sandbox.faults import API_PREFIX
from airflow_provider_publer.sandbox.ratelimit import SlidingWindowLimiter
from airflow_provider_publer.sandbox.shapes import error_response, rate_limited_response, rejected_credentials
from airflow_provider_publer.sandbox.state import SandboxStore

AUTH_SCHEME = "bearer-api"
WORKSPACE_HEADER = "publer-workspace-id"
NO_WORKSPACE_PATHS = frozenset({f"{API_PREFIX}/users/me", f"{API_PREFIX}/workspaces"})


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


class CountingMiddleware:
    """Counts every ``/api/v1`` request as it arrives (before faults, auth and limits)."""

    def __init__(self, app: ASGIApp, store: SandboxStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_api_path(scope["path"]):
            self.store.count_request(scope["method"], scope["path"])
        await self.app(scope, receive, send)


class GateMiddleware:
    """Authentication, the rate limit and the workspace header of ``/api/v1`` requests."""

    def __init__(
        self, app: ASGIApp, config: SandboxConfig, store: SandboxStore, limiter: SlidingWindowLimiter
    ) -> None:
        self.app = app
        self.config = config
        self.store = store
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = api_key(headers.get("authorization"))
        if key is None or key not in self.config.api_keys:
            message = "Missing or invalid Authorization header"
            if self.config.echo_credentials:
                message = rejected_credentials(headers.get("authorization"))
            await error_response(401, message)(scope, receive, send)
            return
        rate_headers: dict[str, str] = {}
        if self.config.rate_limit_enabled:
            decision = self.limiter.hit(key, self.store.now().timestamp())
            rate_headers = decision.headers()
            if not decision.allowed:
                self.store.count_rate_limited()
                await rate_limited_response(rate_headers)(scope, receive, send)
                return
        problem = self._workspace_problem(scope, headers)
        if problem:
            await error_response(403, problem, headers=rate_headers)(scope, receive, send)
            return
        await self.app(scope, receive, _adding_headers(send, rate_headers))

    def _workspace_problem(self, scope: Scope, headers: Headers) -> str | None:
        """Why the request may not go on (403 message), or None; records the workspace id."""
        if scope["path"].rstrip("/") in NO_WORKSPACE_PATHS:
            return None
        workspace_id = (headers.get(WORKSPACE_HEADER) or "").strip()
        if not workspace_id:
            return "Missing Publer-Workspace-Id header"
        if self.config.workspace(workspace_id) is None:
            return f"Workspace {workspace_id} not found or no access"
        scope.setdefault("state", {})["workspace_id"] = workspace_id
        return None


def api_key(authorization: str | None) -> str | None:
    """The key of ``Authorization: Bearer-API <key>`` (scheme case-insensitive), else None."""
    scheme, _, key = (authorization or "").strip().partition(" ")
    if scheme.lower() != AUTH_SCHEME:
        return None
    return key.strip() or None


def _adding_headers(send: Send, extra: Mapping[str, str]) -> Send:
    if not extra:
        return send

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in extra.items():
                headers[name] = value
        await send(message)

    return wrapped
