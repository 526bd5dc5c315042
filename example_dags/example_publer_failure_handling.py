"""When Publer refuses some posts: the sensor fails with every account's reason, a task reports it.

This DAG sends Facebook-only content to a Facebook *and* an Instagram account. Publer
creates the Facebook post and reports a per-account failure for Instagram (no content
for that network); ``wait_for_job`` fails, naming the account and Publer's reason, and
its ``on_failure_callback`` tells the team. The run ends failed, as it should: posts
are missing on Publer.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import dag, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor

POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))


# --8<-- [start:callback]
def tell_the_team(context: Any) -> None:
    """Replace the print with your alerting (Slack, e-mail, a ticket): the exception names every account."""
    print(f"Publer refused some posts: {context.get('exception')}")


# --8<-- [end:callback]


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
)
def example_publer_failure_handling() -> None:
    @task
    def build_posts(run_id: str | None = None) -> list[dict[str, Any]]:
        from airflow_provider_publer.hooks.publer import PublerHook

        accounts = {a["provider"]: a for a in PublerHook().list_accounts()}
        when = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=20)
        return [
            {
                "networks": {"facebook": {"type": "status", "text": f"Facebook-only launch note ({run_id})"}},
                "accounts": [
                    {"id": accounts["facebook"]["id"], "scheduled_at": when.isoformat()},
                    {"id": accounts["instagram"]["id"], "scheduled_at": when.isoformat()},
                ],
            }
        ]

    schedule = PublerSchedulePostOperator(task_id="schedule_posts", posts=build_posts())
    # --8<-- [start:sensor_with_callback]
    PublerJobSensor(
        task_id="wait_for_job",
        job_id=schedule.output,
        poke_interval=POKE_INTERVAL,
        timeout=30 * 60,
        retries=0,
        on_failure_callback=tell_the_team,
    )
    # --8<-- [end:sensor_with_callback]


example_publer_failure_handling()
