"""Sandbox-only routes, outside ``/api/v1``: state view, reset, fault switch, post pages, media files.

None of these exist on Publer. They need no API key, are not rate limited and never
get injected faults, so tests and demos can always look inside. Published posts
link to ``/sandbox/posts/<id>``, so a post's ``post_link`` opens a real page.
"""

from __future__ import annotations

import html
import mimetypes
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from airflow_provider_publer.sandbox.config import FaultConfig
from airflow_provider_publer.sandbox.faults import API_PREFIX
from airflow_provider_publer.sandbox.models import Post, iso
from airflow_provider_publer.sandbox.runtime import SandboxRuntime

router = APIRouter()


def _runtime(request: Request) -> SandboxRuntime:
    sandbox: SandboxRuntime = request.app.state.sandbox
    return sandbox


@router.get("/")
async def home(request: Request) -> Response:
    """The sandbox's "web app": posts (of one job with ``?job_id=``), or a JSON banner for JSON clients.

    The provider's "Publer posts" extra link points here when the connection targets the sandbox.
    """
    root = str(request.base_url).rstrip("/")
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(
            {
                "service": "Publer sandbox",
                "api": f"{root}{API_PREFIX}",
                "state": f"{root}/sandbox/state",
                "response_style": _runtime(request).config.response_style,
            }
        )
    job_id = request.query_params.get("job_id") or None
    snapshot = _runtime(request).store.snapshot()
    posts = [p for p in snapshot["posts"] if job_id is None or p.get("job_id") == job_id]
    title = f"Posts of job {job_id}" if job_id else "All posts"
    return HTMLResponse(_page(title, _posts_table(posts, api=f"{root}{API_PREFIX}")))


@router.get("/sandbox/state")
async def state(request: Request) -> JSONResponse:
    return JSONResponse(_runtime(request).store.snapshot())


@router.post("/sandbox/reset")
async def reset(request: Request) -> JSONResponse:
    _runtime(request).reset()
    return JSONResponse({"reset": True})


@router.get("/sandbox/faults")
async def get_faults(request: Request) -> JSONResponse:
    return JSONResponse(asdict(_runtime(request).config.faults))


@router.put("/sandbox/faults")
async def set_faults(request: Request) -> Response:
    try:
        faults = FaultConfig.from_dict(await request.json())
    except (ValueError, TypeError) as err:
        return JSONResponse({"errors": [str(err)]}, status_code=400)
    _runtime(request).set_faults(faults)
    return JSONResponse(asdict(faults))


@router.get("/sandbox/posts/{post_id}")
async def post_page(request: Request, post_id: str) -> HTMLResponse:
    post = _runtime(request).store.post(post_id)
    if post is None:
        return HTMLResponse(
            _page("Post not found", f"<p>No post {html.escape(post_id)}.</p>"), status_code=404
        )
    return HTMLResponse(_page(f"{post.account_name or 'Idea'}: post {post.id}", _post_body(post)))


@router.get("/sandbox/media/tmp/{media_id}/{name}")
@router.get("/sandbox/media/{media_id}/{name}")
async def media_file(request: Request, media_id: str, name: str) -> Response:
    """The bytes of a direct upload (``tmp/`` without ``direct_upload``, as Publer's temporary URLs)."""
    found = _runtime(request).store.media_file(media_id)
    if found is None:
        return JSONResponse({"errors": ["Media not found"]}, status_code=404)
    item, data = found
    return Response(data, media_type=mimetypes.guess_type(item.name)[0] or "application/octet-stream")


def _posts_table(posts: list[dict[str, Any]], api: str) -> str:
    footer = f"<p>API: <code>{html.escape(api)}</code></p>"
    if not posts:
        return "<p>No posts yet.</p>" + footer
    columns = ("account_name", "network", "state", "scheduled_at", "text")
    head = "<tr><th>Post</th>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    rows = []
    for post in posts:
        post_id = html.escape(str(post.get("id")))
        cells = "".join(f"<td>{html.escape(str(post.get(c) or ''))}</td>" for c in columns)
        rows.append(f"<tr><td><a href='/sandbox/posts/{post_id}'>{post_id}</a></td>{cells}</tr>")
    return f"<table border='1' cellpadding='4'>{head}{''.join(rows)}</table>" + footer


def _post_body(post: Post) -> str:
    rows: list[tuple[str, Any]] = [
        ("Account", post.account_name),
        ("Network", post.network),
        ("State", post.state),
        ("Scheduled at", iso(post.scheduled_at)),
        ("Type", post.type),
        ("Job", post.job_id),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v or ''))}</td></tr>" for k, v in rows)
    return f"<blockquote>{html.escape(post.text)}</blockquote><table>{table}</table>"


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}<p><em>Publer sandbox</em></p></body></html>"
    )
