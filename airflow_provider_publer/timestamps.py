"""Read and write the instants the provider exchanges with Publer, in one place, with pendulum.

Why this module exists: Publer takes and returns ISO 8601 timestamps with an offset and
writes them as ``YYYY-MM-DDTHH:MM:SS+HH:MM`` (reference §1). Python's own
``datetime.fromisoformat`` reads different forms on different versions: Python 3.10 refuses
``+0000`` (what ``strftime('%z')`` writes), nanoseconds and the basic format
``20310701T120000Z`` that 3.11 accepts, so a DAG that works on one Python would fail on the
other. pendulum's ISO 8601 parser (the clock library Airflow itself uses) gives the same
answer on every Python. Every reader and writer of timestamps in the provider goes through
here: validation of what will be sent, and reconciliation of what Publer answered.

Only pendulum and the provider's exceptions are imported: this runs at DAG parse time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pendulum

from airflow_provider_publer.exceptions import PublerValidationError

__all__ = ["now_utc", "parse_optional_timestamp", "parse_timestamp", "to_publer_timestamp"]

_NAIVE_FIX = (
    'use a timezone-aware value, e.g. pendulum.datetime(2030, 1, 1, 12, tz="UTC") '
    "or a string with a '+00:00' suffix"
)

#: Offsets ISO 8601 can write are below 24 hours (pendulum's pure-Python parser would take more).
_MAX_OFFSET = timedelta(hours=24)


def parse_timestamp(value: Any, *, field: str) -> pendulum.DateTime:
    """A timezone-aware datetime or ISO 8601 string with an offset -> an aware pendulum DateTime.

    Accepted: aware ``datetime`` (stdlib or pendulum, any tzinfo) and ISO 8601 text with an
    offset or ``Z``/``z``, in extended or basic format, with ``+00:00``, ``+0000`` or ``+00``
    offsets and any number of fractional digits (kept to microseconds), surrounding blanks
    ignored. The offset of the input is kept. Refused with :class:`PublerValidationError`
    naming ``field``: naive datetimes and text without an offset (Publer would read them in an
    unknown zone), dates, times and durations, and anything else.

    :param value: the value to read.
    :param field: the dotted path named in the error, e.g. ``posts[0].accounts[0].scheduled_at``.
    :return: the same instant, as a pendulum DateTime.
    """
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise _naive(field, value.isoformat())
        return pendulum.instance(value)
    if isinstance(value, str):
        return _parse_text(value, field)
    raise PublerValidationError(
        "must be an ISO 8601 timestamp with an offset (e.g. '2030-01-01T12:00:00+00:00') or a "
        f"timezone-aware datetime, got {type(value).__name__ if value is not None else 'None'} {value!r}",
        field=field,
    )


def to_publer_timestamp(value: Any, *, field: str) -> str:
    """Publer's form of an instant: ``YYYY-MM-DDTHH:MM:SS+HH:MM``, in the offset it was given in.

    Fractions of a second are dropped. A historic offset with seconds (e.g. LMT) cannot be
    written in this form, so that instant is written in UTC instead.

    :param value: anything :func:`parse_timestamp` accepts.
    :param field: the dotted path named in the error.
    """
    moment = value if isinstance(value, datetime) else parse_timestamp(value, field=field)
    offset = moment.utcoffset()
    if offset is None:
        raise _naive(field, moment.isoformat())
    if offset % timedelta(minutes=1):
        moment, offset = moment.astimezone(timezone.utc), timedelta(0)
    return datetime(*moment.timetuple()[:6], tzinfo=timezone(offset)).isoformat()


def parse_optional_timestamp(value: Any) -> pendulum.DateTime | None:
    """Read a timestamp from one of Publer's answers; ``None`` when there is none or it is unreadable.

    Never raises: an answer is read, not judged. Text or datetimes without an offset are read
    as UTC, the zone Publer keeps times in.

    :param value: a datetime, an ISO 8601 string, or anything else (-> ``None``).
    """
    if isinstance(value, datetime):
        return pendulum.instance(
            value if value.utcoffset() is not None else value.replace(tzinfo=pendulum.UTC)
        )
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = pendulum.parse(_canonical_case(value), tz=pendulum.UTC, exact=True)
    except (ValueError, OverflowError):
        return None
    return parsed if isinstance(parsed, pendulum.DateTime) and _offset_ok(parsed) else None


def now_utc() -> pendulum.DateTime:
    """The current time, in UTC."""
    return pendulum.now(pendulum.UTC)


def _parse_text(text: str, field: str) -> pendulum.DateTime:
    try:
        parsed = pendulum.parse(_canonical_case(text), tz=None, exact=True)
    except (ValueError, OverflowError):
        parsed = None
    if isinstance(parsed, pendulum.Date) and getattr(parsed, "tzinfo", None) is None:
        raise _naive(field, text)  # a date and time without offset, or a date alone
    if not isinstance(parsed, pendulum.DateTime) or not _offset_ok(parsed):
        raise PublerValidationError(
            f"{text!r} is not an ISO 8601 timestamp; use 'YYYY-MM-DDTHH:MM:SS+HH:MM', "
            "e.g. '2030-01-01T12:00:00+00:00'",
            field=field,
        )
    return parsed


def _canonical_case(text: str) -> str:
    """ISO 8601 letters (T, Z, W) in upper case: RFC 3339 allows ``t`` and ``z``, pendulum reads upper."""
    return text.strip().upper()


def _offset_ok(moment: datetime) -> bool:
    try:
        offset = moment.utcoffset()
    except ValueError:  # pendulum's pure-Python parser builds offsets of 24 hours or more
        return False
    return offset is not None and abs(offset) < _MAX_OFFSET


def _naive(field: str, shown: str) -> PublerValidationError:
    return PublerValidationError(
        f"{shown!r} has no timezone and Publer needs an explicit offset; {_NAIVE_FIX}", field=field
    )
