"""Chaos DAG: several schedule tasks with retries, each followed by a sensor, under injected faults.

Each run takes ``run`` from its conf; texts and times are unique per run and task, so
the test can count every intended post on the sandbox afterwards.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor

ACCOUNTS = ("63c675b54e299e9cf2b667ea", "63c675d74e299e9cf2b667eb", "63c675e94e299e9cf2b667ec")
TASKS = 3
POSTS_PER_TASK = 2
BASE = datetime(2031, 1, 1, 9, 0, tzinfo=timezone.utc)


def intended(run: int) -> list[tuple[str, str, str]]:
    """(task, account id, text) of every post a run must create."""
    out = []
    for t in range(TASKS):
        for p in range(POSTS_PER_TASK):
            out.append((f"schedule_{t}", ACCOUNTS[p % len(ACCOUNTS)], f"chaos run {run} task {t} post {p}"))
    return out


with DAG("publer_chaos", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc), catchup=False):
    for t in range(TASKS):

        @task(task_id=f"posts_{t}")
        def build(t: int = t, params: dict | None = None, dag_run=None) -> list[dict]:  # type: ignore[no-untyped-def]
            run = int((dag_run.conf or {}).get("run", 0))
            posts = []
            for p in range(POSTS_PER_TASK):
                account = ACCOUNTS[p % len(ACCOUNTS)]
                when = BASE + timedelta(minutes=10 * (run * TASKS * POSTS_PER_TASK + t * POSTS_PER_TASK + p))
                posts.append(
                    {
                        "networks": {
                            "default": {"type": "status", "text": f"chaos run {run} task {t} post {p}"}
                        },
                        "accounts": [{"id": account, "scheduled_at": when.isoformat()}],
                    }
                )
            return posts

        schedule = PublerSchedulePostOperator(
            task_id=f"schedule_{t}",
            posts=build(),
            retries=4,
            retry_delay=timedelta(seconds=1),
            reconcile_timeout=4,
            reconcile_poll_interval=0.5,
        )
        PublerJobSensor(
            task_id=f"wait_{t}",
            job_id=schedule.output,
            poke_interval=1,
            timeout=300,
            retries=2,
            retry_delay=timedelta(seconds=1),
        )
