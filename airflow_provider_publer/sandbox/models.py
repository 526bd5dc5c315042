"""The records a sandbox holds (posts, jobs, media) and the time and id helpers they share.

Each record converts to and from plain JSON data, which is both what the
``/sandbox/state`` view shows and what the SQLite persistence stores.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

DRAFT_STATES = frozenset({"draft", "draft_private", "draft_public"})


# -- time ---------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string as a datetime (naive when the string has no offset); None if unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; naive values are taken as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """Publer's timestamp form: ``2025-05-08T14:30:00.000+00:00``."""
    return None if value is None else as_utc(value).isoformat(timespec="milliseconds")


def from_iso(value: Any) -> datetime | None:
    parsed = parse_time(value)
    return None if parsed is None else as_utc(parsed)


def ceil_minute(value: datetime) -> datetime:
    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + timedelta(minutes=1)


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
    """One post on one account (Publer creates one per (post, account) pair of a bulk request)."""

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

    @property
    def is_draft(self) -> bool:
        return self.state in DRAFT_STATES

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["scheduled_at"] = iso(self.scheduled_at)
        data["created_at"] = iso(self.created_at)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        values = dict(data)
        values["scheduled_at"] = from_iso(values.get("scheduled_at"))
        values["created_at"] = from_iso(values.get("created_at"))
        return cls(**values)

    def summary(self, user: dict[str, Any]) -> dict[str, Any]:
        """The ``PostSummary`` that ``GET /posts`` lists."""
        return {
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
