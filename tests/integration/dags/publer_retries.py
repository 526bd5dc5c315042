"""DAGs of tests/integration/test_operator_retries.py, one per duplicate-or-loss path.

Each DAG submits posts with ``PublerSchedulePostOperator`` (or a subclass from ``support`` that
fails at one precise moment of try 1) and waits for them with ``PublerJobSensor``. The test sets
the sandbox's faults, then counts the posts on the sandbox and reads ``events.jsonl``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.dags.support import (
    FACEBOOK,
    RECORDED,
    CrashAfterRemember,
    CrashAfterSend,
    EarlierFirstTry,
    publish_now_posts,
    scheduled_posts,
)

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
RETRYING: dict[str, Any] = {"retries": 2, "retry_delay": timedelta(seconds=1)}
#: Reconciliation after a lost answer: look every half second, give up after 20 s.
RECONCILING: dict[str, Any] = {"reconcile_timeout": 20, "reconcile_poll_interval": 0.5}


def sensor(schedule: Any) -> PublerJobSensor:
    return PublerJobSensor(task_id="wait", job_id=schedule.output, poke_interval=1, timeout=90, **RECORDED)


# a. The answer to the POST is lost (the test drops every POST's response): reconcile, never resend.
with DAG("publer_lost_answer", schedule=None, start_date=START, catchup=False):
    sensor(
        PublerSchedulePostOperator(
            task_id="schedule",
            posts=scheduled_posts("lost answer"),
            **RETRYING,
            **RECONCILING,
            **RECORDED,
        )
    )

# a'. Same, but the job creates its posts only after reconcile_timeout: try 1 gives up, try 2 finds them.
with DAG("publer_lost_answer_slow_job", schedule=None, start_date=START, catchup=False):
    sensor(
        PublerSchedulePostOperator(
            task_id="schedule",
            posts=scheduled_posts("lost answer, slow job"),
            retries=2,
            retry_delay=timedelta(seconds=4),
            reconcile_timeout=1,
            reconcile_poll_interval=0.5,
            **RECORDED,
        )
    )

# b. The worker dies after Publer accepted the POST, before the job id was saved anywhere.
with DAG("publer_crash_after_send", schedule=None, start_date=START, catchup=False):
    sensor(
        CrashAfterSend(
            task_id="schedule",
            posts=scheduled_posts("crash after send"),
            **RETRYING,
            **RECONCILING,
            **RECORDED,
        )
    )

# c. The worker dies after the job id reached the submission ledger: try 2 reconnects.
with DAG("publer_crash_after_remember", schedule=None, start_date=START, catchup=False):
    sensor(
        CrashAfterRemember(
            task_id="schedule",
            posts=scheduled_posts("crash after remember"),
            **RETRYING,
            **RECONCILING,
            **RECORDED,
        )
    )

# d. Publish now (no scheduled_at, so no one-minute rule on Publer's side) and the answer is lost.
with DAG("publer_lost_answer_publish_now", schedule=None, start_date=START, catchup=False):
    sensor(
        PublerSchedulePostOperator(
            task_id="schedule",
            posts=publish_now_posts("publish now, lost answer"),
            publish_now=True,
            **RETRYING,
            **RECONCILING,
            **RECORDED,
        )
    )

# e. Try 1 ran before scheduled_at and crashed after the POST; try 2 runs after scheduled_at.
with DAG("publer_retry_after_scheduled_at", schedule=None, start_date=START, catchup=False):

    @task(task_id="posts", **RECORDED)
    def build() -> list[dict[str, Any]]:
        """Posts due two seconds from now (fixed in XCom, so every try sends the same)."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        return scheduled_posts("retry after scheduled_at", when=now + timedelta(seconds=2))

    sensor(
        EarlierFirstTry(
            task_id="schedule",
            posts=build(),
            retries=2,
            retry_delay=timedelta(seconds=3),
            **RECONCILING,
            **RECORDED,
        )
    )

# f. Publish now, and the POST meets a 5xx that Publer did not act on, while a post with the same
#    text is scheduled for tomorrow on the account (the test makes it): not this task's post.
with DAG("publer_lookalike_publish_now", schedule=None, start_date=START, catchup=False):
    sensor(
        PublerSchedulePostOperator(
            task_id="schedule",
            posts=[
                {
                    "networks": {"default": {"type": "status", "text": "Launch day!"}},
                    "accounts": [{"id": FACEBOOK}],
                }
            ],
            publish_now=True,
            retries=1,
            retry_delay=timedelta(seconds=1),
            reconcile_timeout=2,
            reconcile_poll_interval=0.5,
            **RECORDED,
        )
    )
