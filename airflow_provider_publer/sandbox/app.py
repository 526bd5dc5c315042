"""The FastAPI application of a sandbox: Publer's routes, the sandbox routes, middleware, errors.

``create_app(config)`` is all a caller needs; :class:`SandboxServer` runs the result
with uvicorn. Middleware order, outermost first: request counting, fault injection,
the gate (API key, rate limit, workspace), then the routes. Every error a route or
FastAPI raises is answered in Publer's ``{"errors": [...]}`` form.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from airflow_provider_publer.sandbox import api, api_analytics, pages
from airflow_provider_publer.sandbox.config import SandboxConfig
from airflow_provider_publer.sandbox.faults import FaultMiddleware
from airflow_provider_publer.sandbox.jobs import BadRequest
from airflow_provider_publer.sandbox.middleware import CountingMiddleware, GateMiddleware
from airflow_provider_publer.sandbox.runtime import SandboxRuntime
from airflow_provider_publer.sandbox.shapes import error_response


def create_app(config: SandboxConfig | None = None) -> FastAPI:
    """A Publer-compatible app; its :class:`SandboxRuntime` is at ``app.state.sandbox``."""
    sandbox = SandboxRuntime.build(config or SandboxConfig())
    app = FastAPI(title="Publer sandbox", description="A local Publer-compatible API.", redoc_url=None)
    app.state.sandbox = sandbox
    app.include_router(api.router)
    app.include_router(api_analytics.router)
    app.include_router(pages.router)
    app.add_exception_handler(BadRequest, _bad_request)
    app.add_exception_handler(api_analytics.Refusal, _refused)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(GateMiddleware, config=sandbox.config, store=sandbox.store, limiter=sandbox.limiter)
    app.add_middleware(
        FaultMiddleware,
        injector=sandbox.faults,
        store=sandbox.store,
        rate_limit=sandbox.config.rate_limit,
        echo_credentials=sandbox.config.echo_credentials,
    )
    app.add_middleware(CountingMiddleware, store=sandbox.store)
    return app


async def _bad_request(request: Request, exc: Exception) -> Response:
    messages = exc.messages if isinstance(exc, BadRequest) else [str(exc)]
    return error_response(400, *messages)


async def _refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, api_analytics.Refusal):
        return error_response(exc.status, exc.message)
    return error_response(500, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, StarletteHTTPException):
        return error_response(500, str(exc))
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return error_response(400, *(f"Invalid request parameters: {e.get('msg')}" for e in errors))
