"""A content calendar from a spreadsheet: check it, then schedule every row, then wait for Publer.

``content_calendar.csv`` (next to this file) is the calendar: one row per post and account, with
the columns ``account_id, network, type, text, scheduled_at, media, url, title, labels``. The
operator reads it by name (``posts="content_calendar.csv"``), renders it with Jinja and turns each
row into a post; an error names the file and the row.

1. ``check_calendar`` is a dry run: it validates every row, reads the posts Publer already holds
   for those accounts and days, and reports what would be created and what Publer would refuse
   (a post less than a minute from another one on the account, more posts in a day than the
   plan allows the network). It sends nothing.
2. ``review`` stops the run if the dry run predicted a refusal.
3. ``schedule_calendar`` sends the calendar: in requests of at most 500 posts, each sent exactly
   once, paced under Publer's limit of 100 requests per 2 minutes.
4. ``wait_for_jobs`` waits for every job Publer created.

The sample's times are relative to the run (the ``slot`` macro: ``slot('1 09:00')`` is 09:00 UTC
tomorrow), so the example works on any day; a real calendar writes times such as
``2031-03-02T09:00:00+01:00``.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

import pendulum
from airflow.sdk import dag, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor

POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))


def slot(day_and_time: str) -> str:
    """``'1 09:00'`` -> 09:00 UTC, one day after today, as Publer's timestamp."""
    days, clock = day_and_time.split()
    hour, minute = (int(part) for part in clock.split(":"))
    when = pendulum.now("UTC").start_of("day").add(days=int(days)).set(hour=hour, minute=minute)
    return when.isoformat()


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
    user_defined_macros={"slot": slot},
)
def example_publer_content_calendar() -> None:
    # --8<-- [start:calendar]
    check = PublerSchedulePostOperator(task_id="check_calendar", posts="content_calendar.csv", dry_run=True)

    @task
    def review(report: dict[str, Any]) -> None:
        """Stop before sending anything if the dry run predicted that Publer would refuse a post."""
        if report["refused_total"]:
            reasons = "\n".join(f"{r['where']}: {r['reason']}" for r in report["refused"])
            raise ValueError(f"Publer would refuse {report['refused_total']} post(s):\n{reasons}")

    schedule = PublerSchedulePostOperator(task_id="schedule_calendar", posts="content_calendar.csv")
    wait = PublerJobSensor(task_id="wait_for_jobs", job_id=schedule.output, poke_interval=POKE_INTERVAL)
    review(check.output) >> schedule >> wait
    # --8<-- [end:calendar]


example_publer_content_calendar()
