"""DAGs of tests/integration/test_sensor.py: PublerJobSensor under faults, odd statuses and failures.

Each DAG submits a bulk post and waits for its job with one or more sensors. The test sets the
sandbox (faults on ``GET /job_status``, a status the provider does not know, a job that fails for
one account) and reads the outcome of every task from ``events.jsonl``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any

from airflow.sdk import DAG

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.dags.support import RECORDED, WHEN, scheduled_posts

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


class SensorWithoutHookRetries(PublerJobSensor):
    """The real sensor, with a hook that does not retry inside one check (``max_retries=0``).

    The default hook retries a failed GET up to five times, so a check rarely ends in an error;
    without retries every injected fault reaches the sensor's own "could not check, wait" logic.
    """

    @cached_property
    def hook(self) -> PublerHook:
        return PublerHook(publer_conn_id=self.publer_conn_id, workspace_id=self.workspace_id, max_retries=0)


def schedule(posts: list[dict[str, Any]]) -> PublerSchedulePostOperator:
    return PublerSchedulePostOperator(task_id="schedule", posts=posts, retries=0, **RECORDED)


# Transient trouble on GET /job_status (5xx, 429, dropped answers): both sensors keep waiting.
with DAG("publer_sensor_transient", schedule=None, start_date=START, catchup=False):
    submitted = schedule(scheduled_posts("sensor under faults"))
    first = SensorWithoutHookRetries(
        task_id="wait_no_hook_retries", job_id=submitted.output, poke_interval=1, timeout=60, **RECORDED
    )
    second = PublerJobSensor(task_id="wait", job_id=submitted.output, poke_interval=1, timeout=60, **RECORDED)
    submitted >> first >> second

# Publer answers a status the provider does not know: never success, the sensors time out.
with DAG("publer_sensor_unknown_status", schedule=None, start_date=START, catchup=False):
    submitted = schedule(scheduled_posts("unknown status"))
    PublerJobSensor(task_id="wait", job_id=submitted.output, poke_interval=1, timeout=4, **RECORDED)
    PublerJobSensor(
        task_id="wait_deferred",
        job_id=submitted.output,
        poke_interval=1,
        timeout=4,
        deferrable=True,
        **RECORDED,
    )

# Facebook-only content sent to Facebook and Instagram: the job completes with one failed account.
with DAG("publer_sensor_failures", schedule=None, start_date=START, catchup=False):
    submitted = schedule(
        [
            {
                "networks": {"facebook": {"type": "status", "text": "Facebook-only note"}},
                "accounts": [
                    {"id": SANDBOX_ACCOUNT_IDS["facebook"], "scheduled_at": WHEN.isoformat()},
                    {"id": SANDBOX_ACCOUNT_IDS["instagram"], "scheduled_at": WHEN.isoformat()},
                ],
            }
        ]
    )
    PublerJobSensor(
        task_id="wait",
        job_id=submitted.output,
        poke_interval=1,
        timeout=60,
        retries=2,
        retry_delay=timedelta(seconds=1),
        **RECORDED,
    )
    PublerJobSensor(
        task_id="wait_soft",
        job_id=submitted.output,
        poke_interval=1,
        timeout=60,
        deferrable=True,
        soft_fail=True,
        **RECORDED,
    )

# Publer answers every status check with a 5xx: the sensor times out, and no poke's retries
# plan waits past the sensor's timeout (one poke used to retry inside the hook for 31 s).
with DAG("publer_sensor_timeout_budget", schedule=None, start_date=START, catchup=False):
    submitted = schedule(scheduled_posts("timeout budget"))
    PublerJobSensor(task_id="wait", job_id=submitted.output, poke_interval=1, timeout=6, **RECORDED)
