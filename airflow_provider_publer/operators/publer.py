"""The provider's operators, by their long-standing import path.

Each operator lives in a module of its kind; this module re-exports them, so
``from airflow_provider_publer.operators.publer import PublerSchedulePostOperator`` keeps working:

- :mod:`~airflow_provider_publer.operators.posts`: :class:`PublerSchedulePostOperator` (bulk
  posts, calendars, dry runs; exactly once through :mod:`airflow_provider_publer.exactly_once`);
- :mod:`~airflow_provider_publer.operators.media`: :class:`PublerUploadMediaOperator`;
- :mod:`~airflow_provider_publer.operators.manage`: :class:`PublerUpdatePostOperator`,
  :class:`PublerDeletePostsOperator`;
- :mod:`~airflow_provider_publer.operators.insights`: :class:`PublerPostInsightsOperator`
  (JSON Lines output: :mod:`~airflow_provider_publer.operators.output`).

Importing it stays cheap: no hook, requests, httpx or pydantic until a task runs.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_publer.operators.common import EPOCH as _EPOCH
from airflow_provider_publer.operators.common import PublerOperator, _PublerTask
from airflow_provider_publer.operators.common import now as _now
from airflow_provider_publer.operators.insights import PublerPostInsightsOperator, _manual_interval
from airflow_provider_publer.operators.manage import (
    PublerDeletePostsOperator,
    PublerUpdatePostOperator,
    _not_deleted_message,
)
from airflow_provider_publer.operators.media import PublerUploadMediaOperator, _file_list
from airflow_provider_publer.operators.output import is_plain_path as _is_plain_path
from airflow_provider_publer.operators.output import local_path_text as _local_path_text
from airflow_provider_publer.operators.output import with_days as _with_days
from airflow_provider_publer.operators.output import write_json_lines as _write_json_lines
from airflow_provider_publer.operators.posts import PublerSchedulePostOperator, _count

__all__ = [
    "PublerDeletePostsOperator",
    "PublerOperator",
    "PublerPostInsightsOperator",
    "PublerSchedulePostOperator",
    "PublerUpdatePostOperator",
    "PublerUploadMediaOperator",
]

# Private names some code (and the provider's tests) imported from here.
_PRIVATE = (
    _EPOCH,
    _PublerTask,
    _count,
    _file_list,
    _is_plain_path,
    _local_path_text,
    _manual_interval,
    _not_deleted_message,
    _now,
    _with_days,
    _write_json_lines,
)

#: The ledger's encodings, which lived here before: loaded on first use (the ledger is execution-only).
_LEDGER_NAMES = {
    "_encode_media": "encode_media",
    "_decode_media": "decode_media",
    "_encode_ids": "encode_ids",
    "_decode_ids": "decode_ids",
}


def __getattr__(name: str) -> Any:
    if name in _LEDGER_NAMES:
        from airflow_provider_publer import ledger

        return getattr(ledger, _LEDGER_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
