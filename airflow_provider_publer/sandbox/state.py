"""The sandbox's memory: posts, jobs, media and counters, behind one lock, optionally in SQLite.

Everything happens lazily and deterministically: every read first settles, in order,
each job whose latency has passed, then turns live each scheduled post whose
``live_at`` has come (published or failed, see ``publishing.py``), so what the sandbox
holds does not depend on when (or whether) anybody polls. All times come from
:meth:`SandboxStore.now`, which honours the config's injectable clock.

Posts are indexed (``index.py``) so jobs of 500 posts and filtered listings stay fast
on calendars of thousands of posts.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from airflow_provider_publer.sandbox import jobs, publishing, updates
from airflow_provider_publer.sandbox.config import SANDBOX_USER, SandboxConfig
from airflow_provider_publer.sandbox.index import PostIndex, order_key
from airflow_provider_publer.sandbox.media import image_size, media_type
from airflow_provider_publer.sandbox.models import Job, Media, Post, as_utc, new_id, timestamp, utc_now
from airflow_provider_publer.sandbox.paging import Paging
from airflow_provider_publer.sandbox.persistence import SqlitePersistence

POSTS_PER_PAGE = 20
MEDIA_PER_PAGE = 20
FAULT_KINDS = ("5xx", "429", "slow", "drop")
_LIST_CACHE_SIZE = 8


@dataclass
class PostFilter:
    """The filters of ``GET /posts`` (already parsed); ``end`` is inclusive."""

    states: list[str] = field(default_factory=list)
    account_ids: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    query: str | None = None
    types: list[str] = field(default_factory=list)
    page: int = 0

    def matches(self, post: Post) -> bool:
        """The filters the index does not answer: state, text and type."""
        return (
            _state_matches(post.state, self.states)
            and (not self.query or self.query.lower() in post.text.lower())
            and (not self.types or post.type in self.types)
        )

    def cache_key(self, workspace_id: str) -> tuple[Any, ...]:
        return (
            workspace_id,
            tuple(self.states),
            tuple(self.account_ids),
            self.start,
            self.end,
            self.query,
            tuple(self.types),
        )


def _state_matches(state: str, wanted: list[str]) -> bool:
    return not wanted or any(w == "all" or state == w or state.startswith(w + "_") for w in wanted)


@dataclass
class Page:
    """One page of a list: its items, how many match in all, and the page asked for."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int


class SandboxStore:
    """Thread-safe state of one sandbox (the uvicorn thread and test threads both use it)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._lock = threading.RLock()
        self._db = SqlitePersistence(config.db_path) if config.db_path else None
        self._clear_memory()
        self._load()

    # -- basics ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        return as_utc(self.config.clock()) if self.config.clock else utc_now()

    def _clear_memory(self) -> None:
        self._posts: dict[str, Post] = {}
        self._jobs: dict[str, Job] = {}
        self._media: dict[str, Media] = {}
        self._media_bytes: dict[str, bytes] = {}
        self._hidden: list[dict[str, Any]] = []
        self._deleted: list[str] = []
        self._requests: Counter[str] = Counter()
        self._routes: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._rate_limited = 0
        self._index = PostIndex()
        self._media_use: Counter[str] = Counter()
        self._pending_jobs: list[tuple[float, int, str]] = []
        self._going_live: list[tuple[float, str]] = []
        self._sequence = itertools.count()
        self._version = 0
        self._list_cache: OrderedDict[tuple[Any, ...], tuple[int, list[str]]] = OrderedDict()

    def _load(self) -> None:
        if self._db is None:
            return
        records = self._db.load()
        for data in records.get("post", []):
            self._add_post(Post.from_dict(data))
        for data in records.get("job", []):
            self._add_job(Job.from_dict(data))
        self._media = {m["id"]: Media.from_dict(m) for m in records.get("media", [])}
        self._hidden = records.get("hidden", [])
        self._deleted = [d["id"] for d in records.get("deleted", [])]

    def _save(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        if self._db is not None:
            self._db.put(kind, record_id, data)

    def _persist(self, kind: str, record: Post | Job | Media) -> None:
        """Write a record to the SQLite file, if any (converting it only then: big jobs are costly)."""
        if self._db is not None:
            self._db.put(kind, record.id, record.to_dict())

    def reset(self) -> None:
        """Forget posts, jobs, media and counters; the seeded workspaces and accounts stay."""
        with self._lock:
            self._clear_memory()
            if self._db is not None:
                self._db.clear()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- counters -------------------------------------------------------------------------------

    def count_request(self, method: str, path: str) -> None:
        with self._lock:
            self._requests[path] += 1
            self._routes[f"{method} {path}"] += 1

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def count_rate_limited(self) -> None:
        with self._lock:
            self._rate_limited += 1

    # -- the in-memory indexes ------------------------------------------------------------------

    def _add_post(self, post: Post) -> None:
        """Hold a post that is not indexed yet (loaded, or created outside a job)."""
        self._index.add(post)
        self._hold_post(post)

    def _hold_post(self, post: Post) -> None:
        """Hold a post the index already has: by id, its media uses, when it goes live."""
        self._posts[post.id] = post
        self._media_use.update(str(m.get("id")) for m in post.media)
        if post.state == "scheduled" and post.live_at is not None:
            heapq.heappush(self._going_live, (timestamp(post.live_at), post.id))
        self._version += 1

    def _drop_post(self, post: Post) -> None:
        del self._posts[post.id]
        self._index.remove(post)
        self._media_use.subtract(str(m.get("id")) for m in post.media)
        self._version += 1

    def _add_job(self, job: Job) -> None:
        self._jobs[job.id] = job
        if not job.settled:
            heapq.heappush(self._pending_jobs, (timestamp(job.complete_at), next(self._sequence), job.id))

    # -- jobs -----------------------------------------------------------------------------------

    def _new_job(self, kind: str, endpoint: str, workspace_id: str, request: Any, base_url: str) -> Job:
        now = self.now()
        job = Job(
            id=new_id(now),
            kind=kind,
            endpoint=endpoint,
            workspace_id=workspace_id,
            created_at=now,
            complete_at=now + timedelta(seconds=self.config.job_latency),
            request=json.loads(json.dumps(request)),  # a private copy (faster than deepcopy)
            base_url=base_url,
        )
        with self._lock:
            self._settle()
            self._add_job(job)
            self._persist("job", job)
        return job

    def submit_posts(self, workspace_id: str, endpoint: str, bulk: dict[str, Any], base_url: str) -> str:
        """Queue a bulk post request (``endpoint`` is ``schedule`` or ``publish``); returns the job id."""
        return self._new_job("posts", endpoint, workspace_id, {"bulk": bulk}, base_url).id

    def submit_media_import(self, workspace_id: str, body: dict[str, Any], base_url: str) -> str:
        return self._new_job("media", "media_from_url", workspace_id, body, base_url).id

    def job(self, workspace_id: str, job_id: str) -> Job | None:
        """A copy of the job as it stands now (settled first), or None outside this workspace.

        Shallow: a settled job's lists are replaced, never changed in place, so sharing them is safe.
        """
        with self._lock:
            self._settle()
            job = self._jobs.get(job_id)
            return copy.copy(job) if job and job.workspace_id == workspace_id else None

    def settle(self) -> None:
        with self._lock:
            self._settle()

    def _settle(self) -> None:
        """Settle the jobs whose latency has passed, then turn live the posts whose time has come."""
        now = timestamp(self.now())
        if not (self._pending_jobs and self._pending_jobs[0][0] <= now) and not (
            self._going_live and self._going_live[0][0] <= now
        ):
            return
        with self._batch():
            while self._pending_jobs and self._pending_jobs[0][0] <= now:
                job = self._jobs.get(heapq.heappop(self._pending_jobs)[2])
                if job is None or job.settled:
                    continue
                if job.kind == "posts":
                    self._settle_posts(job)
                else:
                    self._settle_media(job)
                job.settled = True
                self._persist("job", job)
            while self._going_live and self._going_live[0][0] <= now:
                post = self._posts.get(heapq.heappop(self._going_live)[1])
                if post is not None and post.state == "scheduled":
                    self._go_live(post)

    def _batch(self) -> Any:
        return self._db.batch() if self._db is not None else _NoBatch()

    def _settle_posts(self, job: Job) -> None:
        ctx = jobs.PostContext(
            accounts={str(a["id"]): a for a in self.config.workspace_accounts(job.workspace_id)},
            index=self._index,
            plan=self.config.plan,
            fail_accounts=self.config.fail_accounts,
            time_scale=self.config.publish_time_scale,
        )
        outcome = jobs.settle_posts(job, ctx)
        for post in outcome.posts:
            self._hold_post(post)
            self._persist("post", post)
        for hidden in outcome.hidden:
            self._hidden.append(hidden)
            self._save("hidden", f"{hidden['job_id']}:{hidden['post_index']}", hidden)
        job.failures = outcome.failures
        job.post_ids = [p.id for p in outcome.posts]

    def _settle_media(self, job: Job) -> None:
        imported, error = jobs.settle_media(job)
        for item in imported:
            self._media[item.id] = item
            self._persist("media", item)
        job.payload = [m.upload_view() for m in imported]
        job.failed = error is not None
        job.error = error

    def _go_live(self, post: Post) -> None:
        job = self._jobs.get(post.job_id)
        link = f"{job.base_url if job else ''}/sandbox/posts/{post.id}"
        reason = publishing.failure_reason(post.text, post.account_id, self.config.fail_accounts)
        publishing.go_live(post, reason, link)
        self._version += 1
        self._persist("post", post)

    # -- posts ----------------------------------------------------------------------------------

    def list_posts(self, workspace_id: str, filters: PostFilter, paging: Paging | None = None) -> Page:
        """One page (20 per page, 0-based) of the workspace's matching posts, by scheduled_at then id."""
        paging = paging or Paging()
        with self._lock:
            self._settle()
            ids = self._matching_ids(workspace_id, filters)
            chosen = [self._posts[i] for i in paging.slice(ids, filters.page, POSTS_PER_PAGE)]
            items = [p.summary(SANDBOX_USER) for p in chosen]
        return Page(items=items, total=len(ids), page=filters.page, per_page=POSTS_PER_PAGE)

    def _matching_ids(self, workspace_id: str, filters: PostFilter) -> list[str]:
        """Matching post ids in listing order; the last few answers are cached until a post changes."""
        key = filters.cache_key(workspace_id)
        cached = self._list_cache.get(key)
        if cached is not None and cached[0] == self._version:
            self._list_cache.move_to_end(key)
            return cached[1]
        candidates = self._index.ids(workspace_id, filters.account_ids, filters.start, filters.end)
        ids = [i for i in candidates if filters.matches(self._posts[i])]
        self._list_cache[key] = (self._version, ids)
        if len(self._list_cache) > _LIST_CACHE_SIZE:
            self._list_cache.popitem(last=False)
        return ids

    def posts_in(
        self,
        workspace_id: str,
        account_ids: list[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[Post]:
        """Copies of a workspace's posts (of some accounts) with ``start <= scheduled_at <= end``,
        in listing order; without bounds, undated posts come last."""
        with self._lock:
            self._settle()
            return [
                copy.deepcopy(self._posts[i]) for i in self._index.ids(workspace_id, account_ids, start, end)
            ]

    def post(self, post_id: str) -> Post | None:
        with self._lock:
            self._settle()
            found = self._posts.get(post_id)
            return copy.deepcopy(found) if found else None

    def delete_posts(self, workspace_id: str, post_ids: Iterable[str]) -> list[str]:
        """Delete what exists in the workspace and is deletable (auto-scheduled queue posts are not)."""
        deleted = []
        with self._lock:
            self._settle()
            with self._batch():
                for post_id in dict.fromkeys(post_ids):
                    post = self._posts.get(post_id)
                    if post is None or post.workspace_id != workspace_id or post.auto:
                        continue
                    self._drop_post(post)
                    self._deleted.append(post_id)
                    deleted.append(post_id)
                    if self._db is not None:
                        self._db.delete("post", post_id)
                        self._db.put("deleted", post_id, {"id": post_id})
        return deleted

    def update_post(self, workspace_id: str, post_id: str, changes: dict[str, Any]) -> Post | None:
        """Apply ``PUT /posts/{id}``; None when the post is not there.

        Raises :class:`~airflow_provider_publer.sandbox.updates.UpdateRefused` (403 or 422)
        when Publer would refuse the change.
        """
        with self._lock:
            self._settle()
            post = self._posts.get(post_id)
            if post is None or post.workspace_id != workspace_id:
                return None
            updates.check_update(post, changes, self.config.approval_accounts)
            self._media_use.subtract(str(m.get("id")) for m in post.media)
            updates.apply_update(post, changes, self.now())
            self._media_use.update(str(m.get("id")) for m in post.media)
            self._version += 1
            self._persist("post", post)
            return copy.deepcopy(post)

    # -- media ----------------------------------------------------------------------------------

    def add_upload(
        self,
        workspace_id: str,
        name: str,
        content_type: str | None,
        data: bytes,
        base_url: str,
        in_library: bool,
        direct_upload: bool = False,
    ) -> Media:
        """Store a direct upload and serve its bytes (``/sandbox/media/[tmp/]<id>/<name>``)."""
        now = self.now()
        media_id = new_id(now)
        width, height = image_size(data)
        folder = "" if direct_upload else "tmp/"
        item = Media(
            id=media_id,
            workspace_id=workspace_id,
            type=media_type(name, content_type) or "document",
            name=name,
            path=f"{base_url}/sandbox/media/{folder}{media_id}/{name}",
            created_at=now,
            source="upload",
            width=width,
            height=height,
            in_library=in_library,
            size=len(data),
            direct_upload=direct_upload,
        )
        with self._lock:
            self._media[media_id] = item
            self._media_bytes[media_id] = data
            self._persist("media", item)
        return item

    def media_file(self, media_id: str) -> tuple[Media, bytes] | None:
        with self._lock:
            item, data = self._media.get(media_id), self._media_bytes.get(media_id)
        return (item, data) if item is not None and data is not None else None

    def list_media(
        self,
        workspace_id: str,
        types: list[str],
        used: list[bool],
        ids: list[str],
        search: str | None,
        page: int,
        paging: Paging | None = None,
    ) -> Page:
        """``GET /media``: ``ids[]`` wins over every filter and pagination, as Publer documents."""
        paging = paging or Paging()
        with self._lock:
            self._settle()
            used_ids = {k for k, v in self._media_use.items() if v > 0}
            items = sorted(
                (m for m in self._media.values() if m.workspace_id == workspace_id),
                key=lambda m: (timestamp(m.created_at), m.id),
            )
        if ids:
            chosen = [m for m in items if m.id in ids]
            return Page([m.library_view(m.id in used_ids) for m in chosen], len(chosen), 0, len(chosen) or 1)
        matching = [m for m in items if _media_matches(m, types, used, used_ids, search)]
        views = [m.library_view(m.id in used_ids) for m in paging.slice(matching, page, MEDIA_PER_PAGE)]
        return Page(views, len(matching), page, MEDIA_PER_PAGE)

    # -- the /sandbox/state view ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything the sandbox holds, as JSON data (what ``GET /sandbox/state`` returns)."""
        with self._lock:
            self._settle()
            return {
                "posts": [p.to_dict() for p in sorted(self._posts.values(), key=order_key)],
                "jobs": [j.to_dict() for j in self._jobs.values()],
                "media": [m.to_dict() for m in self._media.values()],
                "hidden_errors": copy.deepcopy(self._hidden),
                "deleted_ids": list(self._deleted),
                "faults": {kind: self._faults[kind] for kind in FAULT_KINDS},
                "rate_limited": self._rate_limited,
                "requests": {
                    "total": sum(self._requests.values()),
                    "by_path": dict(self._requests),
                    "by_route": dict(self._routes),
                },
            }


class _NoBatch:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _media_matches(
    item: Media, types: list[str], used: list[bool], used_ids: set[str], search: str | None
) -> bool:
    return (
        (not types or item.type in types)
        and (not used or (item.id in used_ids) in used)
        and (not search or search.lower() in f"{item.name} {item.caption or ''}".lower())
    )
