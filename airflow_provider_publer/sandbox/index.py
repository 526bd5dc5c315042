"""Sorted indexes of a sandbox's posts, so big calendars stay fast.

The provider pushes calendars of thousands of posts through the sandbox: bulk jobs of up
to 500 posts, each (post, account) pair checked for the one-minute gap and the daily
limit against every post already on the account, and ``GET /posts`` pages filtered by
account and time. Scanning every post for each of those is quadratic. Here each account
keeps the sorted times of the posts that occupy a slot (:class:`Timeline`, answered by
bisection), and each workspace and each account keep their posts in listing order
(:class:`PostIndex`), so a time range is a slice.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from airflow_provider_publer.sandbox.models import DRAFT_STATES, Post, timestamp

#: Listing order of ``GET /posts``: dated posts by time then id, undated ones (drafts, ideas) last.
OrderKey = tuple[bool, float, str]
_FIRST_ID = ""
_LAST_ID = "\U0010ffff"


def counts_as_post(post: Post) -> bool:
    """Drafts and ideas occupy no slot; scheduled, published, failed, recurring and recycling posts do."""
    return post.state not in DRAFT_STATES and post.scheduled_at is not None


def order_key(post: Post) -> OrderKey:
    if post.scheduled_at is None:
        return (True, 0.0, post.id)
    return (False, timestamp(post.scheduled_at), post.id)


class Timeline:
    """The sorted times (POSIX seconds) of the posts occupying a slot on one account."""

    def __init__(self, times: Iterable[float] = ()) -> None:
        self._times = sorted(times)

    def __len__(self) -> int:
        return len(self._times)

    def add(self, when: datetime) -> None:
        insort(self._times, timestamp(when))

    def remove(self, when: datetime) -> None:
        value = timestamp(when)
        i = bisect_left(self._times, value)
        if i < len(self._times) and self._times[i] == value:
            del self._times[i]

    def any_within(self, when: datetime, gap: timedelta) -> bool:
        """Whether a post lies strictly less than ``gap`` from ``when`` (either side)."""
        t, g = timestamp(when), gap.total_seconds()
        i = bisect_right(self._times, t - g)
        return i < len(self._times) and self._times[i] < t + g

    def count_before(self, when: datetime, span: timedelta) -> int:
        """Posts in ``(when - span, when]``."""
        t = timestamp(when)
        return bisect_right(self._times, t) - bisect_right(self._times, t - span.total_seconds())

    def count_after(self, when: datetime, span: timedelta) -> int:
        """Posts in ``[when, when + span)``."""
        t = timestamp(when)
        return bisect_left(self._times, t + span.total_seconds()) - bisect_left(self._times, t)


class _Sorted:
    """Order keys kept sorted, with the post ids they belong to."""

    def __init__(self) -> None:
        self.keys: list[OrderKey] = []

    def add(self, key: OrderKey) -> None:
        insort(self.keys, key)

    def remove(self, key: OrderKey) -> None:
        i = bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i]

    def between(self, start: float | None, end: float | None) -> list[OrderKey]:
        """Dated keys with ``start <= time <= end``; every key when both bounds are None."""
        if start is None and end is None:
            return self.keys
        lo = bisect_left(self.keys, (False, start, _FIRST_ID)) if start is not None else 0
        hi = (
            bisect_right(self.keys, (False, end, _LAST_ID))
            if end is not None
            else bisect_left(self.keys, (True, 0.0, _FIRST_ID))
        )
        return self.keys[lo:hi]


class PostIndex:
    """Listing order per workspace and per account, and slot timelines per account."""

    def __init__(self) -> None:
        self._by_workspace: dict[str, _Sorted] = {}
        self._by_account: dict[tuple[str, str | None], _Sorted] = {}
        self._timelines: dict[str, Timeline] = {}

    def add(self, post: Post) -> None:
        key = order_key(post)
        self._by_workspace.setdefault(post.workspace_id, _Sorted()).add(key)
        self._by_account.setdefault((post.workspace_id, post.account_id), _Sorted()).add(key)
        if post.account_id is not None and counts_as_post(post) and post.scheduled_at is not None:
            self.timeline(post.account_id).add(post.scheduled_at)

    def remove(self, post: Post) -> None:
        key = order_key(post)
        if post.workspace_id in self._by_workspace:
            self._by_workspace[post.workspace_id].remove(key)
        if (post.workspace_id, post.account_id) in self._by_account:
            self._by_account[(post.workspace_id, post.account_id)].remove(key)
        if post.account_id is not None and counts_as_post(post) and post.scheduled_at is not None:
            self.timeline(post.account_id).remove(post.scheduled_at)

    def timeline(self, account_id: str) -> Timeline:
        return self._timelines.setdefault(account_id, Timeline())

    def ids(
        self,
        workspace_id: str,
        account_ids: list[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[str]:
        """Post ids of a workspace in listing order, narrowed to accounts and a time range."""
        lo = timestamp(start) if start is not None else None
        hi = timestamp(end) if end is not None else None
        if account_ids:
            parts = [
                self._by_account[(workspace_id, a)].between(lo, hi)
                for a in dict.fromkeys(account_ids)
                if (workspace_id, a) in self._by_account
            ]
            keys: Iterable[OrderKey] = parts[0] if len(parts) == 1 else heapq.merge(*parts)
        elif workspace_id in self._by_workspace:
            keys = self._by_workspace[workspace_id].between(lo, hi)
        else:
            keys = ()
        return (key[2] for key in keys)

    def clear(self) -> None:
        self._by_workspace.clear()
        self._by_account.clear()
        self._timelines.clear()
