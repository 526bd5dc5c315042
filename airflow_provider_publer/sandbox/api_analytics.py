"""The analytics and competitor routes (``/api/v1/analytics/...``, ``/api/v1/competitors/...``),
answering in Publer's documented shapes.

The numbers come from ``analytics.py`` (deterministic, from the workspace's published
posts). Behaviours reported by Publer's users are kept: ``post_insights`` without
``from``/``to`` answers HTTP 500 and ``best_times`` without dates answers ``[]``. A
workspace on the free plan gets 403 "Permission denied - requires analytics access or
paying subscription"; an account outside the workspace gets 404 "Resource does not exist".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from airflow_provider_publer.sandbox import analytics, shapes
from airflow_provider_publer.sandbox.api import many, page_number, paging, range_bound, runtime, workspace_id
from airflow_provider_publer.sandbox.config import SANDBOX_EDITOR, SANDBOX_USER
from airflow_provider_publer.sandbox.faults import API_PREFIX
from airflow_provider_publer.sandbox.jobs import BadRequest
from airflow_provider_publer.sandbox.models import Post, as_utc

router = APIRouter(prefix=API_PREFIX)

INSIGHTS_PER_PAGE = 10
MAX_CHART_DAYS = 366
DEFAULT_CHART_DAYS = 30
MSG_NO_ANALYTICS = "Permission denied - requires analytics access or paying subscription"
MSG_NO_ACCOUNT = "Resource does not exist"


class Refusal(Exception):
    """An analytics request Publer refuses; the app answers ``{"errors": [message]}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _account(request: Request, account_id: str) -> dict[str, Any]:
    """The workspace's account, after the plan check; raises :class:`Refusal`."""
    _check_plan(request)
    for account in runtime(request).config.workspace_accounts(workspace_id(request)):
        if str(account.get("id")) == account_id:
            return account
    raise Refusal(404, MSG_NO_ACCOUNT)


def _check_plan(request: Request) -> None:
    if runtime(request).config.plan == "free":
        raise Refusal(403, MSG_NO_ANALYTICS)


def _published(
    request: Request, account_ids: list[str] | None, start: datetime | None, end: datetime | None
) -> list[Post]:
    posts = runtime(request).store.posts_in(workspace_id(request), account_ids, start, end)
    return [p for p in posts if p.state == "published"]


def _sort_type(request: Request, default: str = "DESC") -> bool:
    """Whether ``sort_type`` asks for descending order (ASC|DESC, any case)."""
    value = (request.query_params.get("sort_type") or default).upper()
    if value not in ("ASC", "DESC"):
        raise BadRequest("Invalid request parameters: sort_type must be ASC or DESC")
    return value == "DESC"


# -- charts -------------------------------------------------------------------------------------


@router.get("/analytics/charts")
async def charts(request: Request) -> Response:
    """The charts of an ``account_type``."""
    _check_plan(request)
    kind = request.query_params.get("account_type") or ""
    if kind not in analytics.ACCOUNT_TYPES:
        raise BadRequest(
            f"Invalid request parameters: account_type must be one of {', '.join(analytics.ACCOUNT_TYPES)}"
        )
    return JSONResponse([c.describe() for c in analytics.charts_for(kind)])


@router.get("/analytics/{account_id}/chart_data")
async def chart_data(request: Request, account_id: str) -> Response:
    """``{"current": {chart: ...}, "previous": {chart: ...}}`` over the period and the one before."""
    return _chart_data(request, account_id)


@router.get("/analytics/chart_data")
async def chart_data_by_query(request: Request) -> Response:
    """The OpenAPI's spelling of the same route, with ``account_id`` as a query parameter."""
    return _chart_data(request, request.query_params.get("account_id") or "")


def _chart_data(request: Request, account_id: str) -> Response:
    account = _account(request, account_id)
    kind = analytics.account_type(account)
    if kind is None:
        raise Refusal(422, f"Analytics are not available for {account.get('provider')} accounts")
    chart_ids = many(request, "chart_ids")
    if not chart_ids:
        raise BadRequest("Invalid request parameters: chart_ids[] is required")
    offered = {c.id for c in analytics.charts_for(kind)}
    unknown = [c for c in chart_ids if c not in offered]
    if unknown:
        raise BadRequest(
            f"Invalid request parameters: chart_ids {', '.join(unknown)} not available for {kind} "
            f"(available: {', '.join(sorted(offered))})"
        )
    first, last = _period(request)
    length = (last - first).days + 1
    before_first, before_last = first - timedelta(days=length), first - timedelta(days=1)
    start, end = _day_start(before_first), _day_end(last)
    posts = _published(request, [account_id], start, end)

    def period(lo: date, hi: date) -> dict[str, Any]:
        inside = [p for p in posts if analytics.in_range(p, _day_start(lo), _day_end(hi))]
        span = analytics.days(lo, hi)
        return {c: analytics.chart_series(c, account_id, span, inside) for c in dict.fromkeys(chart_ids)}

    return JSONResponse({"current": period(first, last), "previous": period(before_first, before_last)})


def _period(request: Request) -> tuple[date, date]:
    """The days of ``from``..``to`` (UTC dates), by default the 30 days up to today."""
    params = request.query_params
    end = range_bound("to", params.get("to"), end=True)
    start = range_bound("from", params.get("from"), end=False)
    last = as_utc(end).date() if end else as_utc(runtime(request).store.now()).date()
    first = as_utc(start).date() if start else last - timedelta(days=DEFAULT_CHART_DAYS - 1)
    if first > last:
        raise BadRequest("Invalid request parameters: from must not be after to")
    if (last - first).days + 1 > MAX_CHART_DAYS:
        raise BadRequest(f"Invalid request parameters: at most {MAX_CHART_DAYS} days per request")
    return first, last


def _day_start(day: date) -> datetime:
    return analytics.day_bounds(day)[0]


def _day_end(day: date) -> datetime:
    return analytics.day_bounds(day)[1]


# -- posts and hashtags -------------------------------------------------------------------------


@router.get("/analytics/{account_id}/post_insights")
async def post_insights(request: Request, account_id: str) -> Response:
    """10 published posts per page with their ``analytics``; 500 without ``from`` and ``to``."""
    _account(request, account_id)
    params = request.query_params
    if not params.get("from") or not params.get("to"):
        return shapes.error_response(500, "Internal Server Error")
    start, end = range_bound("from", params["from"], end=False), range_bound("to", params["to"], end=True)
    sort_by = params.get("sort_by") or "scheduled_at"
    if sort_by not in analytics.POST_SORTS:
        raise BadRequest(
            f"Invalid request parameters: sort_by must be one of {', '.join(analytics.POST_SORTS)}"
        )
    descending = _sort_type(request)
    page = page_number(request)
    posts = (
        []
        if params.get("competitors", "").lower() == "true"
        else _published(request, [account_id], start, end)
    )
    query, post_type = (params.get("query") or "").lower(), params.get("postType")
    posts = [p for p in posts if query in p.text.lower() and (not post_type or p.type == post_type)]
    items = [analytics.insight_item(p) for p in analytics.sort_posts(posts, sort_by, descending)]
    how = paging(request)
    chosen = list(how.slice(items, page, INSIGHTS_PER_PAGE))
    return JSONResponse({"posts": chosen, **how.keys(len(items), page, INSIGHTS_PER_PAGE, page_keys=False)})


@router.get("/analytics/{account_id}/hashtag_insights")
async def hashtag_insights(request: Request, account_id: str) -> Response:
    """10 hashtag records per page, from the published posts (of ``from``..``to`` if given)."""
    _account(request, account_id)
    params = request.query_params
    start, end = (
        range_bound("from", params.get("from"), end=False),
        range_bound("to", params.get("to"), end=True),
    )
    sort_by = params.get("sort_by") or "posts"
    if sort_by not in analytics.HASHTAG_SORTS:
        raise BadRequest(
            f"Invalid request parameters: sort_by must be one of {', '.join(analytics.HASHTAG_SORTS)}"
        )
    descending = _sort_type(request)
    page = page_number(request)
    query = (params.get("query") or "").lower().lstrip("#")
    records = [
        r
        for r in analytics.hashtag_records(_published(request, [account_id], start, end))
        if query in r["hashtag"]
    ]
    records.sort(key=lambda r: r["hashtag"])
    records.sort(key=lambda r: r[sort_by], reverse=descending)
    how = paging(request)
    chosen = list(how.slice(records, page, INSIGHTS_PER_PAGE))
    return JSONResponse(
        {"records": chosen, **how.keys(len(records), page, INSIGHTS_PER_PAGE, page_keys=False)}
    )


@router.get("/analytics/{account_id}/hashtag_performing_posts")
async def hashtag_performing_posts(request: Request, account_id: str) -> Response:
    """Up to 6 published posts with the hashtag, most engaging first."""
    _account(request, account_id)
    tag = (request.query_params.get("hashtag") or "").strip().lower()
    if not tag:
        raise BadRequest("Invalid request parameters: hashtag is required")
    tag = tag if tag.startswith("#") else f"#{tag}"
    posts = [p for p in _published(request, [account_id], None, None) if tag in analytics.hashtags(p.text)]
    return JSONResponse(
        [analytics.insight_item(p) for p in analytics.sort_posts(posts, "engagement", True)[:6]]
    )


# -- best times and members ---------------------------------------------------------------------


@router.get("/analytics/{account_id}/best_times")
async def best_times(request: Request, account_id: str) -> Response:
    """Scores per weekday and hour; ``[]`` without ``from`` and ``to``."""
    _account(request, account_id)
    params = request.query_params
    if not params.get("from") or not params.get("to"):
        return JSONResponse([])
    start, end = range_bound("from", params["from"], end=False), range_bound("to", params["to"], end=True)
    return JSONResponse(analytics.best_time_scores(account_id, _published(request, [account_id], start, end)))


@router.get("/analytics/members")
async def members(request: Request) -> Response:
    """Per workspace member: posts, engagements, reach (absent without posts) and accounts."""
    _check_plan(request)
    params = request.query_params
    account_id = params.get("account_id")
    if account_id:
        _account(request, account_id)
    start, end = (
        range_bound("from", params.get("from"), end=False),
        range_bound("to", params.get("to"), end=True),
    )
    posts = _published(request, [account_id] if account_id else None, start, end)
    rows = analytics.member_rows([SANDBOX_USER, SANDBOX_EDITOR], {SANDBOX_USER["id"]: posts})
    return JSONResponse(rows)


# -- competitors --------------------------------------------------------------------------------


@router.get("/competitors/{account_id}")
async def list_competitors(request: Request, account_id: str) -> Response:
    """The competitors tracked for an account."""
    return JSONResponse(analytics.competitors(_account(request, account_id)))


@router.get("/competitors/{account_id}/analytics")
async def competitor_analytics(request: Request, account_id: str) -> Response:
    """``{"insights": [...], "total": N}``: the account's own row and its competitors', 10 per page."""
    account = _account(request, account_id)
    params = request.query_params
    sort_by = params.get("sort_by") or "followers"
    if sort_by not in analytics.COMPETITOR_SORTS:
        raise BadRequest(
            f"Invalid request parameters: sort_by must be one of {', '.join(analytics.COMPETITOR_SORTS)}"
        )
    descending = _sort_type(request)
    page = page_number(request)
    first, last = _period(request)
    tracked = analytics.competitors(account)
    wanted = params.get("competitor_id")
    if wanted:
        tracked = [c for c in tracked if c["id"] == wanted]
        if not tracked:
            raise Refusal(404, MSG_NO_ACCOUNT)
    rows = [analytics.competitor_row(c, first, last) for c in tracked]
    if not wanted:
        posts = _published(request, [account_id], _day_start(first), _day_end(last))
        rows.insert(0, analytics.own_row(account, posts, first, last))
    query = (params.get("query") or "").lower()
    rows = [r for r in rows if query in str(r["account"]["name"]).lower()]
    rows.sort(key=lambda r: str(r["account"]["id"]))
    rows.sort(key=lambda r: r[sort_by], reverse=descending)
    how = paging(request)
    chosen = list(how.slice(rows, page, INSIGHTS_PER_PAGE))
    return JSONResponse({"insights": chosen, **how.keys(len(rows), page, INSIGHTS_PER_PAGE, page_keys=False)})
