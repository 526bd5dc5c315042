"""Publer's per-account posting rules, with the failure messages Publer words them in.

Pure functions over an account's :class:`~airflow_provider_publer.sandbox.index.Timeline`
(the sorted times of its posts): which content block an account takes, whether a time is
acceptable, whether the one-minute gap or the daily limit is hit, and where an
auto-scheduled post lands. The job processor raises
:class:`Refused` with the message that ends up in the job's ``failures``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from airflow_provider_publer.sandbox.index import Timeline
from airflow_provider_publer.sandbox.models import as_utc, ceil_minute, parse_time, timestamp

MSG_GAP = "There's another post at this time. A one minute gap is required between posts"
MSG_TOO_SOON = "The scheduled time must be at least 1 minute in the future"
MSG_NO_OFFSET = "scheduled_at must include a timezone offset (ISO 8601)"
MSG_BAD_TIME = "scheduled_at is not a valid ISO 8601 timestamp"
MSG_NO_ACCOUNT = "Resource does not exist"
MSG_DAILY_LIMIT = "Daily post limit reached for this account"
HIDDEN_POST_MEDIA = "undefined method 'count' for nil:NilClass"

GAP = timedelta(minutes=1)
MIN_LEAD = timedelta(minutes=1)
DAY = timedelta(hours=24)
AUTO_LEAD = timedelta(hours=1)
AUTO_SPACING = timedelta(minutes=2)

#: Network keys of ``networks`` that post to an account of another provider name.
NETWORK_PROVIDER = {"wordpress_oauth": "wordpress", "wordpress_basic": "wordpress"}

#: Daily posts per account (free, professional, business), rolling 24 h; reference §3.
DAILY_LIMITS: dict[str, tuple[int, int, int]] = {
    "facebook": (12, 24, 36),
    "instagram": (15, 20, 25),
    "threads": (150, 200, 250),
    "tiktok": (15, 20, 25),
    "twitter": (25, 50, 100),
    "mastodon": (25, 50, 100),
    "bluesky": (25, 50, 100),
    "linkedin_profile": (10, 12, 14),
    "linkedin_page": (12, 18, 24),
    "linkedin": (12, 18, 24),
    "pinterest": (12, 24, 36),
    "google": (5, 10, 15),
    "youtube": (5, 10, 15),
    "wordpress": (12, 18, 24),
    "telegram": (5, 10, 15),
}
DEFAULT_DAILY_LIMIT = (12, 24, 36)
PLAN_INDEX = {"free": 0, "professional": 1, "business": 2}


class Refused(Exception):
    """Publer refuses one (post, account) pair; the message is Publer's failure text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def no_content_message(provider: str) -> str:
    return f"No content provided for {provider}"


def provider_of(network_key: str) -> str:
    return NETWORK_PROVIDER.get(network_key, network_key)


def content_block(networks: Mapping[str, Any], provider: str) -> tuple[str, dict[str, Any]]:
    """The (network key, block) an account of ``provider`` takes: its own network, else ``default``."""
    for key, block in networks.items():
        if key != "default" and provider_of(key) == provider and isinstance(block, Mapping):
            return key, dict(block)
    default = networks.get("default")
    if isinstance(default, Mapping):
        return "default", dict(default)
    raise Refused(no_content_message(provider))


def scheduled_time(raw: Any) -> datetime:
    """``accounts[].scheduled_at`` as an aware UTC datetime; refuses values without an offset."""
    parsed = parse_time(raw)
    if parsed is None:
        raise Refused(MSG_BAD_TIME)
    if parsed.tzinfo is None:
        raise Refused(MSG_NO_OFFSET)
    return as_utc(parsed)


def check_lead_time(when: datetime, now: datetime) -> None:
    if timestamp(when) - timestamp(now) < MIN_LEAD.total_seconds():
        raise Refused(MSG_TOO_SOON)


def has_gap_conflict(timeline: Timeline, when: datetime) -> bool:
    """Whether a post of the account lies less than a minute from ``when``."""
    return timeline.any_within(when, GAP)


def check_gap(timeline: Timeline, when: datetime) -> None:
    if has_gap_conflict(timeline, when):
        raise Refused(MSG_GAP)


def daily_limit(account: Mapping[str, Any], plan: str) -> int:
    provider = str(account.get("provider"))
    limits = DAILY_LIMITS.get(f"{provider}_{account.get('type')}") or DAILY_LIMITS.get(provider)
    return (limits or DEFAULT_DAILY_LIMIT)[PLAN_INDEX.get(plan, 2)]


def check_daily_limit(timeline: Timeline, account: Mapping[str, Any], when: datetime, plan: str) -> None:
    """Refuse when the 24 h before or the 24 h after ``when`` already holds the plan's limit."""
    busiest = max(timeline.count_before(when, DAY), timeline.count_after(when, DAY))
    if busiest >= daily_limit(account, plan):
        raise Refused(MSG_DAILY_LIMIT)


def auto_slot(timeline: Timeline, now: datetime) -> datetime:
    """The account's next free slot: an hour from now, on the minute, moved on 2 minutes at a time."""
    slot = ceil_minute(now + AUTO_LEAD)
    while has_gap_conflict(timeline, slot):
        slot += AUTO_SPACING
    return slot
