"""A 2,000-post calendar split over 4 mapped tasks that run at the same time on ``airflow standalone``.

The connection ``publer_calendar`` points at a sandbox of its own with a tight rate limit (10
requests per 10 s), shared by the four tasks' worker processes: they pace themselves from
Publer's X-RateLimit-* headers, and a 429 is waited out, never a failure. Each task sends its
500 posts as five requests of 100.
"""

from __future__ import annotations

from datetime import datetime, timezone

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.dags.support import calendar

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
POSTS, TASKS = 2000, 4

with DAG("publer_calendar_mapped", schedule=None, start_date=START, catchup=False, max_active_tasks=8):

    @task
    def chunks(run_id: str | None = None) -> list[list[dict]]:
        """The calendar, starting tomorrow, in four chunks of 500 posts."""
        from datetime import timedelta

        first = (datetime.now(timezone.utc) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        posts = calendar(POSTS, first, f"mapped {run_id}")
        size = POSTS // TASKS
        return [posts[i : i + size] for i in range(0, POSTS, size)]

    scheduled = PublerSchedulePostOperator.partial(
        task_id="schedule", publer_conn_id="publer_calendar", max_posts_per_request=100, retries=0
    ).expand(posts=chunks())
    PublerJobSensor.partial(
        task_id="wait", publer_conn_id="publer_calendar", poke_interval=10, timeout=600
    ).expand(job_id=scheduled.output)
