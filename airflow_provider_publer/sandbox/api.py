"""The Publer API routes (``/api/v1/...``) the sandbox serves.

Authentication, the rate limit, the workspace header and fault injection happen
in middleware before these run (see ``middleware.py`` and ``faults.py``); a route
reads the accepted workspace from ``request.state.workspace_id``. Query parameters
are read by hand so Rails-style arrays (``state[]=a&state[]=b``) work as on Publer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pendulum
from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, Response

from airflow_provider_publer.sandbox import jobs, shapes
from airflow_provider_publer.sandbox.config import SANDBOX_USER
from airflow_provider_publer.sandbox.faults import API_PREFIX
from airflow_provider_publer.sandbox.jobs import BadRequest
from airflow_provider_publer.sandbox.media import SUPPORTED_EXTENSIONS, media_type
from airflow_provider_publer.sandbox.models import UTC, as_utc, parse_time
from airflow_provider_publer.sandbox.paging import Paging
from airflow_provider_publer.sandbox.runtime import SandboxRuntime
from airflow_provider_publer.sandbox.state import Page, PostFilter
from airflow_provider_publer.sandbox.updates import UpdateRefused

router = APIRouter(prefix=API_PREFIX)


# -- request helpers ----------------------------------------------------------------------------


def runtime(request: Request) -> SandboxRuntime:
    sandbox: SandboxRuntime = request.app.state.sandbox
    return sandbox


def workspace_id(request: Request) -> str:
    return str(request.state.workspace_id)


def style(request: Request) -> str:
    return runtime(request).style_for(request.headers)


def paging(request: Request) -> Paging:
    return runtime(request).paging_for(request.headers)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def many(request: Request, name: str) -> list[str]:
    """A Rails-style array parameter: ``name[]=a&name[]=b``, also ``name=a&name=b``."""
    params = request.query_params
    return [v for v in [*params.getlist(f"{name}[]"), *params.getlist(name)] if v != ""]


def page_number(request: Request) -> int:
    raw = request.query_params.get("page") or "0"
    if not raw.isdigit():
        raise BadRequest("Invalid request parameters: page must be a non-negative integer")
    return int(raw)


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise BadRequest("Invalid request parameters: the body must be JSON") from None


# -- users, workspaces, accounts ----------------------------------------------------------------


@router.get("/users/me")
async def users_me() -> JSONResponse:
    return JSONResponse(dict(SANDBOX_USER))


@router.get("/workspaces")
async def list_workspaces(request: Request) -> JSONResponse:
    return JSONResponse([dict(w) for w in runtime(request).config.workspaces])


@router.get("/accounts")
async def list_accounts(request: Request) -> JSONResponse:
    accounts = [dict(a) for a in runtime(request).config.workspace_accounts(workspace_id(request))]
    return JSONResponse(shapes.accounts(accounts, style(request)))


# -- posts --------------------------------------------------------------------------------------


@router.post("/posts/schedule")
async def schedule_posts(request: Request) -> Response:
    return await _submit_posts(request, "schedule")


@router.post("/posts/schedule/publish")
async def publish_posts(request: Request) -> Response:
    return await _submit_posts(request, "publish")


async def _submit_posts(request: Request, endpoint: str) -> Response:
    bulk = jobs.parse_bulk(await json_body(request))
    job_id = runtime(request).store.submit_posts(workspace_id(request), endpoint, bulk, base_url(request))
    return shapes.submitted(job_id, style(request))


@router.get("/job_status/{job_id}")
async def job_status(request: Request, job_id: str) -> Response:
    sandbox = runtime(request)
    job = sandbox.store.job(workspace_id(request), job_id)
    if job is None:
        return shapes.error_response(404, "Job not found")
    return JSONResponse(shapes.job_status(job, style(request), sandbox.config.plan))


@router.get("/posts")
async def list_posts(request: Request) -> JSONResponse:
    how = paging(request)
    page = runtime(request).store.list_posts(workspace_id(request), post_filter(request), how)
    return JSONResponse(
        {"posts": page.items, **how.keys(page.total, page.page, page.per_page, page_keys=True)}
    )


def post_filter(request: Request) -> PostFilter:
    params = request.query_params
    return PostFilter(
        states=many(request, "state"),
        account_ids=many(request, "account_ids"),
        start=range_bound("from", params.get("from"), end=False),
        end=range_bound("to", params.get("to"), end=True),
        query=params.get("query") or None,
        types=[params["postType"]] if params.get("postType") else [],
        page=page_number(request),
    )


def range_bound(name: str, raw: str | None, *, end: bool) -> datetime | None:
    """``from``/``to``: an ISO date (the whole day, UTC) or datetime (no offset = UTC)."""
    if not raw:
        return None
    problem = f"Invalid request parameters: {name} must be an ISO date (YYYY-MM-DD) or datetime"
    if len(raw) == 10:
        try:
            day = pendulum.parse(raw, exact=True)
        except (ValueError, TypeError):
            raise BadRequest(problem) from None
        if not isinstance(day, pendulum.Date) or isinstance(day, datetime):
            raise BadRequest(problem)
        start = pendulum.datetime(day.year, day.month, day.day, tz=UTC)
        return start + timedelta(days=1, microseconds=-1) if end else start
    parsed = parse_time(raw)
    if parsed is None:
        raise BadRequest(problem)
    return as_utc(parsed)


@router.delete("/posts")
async def delete_posts(request: Request) -> JSONResponse:
    post_ids = many(request, "post_ids")
    if not post_ids:
        raise BadRequest("Invalid request parameters: post_ids[] is required")
    deleted = runtime(request).store.delete_posts(workspace_id(request), post_ids)
    return JSONResponse({"deleted_ids": deleted})


@router.put("/posts/{post_id}")
async def update_post(request: Request, post_id: str) -> Response:
    body = await json_body(request)
    changes = body.get("post") if isinstance(body, dict) else None
    if not isinstance(changes, dict):
        raise BadRequest("Invalid request parameters: the body needs a 'post' object")
    sandbox = runtime(request)
    try:
        post = sandbox.store.update_post(workspace_id(request), post_id, changes)
    except UpdateRefused as refused:
        return shapes.error_response(refused.status, refused.message)
    if post is None:
        return shapes.error_response(404, "Post not found")
    accounts = {str(a["id"]): a for a in sandbox.config.workspace_accounts(workspace_id(request))}
    return JSONResponse(shapes.post_detail(post, accounts.get(post.account_id or ""), SANDBOX_USER))


# -- media --------------------------------------------------------------------------------------


@router.post("/media")
async def upload_media(request: Request) -> Response:
    limit = runtime(request).config.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        return _too_large(limit)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadRequest("Invalid request parameters: multipart field 'file' is required")
    data = await upload.read()
    if len(data) > limit:
        return _too_large(limit)
    name = upload.filename or "upload"
    if media_type(name, upload.content_type) is None:
        raise BadRequest(
            f"Invalid request parameters: unsupported file type '{name}' "
            f"(supported: {', '.join(SUPPORTED_EXTENSIONS)})"
        )
    item = runtime(request).store.add_upload(
        workspace_id(request),
        name,
        upload.content_type,
        data,
        base_url(request),
        in_library=_flag(form.get("in_library")),
        direct_upload=_flag(form.get("direct_upload")),
    )
    return JSONResponse(item.upload_view())


#: Room for the multipart boundaries and headers around a file of exactly the limit.
MULTIPART_SLACK = 64 * 1024


def _too_large(limit: int) -> Response:
    size = f"{limit // (1024 * 1024)}MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return shapes.error_response(
        413, f"Payload Too Large: direct uploads are limited to {size}; upload larger files from a URL"
    )


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")


@router.post("/media/from-url")
async def import_media(request: Request) -> Response:
    body = jobs.parse_media_import(await json_body(request))
    job_id = runtime(request).store.submit_media_import(workspace_id(request), body, base_url(request))
    return shapes.submitted(job_id, style(request))


@router.get("/media")
async def list_media(request: Request) -> JSONResponse:
    how = paging(request)
    used = [v.lower() in ("true", "1") for v in many(request, "used")]
    page: Page = runtime(request).store.list_media(
        workspace_id(request),
        types=many(request, "types"),
        used=used,
        ids=many(request, "ids"),
        search=request.query_params.get("search") or None,
        page=page_number(request),
        paging=how,
    )
    return JSONResponse(
        {"media": page.items, **how.keys(page.total, page.page, page.per_page, page_keys=False)}
    )
