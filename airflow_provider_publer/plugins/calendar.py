"""The content calendar the Publer page shows: Publer's posts of a period, traced back to the task
instances that scheduled them, read through ``PublerHook`` and cached.

Every read goes through the hook, so it is paced by the same request budget as the DAGs that use
the key (100 requests per 2 minutes per user on Publer) and counted here, request by request.
What one view costs:

- the workspaces and accounts (the ids the page lists): one ``GET /workspaces`` and one
  ``GET /accounts``, reused for ``IDS_CACHE_SECONDS``;
- the period's posts: one ``GET /posts`` per 20 posts of the workspace in the period (only the
  period is listed: ``from``/``to``), reused for ``CACHE_SECONDS`` by every view of the same
  connection, workspace and period, whoever looks;
- at most ``MAX_PAGES`` pages: 2,000 posts, a busy month, and a page to spare. Such a month costs
  100 requests, the key's whole 2-minute budget: DAG tasks using the key meanwhile wait (the hook
  paces them) instead of failing, and a view that finds the budget spent waits for it too. A week,
  the page's default, costs a quarter of that. ``benchmarks/bench_ui.py`` measures it.

The tab's insights (``GET /analytics/{account}/post_insights``, 10 posts a page) are read only for
published posts, one account and day range at a time, and reused for ``INSIGHTS_CACHE_SECONDS``.

The cache lives in the API server's process: each API server process (``[api] workers``) keeps its
own, so their views add up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from airflow_provider_publer.plugins.records import TaskRecord

#: How long Publer's post lists are reused (seconds).
CACHE_SECONDS = 60.0
#: How long the workspaces and accounts (their names and ids) are reused (seconds).
IDS_CACHE_SECONDS = 600.0
#: How long a published post's insights are reused (seconds).
INSIGHTS_CACHE_SECONDS = 300.0
#: Pages of ``GET /posts`` one view may read: 2,000 posts (a busy month, the key's whole budget of
#: 2 minutes) and one page more, so that a period of exactly 2,000 posts is known to be complete.
MAX_PAGES = 101
#: Posts in one page of Publer's ``GET /posts``.
PAGE_SIZE = 20
#: Post states the page knows, in Publer's words.
STATES = ("scheduled", "published", "failed", "draft")

T = TypeVar("T")
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_loading: dict[tuple[Any, ...], threading.Lock] = {}
_lock = threading.Lock()


def cached(key: tuple[Any, ...], load: Callable[[], T], ttl: float = CACHE_SECONDS) -> T:
    """``load()``'s answer, reused for ``ttl`` seconds.

    Views asking for the same key at once wait for one load; other keys load meanwhile.
    """
    with _lock:
        loading = _loading.setdefault(key, threading.Lock())
    with loading:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < ttl:
            return hit[1]
        value = load()
        _cache[key] = (time.monotonic(), value)
        return value


def clear_cache() -> None:
    """Forget every answer (tests and benchmarks start cold with it)."""
    with _lock:
        _cache.clear()
        _loading.clear()


@dataclass
class CalendarPost:
    """One post of the calendar: Publer's summary and the task instance that scheduled it."""

    post: dict[str, Any]
    account: dict[str, Any]
    task: TaskRecord | None
    insights: dict[str, Any] | None = None

    @property
    def state(self) -> str:
        return str(self.post.get("state") or "")

    @property
    def reason(self) -> str:
        error = self.post.get("error") or self.post.get("failure") or self.post.get("message")
        if isinstance(error, dict):
            error = error.get("message")
        return str(error or "")


@dataclass
class Calendar:
    """What the page shows for one connection and period."""

    workspaces: list[dict[str, Any]]
    workspace_id: str
    accounts: list[dict[str, Any]]
    posts: list[CalendarPost] = field(default_factory=list)
    truncated: bool = False
    publer_requests: int = 0
    listed: int = 0


class RequestCounter:
    """Counts the HTTP answers of a hook's session (retries and 429s included)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return response

    def attach(self, hook: Any) -> Any:
        hook.get_conn().hooks["response"].append(self)
        return hook


def _hook(conn_id: str, workspace_id: str | None = None) -> Any:
    from airflow_provider_publer.hooks.publer import PublerHook

    return PublerHook(publer_conn_id=conn_id, workspace_id=workspace_id)


def trace(
    listed: Iterable[dict[str, Any]], records: Iterable[TaskRecord], workspace: str
) -> dict[str, TaskRecord]:
    """``{post id: task instance}`` for the listed posts that one of ``records`` scheduled.

    A post is traced by its id when Airflow recorded it (reconciled references, sensor outcomes),
    else by its account and text. Records of jobs in another workspace are left out.
    """
    by_id: dict[str, TaskRecord] = {}
    by_text: dict[tuple[str, str], TaskRecord] = {}
    for record in records:
        if record.workspaces and workspace not in record.workspaces.values():
            continue
        for post_id in record.post_ids:
            by_id.setdefault(post_id, record)
        for pair in record.intended():
            by_text.setdefault(pair, record)
    traced = {}
    for post in listed:
        post_id = str(post.get("id") or "")
        task = by_id.get(post_id) or by_text.get((str(post.get("account_id")), str(post.get("text"))))
        if task is not None and post_id:
            traced[post_id] = task
    return traced


def load_calendar(
    conn_id: str,
    records: Iterable[TaskRecord],
    *,
    from_: str,
    to: str,
    workspace_id: str | None = None,
    max_pages: int = MAX_PAGES,
) -> Calendar:
    """Publer's posts of ``[from_, to]`` in the workspace that the provider's records trace to a task.

    Only posts traced to one of ``records`` (the task instances of DAGs the user may read) are
    returned: a user never sees a post of a DAG they cannot read. Publer's list itself is cached
    whoever asked for it, and filtered per user afterwards.
    """
    records = list(records)
    counter = RequestCounter()
    hook = counter.attach(_hook(conn_id, workspace_id))
    try:
        workspaces = cached(("workspaces", conn_id), hook.list_workspaces, IDS_CACHE_SECONDS)
        workspace = hook.resolve_workspace(workspace_id)
        accounts = cached(
            ("accounts", conn_id, workspace), lambda: hook.list_accounts(workspace), IDS_CACHE_SECONDS
        )
        # A job recorded since the list was read makes it stale: its posts must show at once.
        jobs = frozenset(j for r in records for j in r.job_ids)
        key = ("posts", conn_id, workspace, from_, to, max_pages)
        listed, truncated, seen = cached(key, lambda: _list(hook, from_, to, workspace, max_pages, jobs))
        if not jobs <= seen:
            with _lock:
                _cache.pop(key, None)
            known = jobs | seen  # what other users' views knew stays known: no re-list ping-pong
            listed, truncated, seen = cached(key, lambda: _list(hook, from_, to, workspace, max_pages, known))
    finally:
        hook.close()
    by_account = {str(a.get("id")): a for a in accounts}
    traced = trace(listed, records, workspace)
    shown = [
        CalendarPost(post, by_account.get(str(post.get("account_id")), {}), traced[str(post.get("id"))])
        for post in listed
        if str(post.get("id") or "") in traced
    ]
    shown.sort(key=lambda p: str(p.post.get("scheduled_at") or ""))
    return Calendar(workspaces, workspace, accounts, shown, truncated, counter.count, len(listed))


def _list(
    hook: Any, from_: str, to: str, workspace: str, max_pages: int, jobs: frozenset[str]
) -> tuple[list[dict[str, Any]], bool, frozenset[str]]:
    listed: list[dict[str, Any]] = hook.list_posts(
        from_=from_, to=to, workspace_id=workspace, max_pages=max_pages
    )
    # A full last page: Publer may hold more posts of the period than one view reads.
    return listed, len(listed) >= max_pages * PAGE_SIZE, jobs


def add_insights(conn_id: str, workspace: str, posts: list[CalendarPost]) -> tuple[int, str]:
    """Fill ``insights`` of the published posts from Publer's post insights; ``(requests, note)``.

    One listing per account over the posts' days, cached. The note says why there are none (the
    plan has no analytics, Publer did not answer), or is empty.
    """
    from airflow_provider_publer.exceptions import PublerError, PublerPermissionError

    published = [p for p in posts if p.state == "published" and p.post.get("account_id")]
    if not published:
        return 0, ""
    counter = RequestCounter()
    hook = counter.attach(_hook(conn_id, workspace))
    note = ""
    try:
        by_account: dict[str, list[CalendarPost]] = {}
        for post in published:
            by_account.setdefault(str(post.post["account_id"]), []).append(post)
        for account, items in by_account.items():
            days = sorted(str(p.post.get("scheduled_at") or "")[:10] for p in items)
            first, last = days[0], days[-1]
            try:
                key = ("insights", conn_id, workspace, account, first, last)
                load = _insights_loader(hook, account, first, last, workspace)
                rows = cached(key, load, INSIGHTS_CACHE_SECONDS)
            except PublerPermissionError:
                note = "Publer's plan of this workspace has no analytics: no insights."
                continue
            except PublerError as err:
                note = f"Publer's insights could not be read: {err}"
                continue
            by_id = {str(r.get("id")): r for r in rows}
            for post in items:
                row = by_id.get(str(post.post.get("id")))
                if row is not None:
                    post.insights = dict(row.get("analytics") or {})
    finally:
        hook.close()
    return counter.count, note


def _insights_loader(hook: Any, account: str, first: str, last: str, workspace: str) -> Callable[[], Any]:
    return lambda: hook.get_post_insights(account, first, last, workspace_id=workspace)
