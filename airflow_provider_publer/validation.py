"""Check what the provider sends to Publer before anything is sent: the import path of every check.

Why this module exists: DAG authors, the operators and the docs import the checks from here.
Each check lives in a module named for what it does; this module re-exports their public names
so that ``from airflow_provider_publer.validation import ...`` keeps working:

- :mod:`~airflow_provider_publer.post_requests`: the rules of a request that creates or changes
  posts (``validate_posts``, ``validate_post_update``, states, the clock, the one-minute gap);
- :mod:`~airflow_provider_publer.models`: the schema of a post and of an update;
- :mod:`~airflow_provider_publer.networks`: every per-network fact, one row per network;
- :mod:`~airflow_provider_publer.ids`: the one check of every id, and id lists from XCom;
- :mod:`~airflow_provider_publer.media_files`: files and URLs of a media upload;
- :mod:`~airflow_provider_publer.analytics_options`: the choices of the analytics endpoints;
- :mod:`~airflow_provider_publer.date_ranges`: the days of an analytics request.

Nothing here imports Airflow, and nothing is imported until it is used: ``from
airflow_provider_publer.validation import X`` loads X's own module only, so an operator imported at
DAG parse time loads the checks it needs, not all of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them; at run time each loads on first use
    from airflow_provider_publer.analytics_options import (
        ANALYTICS_ACCOUNT_TYPES,
        HASHTAG_INSIGHTS_SORTS,
        POST_INSIGHTS_SORTS,
        SORT_TYPES,
        validate_choice,
    )
    from airflow_provider_publer.date_ranges import interval_days, validate_date_range
    from airflow_provider_publer.ids import (
        id_list,
        validate_account_ids,
        validate_id,
        validate_ids,
        validate_post_id,
        validate_post_ids,
        validate_workspace_id,
    )
    from airflow_provider_publer.media_files import (
        MAX_DIRECT_UPLOAD_BYTES,
        MEDIA_EXTENSIONS,
        MEDIA_LIST_TYPES,
        MediaFile,
        validate_media_file,
        validate_media_urls,
    )
    from airflow_provider_publer.models import UPDATE_FIELDS
    from airflow_provider_publer.networks import NETWORK_KEYS
    from airflow_provider_publer.post_requests import (
        BULK_STATES,
        DRAFT_STATES,
        GAP_RULE,
        MAX_POSTS_PER_REQUEST,
        MAX_SCHEDULE_AHEAD_YEARS,
        MIN_GAP,
        POST_STATES,
        PUBLISH_NOW_STATES,
        ValidatedPosts,
        validate_post_update,
        validate_posts,
        validate_target_state,
    )
    from airflow_provider_publer.timestamps import to_publer_timestamp

#: Where each name lives: ``from airflow_provider_publer.validation import X`` loads only X's module
#: (a DAG file that imports an operator loads what that operator needs, not every check).
_HOMES: dict[str, str] = {
    "ANALYTICS_ACCOUNT_TYPES": "analytics_options",
    "BULK_STATES": "post_requests",
    "DRAFT_STATES": "post_requests",
    "GAP_RULE": "post_requests",
    "HASHTAG_INSIGHTS_SORTS": "analytics_options",
    "MAX_DIRECT_UPLOAD_BYTES": "media_files",
    "MAX_POSTS_PER_REQUEST": "post_requests",
    "MAX_SCHEDULE_AHEAD_YEARS": "post_requests",
    "MEDIA_EXTENSIONS": "media_files",
    "MEDIA_LIST_TYPES": "media_files",
    "MIN_GAP": "post_requests",
    "MediaFile": "media_files",
    "NETWORK_KEYS": "networks",
    "POST_INSIGHTS_SORTS": "analytics_options",
    "POST_STATES": "post_requests",
    "PUBLISH_NOW_STATES": "post_requests",
    "SORT_TYPES": "analytics_options",
    "UPDATE_FIELDS": "models",
    "ValidatedPosts": "post_requests",
    "id_list": "ids",
    "interval_days": "date_ranges",
    "to_publer_timestamp": "timestamps",
    "validate_account_ids": "ids",
    "validate_choice": "analytics_options",
    "validate_date_range": "date_ranges",
    "validate_id": "ids",
    "validate_ids": "ids",
    "validate_media_file": "media_files",
    "validate_media_urls": "media_files",
    "validate_post_id": "ids",
    "validate_post_ids": "ids",
    "validate_post_update": "post_requests",
    "validate_posts": "post_requests",
    "validate_target_state": "post_requests",
    "validate_workspace_id": "ids",
}

__all__ = [
    "ANALYTICS_ACCOUNT_TYPES",
    "BULK_STATES",
    "DRAFT_STATES",
    "GAP_RULE",
    "HASHTAG_INSIGHTS_SORTS",
    "MAX_DIRECT_UPLOAD_BYTES",
    "MAX_POSTS_PER_REQUEST",
    "MAX_SCHEDULE_AHEAD_YEARS",
    "MEDIA_EXTENSIONS",
    "MEDIA_LIST_TYPES",
    "MIN_GAP",
    "NETWORK_KEYS",
    "POST_INSIGHTS_SORTS",
    "POST_STATES",
    "PUBLISH_NOW_STATES",
    "SORT_TYPES",
    "UPDATE_FIELDS",
    "MediaFile",
    "ValidatedPosts",
    "id_list",
    "interval_days",
    "to_publer_timestamp",
    "validate_account_ids",
    "validate_choice",
    "validate_date_range",
    "validate_id",
    "validate_ids",
    "validate_media_file",
    "validate_media_urls",
    "validate_post_id",
    "validate_post_ids",
    "validate_post_update",
    "validate_posts",
    "validate_target_state",
    "validate_workspace_id",
]


def __getattr__(name: str) -> Any:
    """Load a name from its module when it is first asked for (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"airflow_provider_publer.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
