"""Waiting in the triggerer: a deferrable sensor, and an operator that waits by itself.

``wait_deferred`` hands the wait to Airflow's triggerer, so no worker slot is held
while Publer processes the job. ``publish_and_wait`` publishes a post right away and
waits for the job in the same task (``wait_for_completion=True``); when Publer has
published the post, the task's "Published post" link opens it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import dag, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor

POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
)
def example_publer_deferrable() -> None:
    @task
    def pick_accounts() -> dict[str, str]:
        from airflow_provider_publer.hooks.publer import PublerHook

        return {a["provider"]: a["id"] for a in PublerHook().list_accounts()}

    @task
    def scheduled_post(accounts: dict[str, str], run_id: str | None = None) -> list[dict[str, Any]]:
        when = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=30)
        return [
            {
                "networks": {"linkedin": {"type": "status", "text": f"Hiring update ({run_id})"}},
                "accounts": [{"id": accounts["linkedin"], "scheduled_at": when.isoformat()}],
            }
        ]

    # --8<-- [start:publish_now_post]
    @task
    def publish_now_post(accounts: dict[str, str], run_id: str | None = None) -> list[dict[str, Any]]:
        return [
            {
                "networks": {"mastodon": {"type": "status", "text": f"We are live! ({run_id})"}},
                "accounts": [{"id": accounts["mastodon"]}],
            }
        ]

    # --8<-- [end:publish_now_post]

    accounts = pick_accounts()
    schedule = PublerSchedulePostOperator(task_id="schedule_posts", posts=scheduled_post(accounts))
    # --8<-- [start:wait_deferred]
    PublerJobSensor(
        task_id="wait_deferred",
        job_id=schedule.output,
        deferrable=True,
        poke_interval=POKE_INTERVAL,
        timeout=30 * 60,
    )
    # --8<-- [end:wait_deferred]
    # --8<-- [start:publish_and_wait]
    PublerSchedulePostOperator(
        task_id="publish_and_wait",
        posts=publish_now_post(accounts),
        publish_now=True,
        wait_for_completion=True,
        poll_interval=POKE_INTERVAL,
        deferrable=True,
    )
    # --8<-- [end:publish_and_wait]


example_publer_deferrable()
