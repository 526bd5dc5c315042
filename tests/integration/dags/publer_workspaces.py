"""Posts submitted in a workspace that is not the connection's default.

Only the operators name the workspace; the sensors get nothing but the job id, as the README
wires them (``job_id=schedule.output``), and must wait for the job in the workspace it was
submitted in: in reschedule mode, in deferrable mode, and inside the operator itself
(``wait_for_completion``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import dag

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_CLIENT_ACCOUNTS, SANDBOX_CLIENT_WORKSPACE_ID
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.dags.support import WHEN

CLIENT_PAGE = SANDBOX_CLIENT_ACCOUNTS[0]["id"]


def _post(text: str, minutes: int | None) -> list[dict]:
    account: dict = {"id": CLIENT_PAGE}
    if minutes is not None:
        account["scheduled_at"] = (WHEN + timedelta(minutes=minutes)).isoformat()
    return [{"networks": {"facebook": {"type": "status", "text": text}}, "accounts": [account]}]


@dag(schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc), catchup=False)
def publer_workspaces() -> None:
    rescheduled = PublerSchedulePostOperator(
        task_id="schedule_reschedule",
        posts=_post("client: reschedule", 0),
        workspace_id=SANDBOX_CLIENT_WORKSPACE_ID,
    )
    PublerJobSensor(task_id="wait_reschedule", job_id=rescheduled.output, poke_interval=1, timeout=120)

    deferred = PublerSchedulePostOperator(
        task_id="schedule_deferrable",
        posts=_post("client: deferrable", 5),
        workspace_id=SANDBOX_CLIENT_WORKSPACE_ID,
    )
    PublerJobSensor(
        task_id="wait_deferrable", job_id=deferred.output, deferrable=True, poke_interval=1, timeout=120
    )

    PublerSchedulePostOperator(
        task_id="publish_and_wait",
        posts=_post("client: wait_for_completion", None),
        publish_now=True,
        workspace_id=SANDBOX_CLIENT_WORKSPACE_ID,
        wait_for_completion=True,
        poll_interval=1,
        deferrable=True,
    )


publer_workspaces()
