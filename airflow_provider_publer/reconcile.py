"""Find which intended posts already exist on Publer, so nothing is posted twice.

Publer has no idempotency keys. When a submission's outcome is unknown (the
response was lost, the worker died, Airflow retried the task), the only truth is
Publer's own list of posts. This module turns a bulk ``posts`` list into the
(account, time, text) entries it should create, lists the posts Publer holds for
those accounts, and splits the entries into *found* and *missing*.

Matching rules, in the order Publer's own rules make them safe:

- a post with ``scheduled_at`` matches an existing post on the same account whose
  ``scheduled_at`` is within the same minute and whose text is one of the post's
  network texts (Publer refuses two posts on one account less than a minute apart,
  so there is at most one candidate);
- a post without ``scheduled_at`` (publish now, auto-schedule) matches an existing
  post on the same account with the same text created since ``since``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_publer.hooks.publer import PublerHook

#: Posts without a time may be auto-scheduled this far ahead by the account's posting schedule.
AUTO_SCHEDULE_HORIZON = timedelta(days=400)


@dataclass(frozen=True)
class IntendedPost:
    """One (post, account) pair of a bulk request."""

    post_index: int
    account_index: int
    account_id: str
    scheduled_at: datetime | None
    texts: frozenset[str]


@dataclass
class Reconciliation:
    """Which intended (post, account) pairs exist on Publer, and what is left to send."""

    found: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    missing: list[IntendedPost] = field(default_factory=list)
    remaining_posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def found_post_ids(self) -> list[str]:
        return [str(p.get("id")) for _, p in sorted(self.found.items()) if p.get("id")]


def intended_posts(posts: Sequence[Mapping[str, Any]]) -> list[IntendedPost]:
    """Every (post, account) pair the bulk request asks Publer to create."""
    entries = []
    for post_index, post in enumerate(posts):
        texts = _texts(post)
        for account_index, account in enumerate(post.get("accounts") or []):
            entries.append(
                IntendedPost(
                    post_index=post_index,
                    account_index=account_index,
                    account_id=str(account.get("id")),
                    scheduled_at=_parse_time(account.get("scheduled_at")),
                    texts=texts,
                )
            )
    return entries


def reconcile(
    hook: PublerHook,
    posts: Sequence[Mapping[str, Any]],
    *,
    since: datetime,
    workspace_id: str | None = None,
) -> Reconciliation:
    """List Publer's posts for the accounts involved and split the intended ones into found and missing."""
    entries = intended_posts(posts)
    if not entries:
        return Reconciliation(remaining_posts=[dict(p) for p in posts])
    existing = hook.list_posts(
        account_ids=sorted({e.account_id for e in entries}),
        from_=_iso(_window_start(entries, since)),
        to=_iso(_window_end(entries, since)),
        workspace_id=workspace_id,
    )
    return match(posts, entries, existing, since=since)


def match(
    posts: Sequence[Mapping[str, Any]],
    entries: Sequence[IntendedPost],
    existing: Sequence[Mapping[str, Any]],
    *,
    since: datetime,
) -> Reconciliation:
    """Pure matching step of :func:`reconcile` (no I/O), each existing post used at most once."""
    result = Reconciliation()
    by_account: dict[str, list[Mapping[str, Any]]] = {}
    for post in existing:
        by_account.setdefault(str(post.get("account_id")), []).append(post)
    used: set[str] = set()
    for entry in entries:
        candidates = by_account.get(entry.account_id, [])
        hit = next(
            (p for p in candidates if str(p.get("id")) not in used and _matches(entry, p, since)), None
        )
        if hit is None:
            result.missing.append(entry)
        else:
            used.add(str(hit.get("id")))
            result.found[(entry.post_index, entry.account_index)] = dict(hit)
    result.remaining_posts = _remaining(posts, result.found)
    return result


def _matches(entry: IntendedPost, post: Mapping[str, Any], since: datetime) -> bool:
    if _normalise_text(post.get("text")) not in entry.texts:
        return False
    when = _parse_time(post.get("scheduled_at"))
    if entry.scheduled_at is not None:
        return when is not None and abs((when - entry.scheduled_at).total_seconds()) < 60
    created = _parse_time(post.get("created_at")) or when
    return created is None or created >= since - timedelta(minutes=1)


def _remaining(
    posts: Sequence[Mapping[str, Any]], found: Mapping[tuple[int, int], Any]
) -> list[dict[str, Any]]:
    """The posts still to send, each with only the accounts not found on Publer."""
    remaining = []
    for post_index, post in enumerate(posts):
        accounts = [
            account
            for account_index, account in enumerate(post.get("accounts") or [])
            if (post_index, account_index) not in found
        ]
        if accounts:
            trimmed = copy.deepcopy(dict(post))
            trimmed["accounts"] = copy.deepcopy(accounts)
            remaining.append(trimmed)
    return remaining


def _texts(post: Mapping[str, Any]) -> frozenset[str]:
    networks = post.get("networks") or {}
    return frozenset(
        _normalise_text(block.get("text")) for block in networks.values() if isinstance(block, Mapping)
    )


def _normalise_text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _window_start(entries: Sequence[IntendedPost], since: datetime) -> datetime:
    times = [e.scheduled_at for e in entries if e.scheduled_at is not None]
    if any(e.scheduled_at is None for e in entries):
        times.append(since)
    return min(times) - timedelta(minutes=1)


def _window_end(entries: Sequence[IntendedPost], since: datetime) -> datetime:
    times = [e.scheduled_at for e in entries if e.scheduled_at is not None]
    if any(e.scheduled_at is None for e in entries):
        times.append(since + AUTO_SCHEDULE_HORIZON)
    return max(times) + timedelta(minutes=1)


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")
