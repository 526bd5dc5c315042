"""What the provider's operator modules share beyond the task base: the operators' base class, the
task's ledger, ids taken from XCom (mapped tasks too), and output paths.

Why a module: :mod:`~airflow_provider_publer.operators.posts`, ``media``, ``manage`` and
``insights`` each need these, and one home keeps them alike. Cheap to import at DAG parse time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.exceptions import PublerError
from airflow_provider_publer.operators.base import NOTHING_SENT, PublerTaskMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.ledger import SubmissionLedger


class PublerOperator(PublerTaskMixin, BaseOperator):
    """What the provider's operators share: the hook, the workspace, and input checked before sending."""


# Kept for code that subclassed the operators' former private base.
_PublerTask = PublerOperator


def task_ledger(context: Context) -> SubmissionLedger:
    """The running task instance's submission ledger; an unreadable one fails the task for good."""
    from airflow_provider_publer.ledger import SubmissionLedger

    try:
        return SubmissionLedger.for_task(context)
    except PublerError as err:
        raise AirflowFailException(f"{NOTHING_SENT} {err}") from None


def now() -> datetime:
    return datetime.now(timezone.utc)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def flat_items(value: Any) -> Any:
    """Items taken from XCom as one flat list: a mapped task's output (a lazy sequence of items, or
    of lists of items, as a calendar or upload task returns) and nested lists become one list; a
    string, a mapping (one media object) and anything that is not a sequence are left as they are.
    """
    if value is None or isinstance(value, (str, bytes, Mapping)) or not _is_sequence(value):
        return value
    items: list[Any] = []
    for item in value:
        if item is not None and not isinstance(item, (str, bytes, Mapping)) and _is_sequence(item):
            items.extend(flat_items(item))
        else:
            items.append(item)
    return items


def _is_sequence(value: Any) -> bool:
    """A list, a tuple or a lazy XCom sequence (a mapped task's output), not a path or an XComArg."""
    import os

    if isinstance(value, (list, tuple)):
        return True
    if isinstance(value, os.PathLike) or hasattr(value, "protocol") or hasattr(value, "resolve"):
        return False
    from collections.abc import Sequence

    return isinstance(value, Sequence) or type(value).__name__ == "LazyXComSequence"


def ids_list(value: Any) -> Any:
    """Ids from XCom, flattened (see :func:`flat_items`); one id, a mapping or anything else that is
    not a sequence is left for validation to judge."""
    return flat_items(value)
