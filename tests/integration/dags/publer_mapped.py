"""DAGs of tests/integration/test_mapped_sensors.py: sensors after a mapped schedule task, sensors
mapped themselves, ``expand_kwargs`` inside a task group, one sensor over many jobs, and a post
deleted while a sensor waits for it.

The posts are scheduled two minutes after the run started (a template, so every parse of the file
renders the same times for the run); the test's sandbox publishes them within seconds
(``publish_time_scale``). Outcomes land in ``events.jsonl``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from airflow.sdk import DAG, TaskGroup, task

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor, PublerPostSensor
from tests.integration.dags.support import FACEBOOK, LINKEDIN, MASTODON, RECORDED, WHEN
from tests.integration.dags.support import calendar as spread_calendar

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
#: Two minutes after the run started (rendered the same by every task of the run).
SOON = "{{ (dag_run.start_date + macros.timedelta(minutes=%d)).replace(microsecond=0).isoformat() }}"
WAIT: dict[str, Any] = {"poke_interval": 1, "timeout": 120, **RECORDED}


def calendar(tag: str, accounts: list[str], minutes: int = 2) -> list[dict[str, Any]]:
    return [
        {
            "networks": {"default": {"type": "status", "text": f"{tag}: post {i}"}},
            "accounts": [{"id": account, "scheduled_at": SOON % (minutes + i)}],
        }
        for i, account in enumerate(accounts)
    ]


CALENDAR_A = calendar("calendar a", [FACEBOOK, MASTODON])
CALENDAR_B = calendar("calendar b", [LINKEDIN])

# One schedule task mapped over two calendars; sensors unmapped (wait for every job and post),
# mapped (each waits for its own calendar) and deferrable.
with DAG("publer_mapped_expand", schedule=None, start_date=START, catchup=False):
    schedule = PublerSchedulePostOperator.partial(task_id="schedule", retries=0, **RECORDED).expand(
        posts=[CALENDAR_A, CALENDAR_B]
    )
    PublerJobSensor(task_id="wait", job_id=schedule.output, **WAIT)
    PublerPostSensor(task_id="live", job_id=schedule.output, **WAIT)
    PublerPostSensor(task_id="live_deferred", job_id=schedule.output, deferrable=True, **WAIT)
    PublerJobSensor.partial(task_id="wait_each", **WAIT).expand(job_id=schedule.output)
    PublerPostSensor.partial(task_id="live_each", **WAIT).expand(job_id=schedule.output)

# expand_kwargs inside a task group; the second calendar is sent one post per request (a list of
# job ids from one mapped instance).
GROUP_CALENDARS = [
    {"posts": calendar("group a", [FACEBOOK])},
    {"posts": calendar("group b", [LINKEDIN, MASTODON]), "max_posts_per_request": 1},
]
with (
    DAG("publer_mapped_kwargs_group", schedule=None, start_date=START, catchup=False),
    TaskGroup("calendars"),
):
    schedule = PublerSchedulePostOperator.partial(task_id="schedule", retries=0, **RECORDED).expand_kwargs(
        GROUP_CALENDARS
    )
    PublerJobSensor(task_id="wait", job_id=schedule.output, **WAIT)
    PublerPostSensor(task_id="live", job_id=schedule.output, **WAIT)
    PublerPostSensor.partial(task_id="live_each", **WAIT).expand(job_id=schedule.output)


# One sensor over ten jobs, in reschedule mode and in poke mode.
with DAG("publer_many_jobs", schedule=None, start_date=START, catchup=False):
    schedule = PublerSchedulePostOperator(
        task_id="schedule",
        posts=spread_calendar(10, WHEN, "many jobs"),
        max_posts_per_request=1,
        retries=0,
        **RECORDED,
    )
    schedule >> PublerJobSensor(task_id="wait", job_id=schedule.output, **WAIT)


@task(**RECORDED)
def delete_one(job_id: Any) -> list[str]:
    """Every post of the job, after deleting the first in Publer (as a person would)."""
    hook = PublerHook()
    for _ in range(60):  # the job creates the posts
        if hook.get_job_status(str(job_id)).is_finished:
            break
        time.sleep(0.5)
    ids = [str(p["id"]) for p in sorted(hook.list_posts(), key=lambda p: str(p["text"]))]
    hook.delete_posts(ids[:1])
    return ids


# A post deleted in Publer while sensors wait for it to go live.
with DAG("publer_deleted_while_waiting", schedule=None, start_date=START, catchup=False):
    schedule = PublerSchedulePostOperator(
        task_id="schedule", posts=calendar("deleted", [FACEBOOK, LINKEDIN], minutes=30), retries=0, **RECORDED
    )
    ids = delete_one(schedule.output)
    PublerPostSensor(task_id="by_ids", post_ids=ids, **{**WAIT, "timeout": 20})
    PublerPostSensor(task_id="by_ids_deferred", post_ids=ids, deferrable=True, **{**WAIT, "timeout": 20})
