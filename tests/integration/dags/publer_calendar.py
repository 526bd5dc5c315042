"""DAGs of tests/integration/test_calendar.py: calendars of many posts, as one task.

``publer_calendar_batches``: 1,100 posts sent as three requests of at most 500; try 1 dies after
the second request's job id reached the ledger, try 2 reconnects to jobs 1 and 2 and sends only
request 3. ``publer_calendar_csv`` and ``publer_calendar_dry_run`` read a CSV calendar that the
test writes next to the DAG file (``calendar.csv``): the dry run sends nothing, the real run
schedules every row.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.dags.support import CRASH_MESSAGE, RECORDED, calendar

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
#: Fixed by the test (the environment), so both tries build the same calendar.
FIRST = datetime.fromisoformat(os.environ.get("PUBLER_CALENDAR_FIRST", "2031-01-05T08:00:00+00:00"))


class CrashAfterTwoRequests(PublerSchedulePostOperator):
    """Try 1 dies right after the second request's job id reached the ledger."""

    def _record_sent(self, ledger: Any, key: str, job_id: str) -> None:
        super()._record_sent(ledger, key, job_id)
        self._recorded = getattr(self, "_recorded", 0) + 1
        if self._try == 1 and self._recorded == 2:
            raise RuntimeError(f"{CRASH_MESSAGE} after request 2 (job {job_id})")

    def execute(self, context: Any) -> Any:
        self._try = int(context["ti"].try_number)
        return super().execute(context)


with DAG("publer_calendar_batches", schedule=None, start_date=START, catchup=False):
    schedule = CrashAfterTwoRequests(
        task_id="schedule",
        posts=calendar(1100, FIRST, "batches"),
        retries=1,
        retry_delay=timedelta(seconds=1),
        **RECORDED,
    )
    PublerJobSensor(task_id="wait", job_id=schedule.output, poke_interval=1, timeout=120, **RECORDED)

with DAG("publer_calendar_dry_run", schedule=None, start_date=START, catchup=False):
    PublerSchedulePostOperator(task_id="plan", posts="calendar.csv", dry_run=True, retries=0, **RECORDED)

with DAG("publer_calendar_csv", schedule=None, start_date=START, catchup=False):
    scheduled = PublerSchedulePostOperator(
        task_id="schedule", posts="calendar.csv", max_posts_per_request=10, retries=0, **RECORDED
    )
    PublerJobSensor(task_id="wait", job_id=scheduled.output, poke_interval=1, timeout=120, **RECORDED)

# The same calendar run again: the dry run predicts, the run creates only what Publer lacks.
with DAG("publer_calendar_again", schedule=None, start_date=START, catchup=False):
    plan = PublerSchedulePostOperator(
        task_id="plan", posts="calendar.csv", dry_run=True, skip_existing=True, retries=0, **RECORDED
    )
    again = PublerSchedulePostOperator(
        task_id="schedule",
        posts="calendar.csv",
        skip_existing=True,
        max_posts_per_request=4,
        wait_for_completion=True,
        poll_interval=0.5,
        retries=0,
        **RECORDED,
    )
    plan >> again
