"""The choices of Publer's analytics and listing endpoints, and the check of a chosen value.

Why this module exists: ``sort_by``, ``sort_type``, ``account_type`` and the like take a fixed
set of values; a wrong one is refused with the closest valid value before a request is made.
The analytics account types come from the per-network table (:mod:`~airflow_provider_publer.networks`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from airflow_provider_publer.messages import did_you_mean as _did_you_mean
from airflow_provider_publer.messages import error as _error
from airflow_provider_publer.networks import ANALYTICS_ACCOUNT_TYPES

__all__ = [
    "ANALYTICS_ACCOUNT_TYPES",
    "HASHTAG_INSIGHTS_SORTS",
    "POST_INSIGHTS_SORTS",
    "SORT_TYPES",
    "validate_choice",
]

#: ``sort_by`` values of ``GET /analytics/{account_id}/post_insights`` (reference §11).
POST_INSIGHTS_SORTS: frozenset[str] = frozenset(
    {
        "scheduled_at",
        "reach",
        "engagement",
        "engagement_rate",
        "click_through_rate",
        "reach_rate",
        "postType",
        "likes",
        "video_views",
        "comments",
        "shares",
        "saves",
        "link_clicks",
        "post_clicks",
    }
)

#: ``sort_by`` values of ``GET /analytics/{account_id}/hashtag_insights`` (reference §11).
HASHTAG_INSIGHTS_SORTS: frozenset[str] = frozenset(
    {"posts", "reach", "likes", "comments", "shares", "video_views"}
)

#: ``sort_type`` of the analytics lists.
SORT_TYPES: frozenset[str] = frozenset({"ASC", "DESC"})


def validate_choice(value: Any, choices: Iterable[str], *, field: str) -> str | None:
    """``None``, or one of ``choices`` (e.g. ``sort_by``), with the closest one suggested."""
    if value is None:
        return None
    options = sorted(choices)
    if not isinstance(value, str) or value not in options:
        raise _error(
            field,
            f"{value!r} is not accepted{_did_you_mean(value, options)}; use one of {', '.join(options)}",
        )
    return value
