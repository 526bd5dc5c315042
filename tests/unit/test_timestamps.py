"""Tests of timestamps: one table of accepted and refused forms that holds on every Python.

Python 3.10's ``datetime.fromisoformat`` refuses ``+0000``, nanoseconds and the basic format,
which 3.11 accepts; the table pins what the provider accepts whatever the Python, and the
same table is checked against pendulum's pure-Python parser (used where its compiled one is
not available).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pendulum
import pytest

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.timestamps import (
    now_utc,
    parse_optional_timestamp,
    parse_timestamp,
    to_publer_timestamp,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Text -> (the instant in Publer's form, microseconds). All mean 2031-07-01 12:00 UTC unless said.
ACCEPTED: dict[str, tuple[str, int]] = {
    "2031-07-01T12:00:00+00:00": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01T12:00:00Z": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01T12:00:00z": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01t12:00:00z": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01T12:00:00+0000": ("2031-07-01T12:00:00+00:00", 0),  # what strftime('%z') writes
    "2031-07-01T12:00:00+00": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01T12:00:00-00:00": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01T12:00:00.123456789Z": ("2031-07-01T12:00:00+00:00", 123456),  # nanoseconds
    "2031-07-01T12:00:00.5Z": ("2031-07-01T12:00:00+00:00", 500000),
    "2031-07-01T12:00:00,5Z": ("2031-07-01T12:00:00+00:00", 500000),
    "20310701T120000Z": ("2031-07-01T12:00:00+00:00", 0),  # basic format
    "20310701T140000+0200": ("2031-07-01T14:00:00+02:00", 0),
    "2031-07-01T14:00:00+02:00": ("2031-07-01T14:00:00+02:00", 0),
    "2031-07-01T17:30:00+05:30": ("2031-07-01T17:30:00+05:30", 0),
    "2031-07-01T07:00:00-05:00": ("2031-07-01T07:00:00-05:00", 0),
    "2031-07-01 12:00:00+00:00": ("2031-07-01T12:00:00+00:00", 0),
    "2031-07-01T12:00Z": ("2031-07-01T12:00:00+00:00", 0),
    " 2031-07-01T12:00:00Z\n": ("2031-07-01T12:00:00+00:00", 0),
    "2031-W27-2T12:00Z": ("2031-07-01T12:00:00+00:00", 0),  # week date
    "2031-182T12:00Z": ("2031-07-01T12:00:00+00:00", 0),  # ordinal date
}

#: Text -> the words of the refusal.
REFUSED: dict[str, str] = {
    "2031-07-01T12:00:00": "has no timezone",
    "20310701T120000": "has no timezone",
    "2031/07/01 12:00:00": "has no timezone",
    "2031-07-01": "has no timezone",
    "2031-07": "has no timezone",
    "12:00+02:00": "is not an ISO 8601 timestamp",
    "203107": "is not an ISO 8601 timestamp",
    "P1D": "is not an ISO 8601 timestamp",
    "2031-07-01T12:00Z/2031-07-02T12:00Z": "is not an ISO 8601 timestamp",
    "2031-07-01T24:00:00Z": "is not an ISO 8601 timestamp",
    "2031-07-01T12:00:60Z": "is not an ISO 8601 timestamp",
    "2031-02-30T12:00:00Z": "is not an ISO 8601 timestamp",
    "2031-07-01T12:00:00+25:00": "is not an ISO 8601 timestamp",
    "2031-07-01T12:00:00 Z": "is not an ISO 8601 timestamp",
    "2031-07-01T12:00:00UTC": "is not an ISO 8601 timestamp",
    "2031-07-01T12:00:00+00:00[Europe/Paris]": "is not an ISO 8601 timestamp",
    "1940403600": "is not an ISO 8601 timestamp",
    "next tuesday": "is not an ISO 8601 timestamp",
    "": "is not an ISO 8601 timestamp",
    "   ": "is not an ISO 8601 timestamp",
}


def _outcome(text: str) -> list[Any]:
    """``["ok", Publer form, microseconds]`` or ``["refused", message]``: comparable across processes."""
    try:
        moment = parse_timestamp(text, field="when")
    except PublerValidationError as err:
        return ["refused", str(err)]
    return ["ok", to_publer_timestamp(moment, field="when"), moment.microsecond]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED.items(), ids=repr)
def test_accepted_form(text: str, expected: tuple[str, int]) -> None:
    publer_form, microsecond = expected
    moment = parse_timestamp(text, field="when")
    assert isinstance(moment, pendulum.DateTime)
    assert moment == datetime.fromisoformat(publer_form) + timedelta(microseconds=microsecond)
    assert moment.isoformat().endswith(publer_form[-6:])  # the offset that was given is kept
    assert to_publer_timestamp(text, field="when") == publer_form


@pytest.mark.parametrize(("text", "words"), REFUSED.items(), ids=repr)
def test_refused_form(text: str, words: str) -> None:
    with pytest.raises(PublerValidationError) as caught:
        parse_timestamp(text, field="posts[0].accounts[0].scheduled_at")
    assert caught.value.field == "posts[0].accounts[0].scheduled_at"
    assert str(caught.value).startswith(f"posts[0].accounts[0].scheduled_at: {text!r} {words}")


def test_the_table_is_the_same_with_pendulums_pure_python_parser() -> None:
    """pendulum falls back to a pure-Python parser where its compiled one is missing; same answers."""
    forms = [*ACCEPTED, *REFUSED]
    code = (
        "import json, sys, pendulum.parsing\n"
        "assert pendulum.parsing.parse_iso8601.__module__ == 'pendulum.parsing.iso8601'\n"
        "from tests.unit.test_timestamps import _outcome\n"
        "print(json.dumps([_outcome(text) for text in json.loads(sys.argv[1])]))\n"
    )
    env = {**os.environ, "PENDULUM_EXTENSIONS": "0", "PYTHONPATH": str(REPO_ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", code, json.dumps(forms)], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [_outcome(text) for text in forms]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2031, 7, 1, 12, tzinfo=timezone.utc), "2031-07-01T12:00:00+00:00"),
        (datetime(2031, 7, 1, 12, 0, 5, 999999, tzinfo=timezone.utc), "2031-07-01T12:00:05+00:00"),
        (
            datetime(2031, 7, 1, 17, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2031-07-01T17:30:00+05:30",
        ),
        (pendulum.datetime(2031, 1, 1, 14, tz="Europe/Berlin"), "2031-01-01T14:00:00+01:00"),
        (pendulum.datetime(2031, 7, 1, 8, tz="America/New_York"), "2031-07-01T08:00:00-04:00"),
        # an offset with seconds cannot be written as +HH:MM: the instant is written in UTC
        (datetime(2031, 7, 1, 12, tzinfo=timezone(timedelta(seconds=30))), "2031-07-01T11:59:30+00:00"),
    ],
)
def test_datetimes_keep_their_offset(value: datetime, expected: str) -> None:
    assert parse_timestamp(value, field="x") == value
    assert to_publer_timestamp(value, field="x") == expected


def test_ambiguous_local_time_keeps_its_fold() -> None:
    """01:30 on the night clocks go back happens twice; ``fold`` says which one was meant."""
    zone = pendulum.timezone("America/New_York")
    first, second = (datetime(2030, 11, 3, 1, 30, tzinfo=zone, fold=fold) for fold in (0, 1))
    assert to_publer_timestamp(first, field="x") == "2030-11-03T01:30:00-04:00"
    assert to_publer_timestamp(second, field="x") == "2030-11-03T01:30:00-05:00"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (
            datetime(2031, 7, 1, 12),
            r"'2031-07-01T12:00:00' has no timezone.*timezone-aware.*'\+00:00' suffix",
        ),
        (date(2031, 7, 1), r"must be an ISO 8601 timestamp with an offset .* got date"),
        (1940403600, r"got int 1940403600"),
        (None, r"got None"),
    ],
)
def test_refused_values(value: Any, words: str) -> None:
    with pytest.raises(PublerValidationError, match=words):
        parse_timestamp(value, field="x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2031-07-01T14:00:00+02:00", "2031-07-01T12:00:00+00:00"),
        ("2031-07-01T12:00:00", "2031-07-01T12:00:00+00:00"),  # no offset: read as UTC
        (datetime(2031, 7, 1, 12), "2031-07-01T12:00:00+00:00"),
        (pendulum.datetime(2031, 7, 1, 14, tz="Europe/Paris"), "2031-07-01T12:00:00+00:00"),
        ("20310701T120000Z", "2031-07-01T12:00:00+00:00"),
        ("", None),
        ("not a time", None),
        ("2031-07-01", None),
        ("2031-07-01T12:00:00+25:00", None),
        (None, None),
        (1940403600, None),
        ({"at": "2031-07-01T12:00:00Z"}, None),
    ],
)
def test_parse_optional_timestamp_never_raises(value: Any, expected: str | None) -> None:
    parsed = parse_optional_timestamp(value)
    if expected is None:
        assert parsed is None
    else:
        assert isinstance(parsed, pendulum.DateTime)
        assert parsed == datetime.fromisoformat(expected)


def test_now_utc_is_aware_utc() -> None:
    before = datetime.now(timezone.utc)
    now = now_utc()
    assert isinstance(now, pendulum.DateTime)
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(timezone.utc)
