"""Several calendar files, one schedule task mapped over them, then wait until every post is live.

Each file in ``calendars/`` (next to this file) is a content calendar, as in
``example_publer_content_calendar``: one row per post and account. Instead of one task per file,
the schedule task is *mapped* over the files (Airflow's dynamic task mapping): one task instance
per calendar, each sending its calendar exactly once.

1. ``schedule_calendars`` maps ``PublerSchedulePostOperator`` over the calendar files.
2. ``wait_for_jobs`` is one sensor over every calendar's jobs (``job_id=schedule.output`` reads
   the ids of every mapped instance).
3. ``wait_until_live`` is mapped too: one task instance per calendar, each waiting until its own
   posts are published, with a "Published post" link per post.

The sample's times are relative to the run, so that its posts go live minutes after it starts
(the ``after`` macro: ``after(dag_run.start_date, minutes=2)``; every task of the run renders the
same time); a real calendar writes times such as ``2031-03-02T09:00:00+01:00``. Publer needs a
minute between two posts of one account, so the sample posts to accounts the other examples do not
post to minutes ahead: the examples can run together on one workspace.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from airflow.sdk import dag

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor, PublerPostSensor

POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))
CALENDARS = ["calendars/spring_launch.csv", "calendars/spring_followup.csv"]


def after(start: datetime, minutes: int) -> str:
    """``minutes`` after ``start`` (the run's start), to the second, as Publer's timestamp."""
    return (start + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
    user_defined_macros={"after": after},
)
def example_publer_mapped_calendars() -> None:
    # --8<-- [start:mapped]
    schedule = PublerSchedulePostOperator.partial(task_id="schedule_calendars").expand(posts=CALENDARS)
    wait = PublerJobSensor(task_id="wait_for_jobs", job_id=schedule.output, poke_interval=POKE_INTERVAL)
    live = PublerPostSensor.partial(
        task_id="wait_until_live", poke_interval=POKE_INTERVAL, timeout=3600
    ).expand(job_id=schedule.output)
    wait >> live
    # --8<-- [end:mapped]


example_publer_mapped_calendars()
