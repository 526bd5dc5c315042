"""``PUT /posts/{id}``: which changes Publer accepts, and its 403 and 422 answers.

Publer (reference §5.7) answers 403 "Forbidden - You cannot update a post that has been
published with approval", and 422 ``{"errors": [...]}`` when a post cannot be updated.
Once published, a post keeps only some fields editable, per network:

=================  ==========================================================
Network            Editable after publishing
=================  ==========================================================
LinkedIn           text
YouTube            title (<= 100 chars), description = text (<= 5000 chars)
Google Business    text (<= 1500 chars)
Facebook           text; title only on video posts
WordPress          title, text
Telegram           text, on status and link posts only
Mastodon           text, title
X, Pinterest,      labels only
Instagram,
Threads, Bluesky
=================  ==========================================================

A field counts as changed only when its new value differs from the current one, so
sending a published post back unchanged is accepted. Unpublished posts (scheduled,
drafts, failed, ...) take any change; an empty text is refused everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from airflow_provider_publer.sandbox import publishing
from airflow_provider_publer.sandbox.models import Post

MSG_APPROVAL = "Forbidden - You cannot update a post that has been published with approval"
MSG_BLANK_TEXT = "Text can't be blank"

#: Fields a PUT may carry that the sandbox stores (everything else in ``post`` is ignored).
CONTENT_FIELDS = ("type", "text", "url", "title", "excerpt", "question", "duration", "featured_media")
ALL_FIELDS = (*CONTENT_FIELDS, "media", "link", "labels")

LABELS_ONLY = frozenset({"twitter", "pinterest", "instagram", "threads", "bluesky"})
EDITABLE_AFTER_PUBLISH: dict[str, frozenset[str]] = {
    "linkedin": frozenset({"text"}),
    "youtube": frozenset({"title", "text"}),
    "google": frozenset({"text"}),
    "facebook": frozenset({"text"}),
    "wordpress": frozenset({"title", "text"}),
    "telegram": frozenset({"text"}),
    "mastodon": frozenset({"text", "title"}),
}
LENGTH_LIMITS: dict[tuple[str, str], int] = {
    ("youtube", "title"): 100,
    ("youtube", "text"): 5000,
    ("google", "text"): 1500,
}
NETWORK_NAMES = {
    "twitter": "X",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "google": "Google Business",
    "wordpress": "WordPress",
    "tiktok": "TikTok",
}


class UpdateRefused(Exception):
    """Publer refuses the update; ``status`` is 403 or 422 and ``message`` its error text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def network_name(network: str | None) -> str:
    return NETWORK_NAMES.get(network or "", (network or "unknown").capitalize())


def changed_fields(post: Post, changes: Mapping[str, Any]) -> list[str]:
    """The fields of ``changes`` whose value differs from the post's (labels included)."""
    current = post_fields(post)
    return [name for name in ALL_FIELDS if name in changes and changes[name] != current.get(name)]


def post_fields(post: Post) -> dict[str, Any]:
    return {
        "type": post.type,
        "text": post.text,
        "url": post.url,
        "title": post.title,
        "media": post.media,
        "link": post.link,
        "labels": post.labels,
        **post.details,
    }


def check_update(post: Post, changes: Mapping[str, Any], approval_accounts: tuple[str, ...]) -> None:
    """Raise :class:`UpdateRefused` when Publer would refuse ``changes`` to ``post``."""
    if publishing.needs_approval(post, approval_accounts):
        raise UpdateRefused(403, MSG_APPROVAL)
    if "text" in changes and not str(changes["text"] or "").strip():
        raise UpdateRefused(422, MSG_BLANK_TEXT)
    if post.state != "published":
        return
    network = post.network or ""
    content = [f for f in changed_fields(post, changes) if f != "labels"]
    if not content:
        return
    name = network_name(network)
    if network in LABELS_ONLY:
        raise UpdateRefused(422, f"Published {name} posts cannot be edited, only their labels")
    allowed = set(EDITABLE_AFTER_PUBLISH.get(network, ()))
    if network == "facebook" and post.type == "video":
        allowed.add("title")
    if network == "telegram" and post.type not in ("status", "link"):
        allowed = set()
    refused = [f for f in content if f not in allowed]
    if refused:
        which = " and ".join(sorted(allowed)) or "nothing but labels"
        raise UpdateRefused(
            422, f"{', '.join(refused)} cannot be edited on a published {name} {post.type} post ({which} can)"
        )
    for field_name in content:
        limit = LENGTH_LIMITS.get((network, field_name))
        if limit is not None and len(str(changes[field_name] or "")) > limit:
            raise UpdateRefused(422, f"{name} {field_name} is too long (maximum is {limit} characters)")


def apply_update(post: Post, changes: Mapping[str, Any], now: datetime) -> None:
    """Write the accepted ``changes`` into ``post`` and stamp ``updated_at``."""
    for name in ("type", "text", "url", "title"):
        if name in changes:
            setattr(post, name, None if changes[name] is None and name in ("url", "title") else changes[name])
    post.text = str(post.text or "")
    post.type = str(post.type or "status")
    for name in ("excerpt", "question", "duration", "featured_media"):
        if name in changes:
            post.details[name] = changes[name]
    if isinstance(changes.get("link"), Mapping):
        post.link = dict(changes["link"])
        post.url = post.link.get("url") or post.url
    if isinstance(changes.get("media"), list):
        post.media = [dict(m) for m in changes["media"] if isinstance(m, Mapping)]
        post.has_media = bool(post.media)
    if isinstance(changes.get("labels"), list):
        post.labels = [label_object(label) for label in changes["labels"]]
    post.updated_at = now


def label_object(label: Any) -> dict[str, Any]:
    """A label as Publer shows it (``{id, name, color}``), from a name, an id or such an object."""
    if isinstance(label, Mapping):
        return dict(label)
    return {"id": str(label), "name": str(label), "color": None}
