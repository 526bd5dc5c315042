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

Nothing here imports Airflow or the models: this is imported at DAG parse time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from airflow_provider_publer.models import UPDATE_FIELDS

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
    """``UPDATE_FIELDS`` is the update model's; it is read from the models when first asked for."""
    if name == "UPDATE_FIELDS":
        from airflow_provider_publer.models import UPDATE_FIELDS

        return UPDATE_FIELDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
