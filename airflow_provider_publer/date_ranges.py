"""The ``from``/``to`` days of an analytics request, and the days a DAG run covers.

Why this module exists: Publer's analytics endpoints take ``from`` and ``to`` as ``YYYY-MM-DD``
and answer without them with an error or nothing (reference §13.15); a run's data interval is
read as whole days.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pendulum

from airflow_provider_publer.messages import error as _error
from airflow_provider_publer.messages import kind as _kind
from airflow_provider_publer.timestamps import parse_timestamp

__all__ = ["interval_days", "validate_date_range"]


def validate_date_range(from_: Any, to: Any, *, field: str = "from_") -> tuple[str, str]:
    """The ``from``/``to`` of an analytics request as Publer wants them: ``YYYY-MM-DD``, both given.

    Publer answers ``post_insights`` without them with HTTP 500 and ``best_times`` with ``[]``
    (reference §13.15), so both are required.

    :param from_: the first day: a ``date``, a ``datetime`` (its own calendar day) or ISO text.
    :param to: the last day, included.
    :raises PublerValidationError: a missing or unreadable bound, or ``from_`` after ``to``.
    """
    first = _day(from_, field)
    last = _day(to, "to" if field == "from_" else f"{field}.to")
    if first > last:
        raise _error(field, f"{first.isoformat()} is after to={last.isoformat()}; swap them")
    return first.isoformat(), last.isoformat()


def interval_days(start: Any, end: Any) -> tuple[str, str]:
    """The days a DAG run's data interval covers, as ``(from, to)`` for Publer (``to`` included).

    An interval ``[start, end)`` whose end falls exactly on midnight ends on the day before
    (a weekly run's interval ``[Mon 00:00, Mon 00:00)`` is Monday to Sunday). A zero-length
    interval (a manual run, or a trigger timetable) is the one day of ``start``.
    """
    first = parse_timestamp(start, field="data_interval_start")
    last = parse_timestamp(end, field="data_interval_end")
    if last > first and last.time() == datetime.min.time():
        last = last.subtract(microseconds=1)
    return validate_date_range(first, last, field="from_")


def _day(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed = pendulum.parse(text, exact=True)
        except (ValueError, TypeError, OverflowError):
            parsed = None
        if isinstance(parsed, datetime):
            return parsed.date()
        if isinstance(parsed, date):
            return parsed
        raise _error(field, f"{text!r} is not a date; write YYYY-MM-DD (e.g. '2030-01-31') or give a date")
    raise _error(
        field,
        f"is required: a date (YYYY-MM-DD, a date or a datetime), got {_kind(value)}; Publer answers "
        "analytics without from/to with an error or nothing",
    )
