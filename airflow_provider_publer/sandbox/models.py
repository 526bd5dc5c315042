"""The records a sandbox holds (posts, jobs, media) and the time and id helpers they share.

Each record converts to and from plain JSON data, which is both what the
``/sandbox/state`` view shows and what the SQLite persistence stores.
"""

from __future__ import annotations

import copy
import functools
import itertools
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pendulum

DRAFT_STATES = frozenset({"draft", "draft_private", "draft_public"})


# -- time ---------------------------------------------------------------------------------------
# pendulum parses and formats every timestamp, so the same string means the same instant on
# every supported Python (``datetime.fromisoformat`` accepts different forms on 3.10 and 3.11+).

UTC = pendulum.UTC


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string as a datetime (naive when the string has no offset); None if unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = pendulum.parse(value.strip(), tz=None)
    except (ValueError, TypeError, OverflowError):
        return None
    return parsed if isinstance(parsed, datetime) else None


def as_utc(value: datetime) -> pendulum.DateTime:
    """An aware pendulum datetime in UTC; naive values are taken as UTC."""
    if isinstance(value, pendulum.DateTime) and value.tzinfo is UTC:
        return value
    return pendulum.instance(value, tz=UTC).in_timezone(UTC)


def from_timestamp(seconds: float) -> pendulum.DateTime:
    return pendulum.from_timestamp(seconds, tz=UTC)


def utc_now() -> pendulum.DateTime:
    return pendulum.now(UTC)


def iso(value: datetime | None) -> str | None:
    """Publer's timestamp form: ``2025-05-08T14:30:00.000+00:00``."""
    return None if value is None else _iso(value)


@functools.lru_cache(maxsize=1 << 16)
def _iso(value: datetime) -> str:
    # Cached: equal instants format alike, and big calendars format the same times again and again.
    return as_utc(value).format("YYYY-MM-DDTHH:mm:ss.SSSZ")


def from_iso(value: Any) -> pendulum.DateTime | None:
    parsed = parse_time(value)
    return None if parsed is None else as_utc(parsed)


def ceil_minute(value: datetime) -> datetime:
    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + timedelta(minutes=1)


def timestamp(value: datetime) -> float:
    """POSIX seconds of an aware datetime (the post index keys on these)."""
    return value.timestamp()


# -- ids ----------------------------------------------------------------------------------------

_ID_COUNTER = itertools.count(int.from_bytes(os.urandom(3), "big"))
_ID_LOCK = threading.Lock()
_PROCESS_TAG = os.urandom(5).hex()


def new_id(now: datetime) -> str:
    """A 24-hex id shaped like a Mongo ObjectId: seconds, a per-process tag, a counter."""
    with _ID_LOCK:
        counter = next(_ID_COUNTER) % 0xFFFFFF
    return f"{int(now.timestamp()) & 0xFFFFFFFF:08x}{_PROCESS_TAG}{counter:06x}"


# -- records ------------------------------------------------------------------------------------


@dataclass
class Post:
    """One post on one account (Publer creates one per (post, account) pair of a bulk request).

    ``live_at`` is when a ``scheduled`` post goes live (``published`` or ``failed``), on the
    sandbox clock; ``error`` is the reason of a ``failed`` post.
    """

    id: str
    workspace_id: str
    account_id: str | None
    account_name: str | None
    network: str | None
    network_key: str | None
    type: str
    text: str
    state: str
    scheduled_at: datetime | None
    created_at: datetime
    job_id: str
    title: str | None = None
    url: str | None = None
    post_link: str | None = None
    has_media: bool = False
    auto: bool = False
    media: list[dict[str, Any]] = field(default_factory=list)
    live_at: datetime | None = None
    error: str | None = None
    updated_at: datetime | None = None
    link: dict[str, Any] | None = None
    labels: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    recurring: dict[str, Any] | None = None
    recycling: dict[str, Any] | None = None

    _TIMES = ("scheduled_at", "created_at", "live_at", "updated_at")

    @property
    def is_draft(self) -> bool:
        return self.state in DRAFT_STATES

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: this runs for every post of a big calendar's state view.
        data = dict(self.__dict__)
        for name in self._TIMES:
            data[name] = iso(data[name])
        for name in ("media", "labels", "details", "link", "recurring", "recycling"):
            data[name] = copy.deepcopy(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        values = dict(data)
        for name in cls._TIMES:
            values[name] = from_iso(values.get(name))
        return cls(**values)

    def summary(self, user: dict[str, Any]) -> dict[str, Any]:
        """The ``PostSummary`` that ``GET /posts`` lists (``error`` only on a failed post)."""
        summary = {
            "id": self.id,
            "text": self.text,
            "url": self.url,
            "title": self.title,
            "state": self.state,
            "type": self.type,
            "account_id": self.account_id,
            "network": self.network,
            "user": {k: user.get(k) for k in ("id", "name", "picture")},
            "scheduled_at": iso(self.scheduled_at),
            "post_link": self.post_link,
            "has_media": self.has_media,
        }
        if self.state == "failed":
            summary["error"] = self.error
        return summary


@dataclass
class Job:
    """An asynchronous Publer job: a bulk post request or a media import, 'working' until complete_at."""

    id: str
    kind: str  # "posts" or "media"
    endpoint: str  # "schedule", "publish" or "media_from_url"
    workspace_id: str
    created_at: datetime
    complete_at: datetime
    request: dict[str, Any]
    base_url: str
    settled: bool = False
    failed: bool = False
    failures: list[dict[str, Any]] = field(default_factory=list)
    post_ids: list[str] = field(default_factory=list)
    payload: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        if not self.settled:
            return "working"
        return "failed" if self.failed else "complete"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = iso(self.created_at)
        data["complete_at"] = iso(self.complete_at)
        data["status"] = self.status
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        values = {k: v for k, v in data.items() if k != "status"}
        values["created_at"] = from_iso(values["created_at"])
        values["complete_at"] = from_iso(values["complete_at"])
        return cls(**values)


@dataclass
class Media:
    """A media item of a workspace's library (uploaded directly or imported from a URL)."""

    id: str
    workspace_id: str
    type: str
    name: str
    path: str
    created_at: datetime
    caption: str | None = None
    source: str | None = None
    width: int | None = None
    height: int | None = None
    in_library: bool = False
    size: int = 0
    direct_upload: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = iso(self.created_at)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Media:
        values = dict(data)
        values["created_at"] = from_iso(values["created_at"])
        return cls(**values)

    def upload_view(self) -> dict[str, Any]:
        """The object ``POST /media`` returns and a from-url job's payload lists."""
        return {
            "id": self.id,
            "path": self.path,
            "thumbnail": self.path,
            "validity": {},
            "width": self.width,
            "height": self.height,
            "source": self.source,
            "type": self.type,
            "name": self.name,
            "caption": self.caption,
        }

    def library_view(self, used: bool) -> dict[str, Any]:
        """The object ``GET /media`` lists."""
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "caption": self.caption,
            "path": self.path,
            "thumbnails": [{"id": self.id, "small": self.path, "real": self.path}],
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
            "favorite": False,
            "in_library": self.in_library,
            "used": used,
            "source": self.source,
        }
