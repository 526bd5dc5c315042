"""The content calendar the Publer page shows: Publer's posts of a period, traced back to the task
instances that scheduled them, read through ``PublerHook`` and cached.

Every read goes through the hook, so it is paced by the same request budget as the DAGs that use
the key (100 requests per 2 minutes per user on Publer). A cold view costs one ``GET /workspaces``,
one ``GET /accounts`` and one ``GET /posts`` per page of the period (Publer sends 20 posts a page);
for ``CACHE_SECONDS`` after it, any view of the same connection and period costs nothing. At most
``MAX_PAGES`` pages are read for one view, so a person refreshing the page never takes more than
that from a running DAG.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from airflow_provider_publer.plugins.records import TaskRecord

#: How long Publer's answers are reused (seconds).
CACHE_SECONDS = 60.0
#: Pages of ``GET /posts`` one view may read (20 posts a page): at most this share of the budget.
MAX_PAGES = 25
#: Posts in one page of Publer's ``GET /posts``.
PAGE_SIZE = 20
#: Post states the page knows, in Publer's words.
STATES = ("scheduled", "published", "failed", "draft")

T = TypeVar("T")
_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()


def cached(key: tuple[Any, ...], load: Callable[[], T], ttl: float = CACHE_SECONDS) -> T:
    """``load()``'s answer, reused for ``ttl`` seconds (one loader at a time per process)."""
    with _lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < ttl:
            return hit[1]
        value = load()
        _cache[key] = (time.monotonic(), value)
        return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


@dataclass
class CalendarPost:
    """One post of the calendar: Publer's summary and the task instance that scheduled it."""

    post: dict[str, Any]
    account: dict[str, Any]
    task: TaskRecord | None

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


def _hook(conn_id: str, workspace_id: str | None = None) -> Any:
    from airflow_provider_publer.hooks.publer import PublerHook

    return PublerHook(publer_conn_id=conn_id, workspace_id=workspace_id)


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
    returned: a user never sees a post of a DAG they cannot read.
    """
    records = list(records)
    # A job recorded since the last read makes the cached list stale: its posts must show at once.
    jobs = frozenset(j for r in records for j in r.job_ids)
    counter = [0]

    def counted(call: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            counter[0] += 1
            return call()

        return run

    hook = _hook(conn_id, workspace_id)
    try:
        workspaces = cached(("workspaces", conn_id), counted(hook.list_workspaces))
        workspace = hook.resolve_workspace(workspace_id)
        accounts = cached(("accounts", conn_id, workspace), counted(lambda: hook.list_accounts(workspace)))
        pages: list[int] = []

        def posts() -> tuple[list[dict[str, Any]], bool]:
            listed = hook.list_posts(from_=from_, to=to, workspace_id=workspace, max_pages=max_pages)
            pages.append(min(max_pages, len(listed) // PAGE_SIZE + 1))
            return listed, len(listed) >= max_pages * PAGE_SIZE

        listed, truncated = cached(("posts", conn_id, workspace, from_, to, max_pages, jobs), posts)
    finally:
        hook.close()
    counter[0] += sum(pages)
    by_account = {str(a.get("id")): a for a in accounts}
    traced: dict[tuple[str, str], TaskRecord] = {}
    for record in records:
        if record.workspaces and workspace not in record.workspaces.values():
            continue
        for pair in record.intended():
            traced.setdefault(pair, record)
    shown = []
    for post in listed:
        task = traced.get((str(post.get("account_id")), str(post.get("text"))))
        if task is not None:
            shown.append(CalendarPost(post, by_account.get(str(post.get("account_id")), {}), task))
    shown.sort(key=lambda p: str(p.post.get("scheduled_at") or ""))
    return Calendar(workspaces, workspace, accounts, shown, truncated, counter[0])
