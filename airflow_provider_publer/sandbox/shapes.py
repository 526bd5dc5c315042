"""The JSON shapes Publer answers in, in both documented styles ("flat" and "envelope").

Publer's docs disagree on several shapes (reference §13): a submit answers ``{job_id}``
(HTTP 200) or ``{success, data: {job_id}}`` (HTTP 202); a job reads ``complete`` with a
list of failures, or ``completed`` inside ``data.result`` with failures keyed by account;
accounts come as a list or as ``{"accounts": [...]}``. A sandbox serves one style by
config, or per request with the ``X-Sandbox-Style`` header, so clients meet every form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from airflow_provider_publer.sandbox.models import Job, Post, iso
from airflow_provider_publer.sandbox.ratelimit import RATE_LIMIT_BODY

STYLE_HEADER = "x-sandbox-style"


def error_response(status: int, *messages: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Publer's error body: ``{"errors": [...]}``."""
    return JSONResponse({"errors": list(messages)}, status_code=status, headers=dict(headers or {}))


def rejected_credentials(authorization: str | None) -> str:
    """The error text under ``echo_credentials``: the Authorization header quoted as received
    (e.g. ``Rejected credentials 'Bearer-API <key>'``), so tests can check a client scrubs it."""
    return f"Rejected credentials '{authorization or ''}'"


def rate_limited_response(headers: Mapping[str, str]) -> JSONResponse:
    """HTTP 429 with Publer's singular ``error`` body."""
    return JSONResponse(dict(RATE_LIMIT_BODY), status_code=429, headers=dict(headers))


def submitted(job_id: str, style: str) -> JSONResponse:
    if style == "envelope":
        return JSONResponse({"success": True, "data": {"job_id": job_id}}, status_code=202)
    return JSONResponse({"job_id": job_id}, status_code=200)


def accounts(items: list[dict[str, Any]], style: str) -> Any:
    return {"accounts": items} if style == "envelope" else items


def job_status(job: Job, style: str, plan: str) -> dict[str, Any]:
    """``GET /job_status/{id}`` for a post job or a media import job."""
    if job.status == "working":
        return (
            {"success": True, "data": {"status": "working"}} if style == "envelope" else {"status": "working"}
        )
    body: dict[str, Any] = {"payload": _payload(job, style)}
    if job.kind == "posts":
        body["plan"] = {"rate": plan, "locked": False}
    if style == "envelope":
        status = "completed" if job.status == "complete" else job.status
        return {"success": True, "data": {"status": status, "result": {"status": status, **body}}}
    return {"status": job.status, **body}


def _payload(job: Job, style: str) -> Any:
    if job.kind == "media":
        return {"errors": [job.error]} if job.failed else list(job.payload)
    return {"failures": failures(job.failures, style)}


def failures(items: list[dict[str, Any]], style: str) -> Any:
    """``{}`` when empty; a list (flat) or a dict of lists keyed by account id (envelope)."""
    if not items:
        return {}
    if style != "envelope":
        return [dict(f) for f in items]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(str(item["account_id"]), []).append(dict(item))
    return grouped


def post_detail(post: Post, account: Mapping[str, Any] | None, user: Mapping[str, Any]) -> dict[str, Any]:
    """The ``PostDetail`` that ``PUT /posts/{id}`` returns (reference §5.7).

    Publer's documented keys, plus the summary's ``title``, ``url``, ``network`` and
    ``has_media`` (and ``error`` on a failed post), which the sandbox adds.
    """
    summary = post.summary(dict(user))
    link = post.link or ({"url": post.url} if post.url else None)
    return {
        **summary,
        "account": {k: account.get(k) for k in ("id", "type", "name", "picture")} if account else None,
        "created_at": iso(post.created_at),
        "updated_at": iso(post.updated_at or post.created_at),
        "media": [_detail_media(m) for m in post.media],
        "link": {k: link.get(k) for k in ("url", "title", "description", "image_url")} if link else None,
        "labels": [{k: label.get(k) for k in ("id", "name", "color")} for label in post.labels],
        "auto": post.auto,
        "recycling": post.recycling,
        "recurring": post.recurring,
    }


def _detail_media(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": item.get("id"),
        "type": item.get("type"),
        "url": item.get("url") or item.get("path"),
        "alt_text": item.get("alt_text"),
    }
