"""The sandbox's memory: posts, jobs, media and counters, behind one lock, optionally in SQLite.

Jobs complete lazily and deterministically: every read first settles, in creation
order, each job whose latency has passed, so what a job produces does not depend on
when (or whether) anybody polls it. All times come from :meth:`SandboxStore.now`, which
honours the config's injectable clock.
"""

from __future__ import annotations

import copy
import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow_provider_publer.sandbox import jobs
from airflow_provider_publer.sandbox.config import SANDBOX_USER, SandboxConfig
from airflow_provider_publer.sandbox.media import image_size, media_type
from airflow_provider_publer.sandbox.models import Job, Media, Post, as_utc, new_id
from airflow_provider_publer.sandbox.persistence import SqlitePersistence

POSTS_PER_PAGE = 20
MEDIA_PER_PAGE = 20
FAULT_KINDS = ("5xx", "429", "slow", "drop")


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
        return (
            _state_matches(post.state, self.states)
            and (not self.account_ids or post.account_id in self.account_ids)
            and self._in_range(post.scheduled_at)
            and (not self.query or self.query.lower() in post.text.lower())
            and (not self.types or post.type in self.types)
        )

    def _in_range(self, when: datetime | None) -> bool:
        if self.start is None and self.end is None:
            return True
        if when is None:
            return False
        return (self.start is None or when >= self.start) and (self.end is None or when <= self.end)


def _state_matches(state: str, wanted: list[str]) -> bool:
    return not wanted or any(w == "all" or state == w or state.startswith(w + "_") for w in wanted)


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page)


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
        return as_utc(self.config.clock()) if self.config.clock else datetime.now(timezone.utc)

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

    def _load(self) -> None:
        if self._db is None:
            return
        records = self._db.load()
        self._posts = {p["id"]: Post.from_dict(p) for p in records.get("post", [])}
        self._jobs = {j["id"]: Job.from_dict(j) for j in records.get("job", [])}
        self._media = {m["id"]: Media.from_dict(m) for m in records.get("media", [])}
        self._hidden = records.get("hidden", [])
        self._deleted = [d["id"] for d in records.get("deleted", [])]

    def _save(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        if self._db is not None:
            self._db.put(kind, record_id, data)

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
            request=copy.deepcopy(request),
            base_url=base_url,
        )
        with self._lock:
            self._settle()
            self._jobs[job.id] = job
            self._save("job", job.id, job.to_dict())
        return job

    def submit_posts(self, workspace_id: str, endpoint: str, bulk: dict[str, Any], base_url: str) -> str:
        """Queue a bulk post request (``endpoint`` is ``schedule`` or ``publish``); returns the job id."""
        return self._new_job("posts", endpoint, workspace_id, {"bulk": bulk}, base_url).id

    def submit_media_import(self, workspace_id: str, body: dict[str, Any], base_url: str) -> str:
        return self._new_job("media", "media_from_url", workspace_id, body, base_url).id

    def job(self, workspace_id: str, job_id: str) -> Job | None:
        """A copy of the job as it stands now (settled first), or None outside this workspace."""
        with self._lock:
            self._settle()
            job = self._jobs.get(job_id)
            return copy.deepcopy(job) if job and job.workspace_id == workspace_id else None

    def settle(self) -> None:
        with self._lock:
            self._settle()

    def _settle(self) -> None:
        now = self.now()
        due = sorted((j for j in self._jobs.values() if not j.settled and j.complete_at <= now), key=_due_key)
        for job in due:
            if job.kind == "posts":
                self._settle_posts(job)
            else:
                self._settle_media(job)
            job.settled = True
            self._save("job", job.id, job.to_dict())

    def _settle_posts(self, job: Job) -> None:
        accounts = {str(a["id"]): a for a in self.config.workspace_accounts(job.workspace_id)}
        ctx = jobs.PostContext(accounts=accounts, posts=list(self._posts.values()), plan=self.config.plan)
        outcome = jobs.settle_posts(job, ctx)
        for post in outcome.posts:
            self._posts[post.id] = post
            self._save("post", post.id, post.to_dict())
        for hidden in outcome.hidden:
            self._hidden.append(hidden)
            self._save("hidden", f"{hidden['job_id']}:{hidden['post_index']}", hidden)
        job.failures = outcome.failures
        job.post_ids = [p.id for p in outcome.posts]

    def _settle_media(self, job: Job) -> None:
        imported, error = jobs.settle_media(job)
        for item in imported:
            self._media[item.id] = item
            self._save("media", item.id, item.to_dict())
        job.payload = [m.upload_view() for m in imported]
        job.failed = error is not None
        job.error = error

    # -- posts ----------------------------------------------------------------------------------

    def list_posts(self, workspace_id: str, filters: PostFilter) -> Page:
        """One page (20 per page, 0-based) of the workspace's matching posts, by scheduled_at then id."""
        with self._lock:
            self._settle()
            matching = [
                p for p in self._posts.values() if p.workspace_id == workspace_id and filters.matches(p)
            ]
        matching.sort(key=_post_order)
        start = filters.page * POSTS_PER_PAGE
        items = [p.summary(SANDBOX_USER) for p in matching[start : start + POSTS_PER_PAGE]]
        return Page(items=items, total=len(matching), page=filters.page, per_page=POSTS_PER_PAGE)

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
            for post_id in dict.fromkeys(post_ids):
                post = self._posts.get(post_id)
                if post is None or post.workspace_id != workspace_id or post.auto:
                    continue
                del self._posts[post_id]
                self._deleted.append(post_id)
                deleted.append(post_id)
                if self._db is not None:
                    self._db.delete("post", post_id)
                    self._db.put("deleted", post_id, {"id": post_id})
        return deleted

    def update_post(self, workspace_id: str, post_id: str, changes: dict[str, Any]) -> Post | None:
        """Apply ``PUT /posts/{id}`` changes (text, title, url); None when the post is not there."""
        with self._lock:
            self._settle()
            post = self._posts.get(post_id)
            if post is None or post.workspace_id != workspace_id:
                return None
            for name in ("text", "title", "url"):
                if name in changes:
                    setattr(post, name, changes[name])
            self._save("post", post.id, post.to_dict())
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
    ) -> Media:
        """Store a direct upload and serve its bytes at ``/sandbox/media/<id>/<name>``."""
        now = self.now()
        media_id = new_id(now)
        width, height = image_size(data)
        item = Media(
            id=media_id,
            workspace_id=workspace_id,
            type=media_type(name, content_type) or "document",
            name=name,
            path=f"{base_url}/sandbox/media/{media_id}/{name}",
            created_at=now,
            source="upload",
            width=width,
            height=height,
            in_library=in_library,
            size=len(data),
        )
        with self._lock:
            self._media[media_id] = item
            self._media_bytes[media_id] = data
            self._save("media", media_id, item.to_dict())
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
    ) -> Page:
        """``GET /media``: ``ids[]`` wins over every filter and pagination, as Publer documents."""
        with self._lock:
            self._settle()
            used_ids = {str(m.get("id")) for p in self._posts.values() for m in p.media}
            items = [m for m in self._media.values() if m.workspace_id == workspace_id]
        if ids:
            chosen = [m for m in items if m.id in ids]
            return Page([m.library_view(m.id in used_ids) for m in chosen], len(chosen), 0, len(chosen) or 1)
        chosen = [m for m in items if _media_matches(m, types, used, used_ids, search)]
        start = page * MEDIA_PER_PAGE
        views = [m.library_view(m.id in used_ids) for m in chosen[start : start + MEDIA_PER_PAGE]]
        return Page(views, len(chosen), page, MEDIA_PER_PAGE)

    # -- the /sandbox/state view ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything the sandbox holds, as JSON data (what ``GET /sandbox/state`` returns)."""
        with self._lock:
            self._settle()
            return {
                "posts": [p.to_dict() for p in sorted(self._posts.values(), key=_post_order)],
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


def _due_key(job: Job) -> datetime:
    return job.complete_at


def _post_order(post: Post) -> tuple[bool, datetime, str]:
    far = datetime.max.replace(tzinfo=timezone.utc)
    return (post.scheduled_at is None, post.scheduled_at or far, post.id)


def _media_matches(
    item: Media, types: list[str], used: list[bool], used_ids: set[str], search: str | None
) -> bool:
    return (
        (not types or item.type in types)
        and (not used or (item.id in used_ids) in used)
        and (not search or search.lower() in f"{item.name} {item.caption or ''}".lower())
    )
