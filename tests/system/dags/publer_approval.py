"""DAGs of the approval tests (``tests/system/test_approval.py``): a reviewer answers through Airflow.

- ``publer_approval_cases``: three posts (Facebook, LinkedIn, X; tomorrow, texts naming the run)
  -> approval -> scheduling. Each test run answers differently: all, some, an edit, a bad edit,
  a rejection.
- ``publer_approval_timeout``: the same with a 5-second response timeout and no default.
- ``publer_approval_mapped``: one approval per calendar (two calendars), each scheduled on its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.approval import PublerApprovePostsOperator
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
ACCOUNTS = {
    "facebook": "63c675b54e299e9cf2b667ea",
    "linkedin": "63c675d74e299e9cf2b667eb",
    "twitter": "63c675e94e299e9cf2b667ec",
}


def _calendar(label: str, hours: int = 0) -> list[dict[str, Any]]:
    first = (datetime.now(timezone.utc) + timedelta(days=1, hours=hours)).replace(second=0, microsecond=0)
    return [
        {
            "networks": {network: {"type": "status", "text": f"{label} {network}"}},
            "accounts": [{"id": account, "scheduled_at": (first + timedelta(minutes=5 * i)).isoformat()}],
        }
        for i, (network, account) in enumerate(ACCOUNTS.items())
    ]


with DAG("publer_approval_cases", schedule=None, start_date=START, catchup=False):

    @task
    def build(run_id: str | None = None, dag_run: Any = None) -> list[dict[str, Any]]:
        """The calendar; with ``{"image": URL}`` in the run's conf, the Facebook post is a photo post."""
        posts = _calendar(f"approval {run_id}")
        image = (dag_run.conf or {}).get("image") if dag_run is not None else None
        if image:
            posts[0]["networks"]["facebook"].update(type="photo", media=[{"path": image, "type": "photo"}])
        return posts

    approve = PublerApprovePostsOperator(
        task_id="approve",
        posts=build(),
        assigned_users=[{"id": "admin", "name": "admin"}],
    )
    PublerSchedulePostOperator(task_id="schedule", posts=approve.output, retries=0)


with DAG("publer_approval_timeout", schedule=None, start_date=START, catchup=False):

    @task
    def build_soon(run_id: str | None = None) -> list[dict[str, Any]]:
        return _calendar(f"timeout {run_id}")

    silent = PublerApprovePostsOperator(
        task_id="approve", posts=build_soon(), response_timeout=timedelta(seconds=5), retries=0
    )
    PublerSchedulePostOperator(task_id="schedule", posts=silent.output, retries=0)


with DAG("publer_approval_mapped", schedule=None, start_date=START, catchup=False):

    @task
    def calendars(run_id: str | None = None) -> list[list[dict[str, Any]]]:
        return [_calendar(f"mapped {run_id} a"), _calendar(f"mapped {run_id} b", hours=2)]

    approved = PublerApprovePostsOperator.partial(task_id="approve").expand(posts=calendars())
    PublerSchedulePostOperator.partial(task_id="schedule", retries=0).expand(posts=approved.output)
