"""Publer's quickstart as an Airflow DAG: accounts -> schedule -> wait for the job -> verify the posts.

Configure a connection ``publer_default`` (type Publer: API key as password, default
workspace in the extra ``workspace_id``) and trigger the DAG. It schedules one post on
each Facebook, LinkedIn and X account of the workspace, 15 minutes from now and two
minutes apart, waits until Publer confirms the job, then checks that every post is listed.

To post in another workspace than the connection's default, trigger it with the param
``workspace_id``. Only the operator is told: the sensor waits for the job in the workspace
it was submitted in.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import Param, dag, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor

NETWORKS = ("facebook", "linkedin", "twitter")
# How often the sensor checks the job. Publer allows 100 requests per 2 minutes per user;
# the project's tests lower it with this variable to run against the local sandbox quickly.
POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
    # "null" in the type makes the field optional in the Trigger form: left empty, the run uses the
    # connection's default workspace.
    params={
        "workspace_id": Param(
            None,
            type=["null", "string"],
            title="Workspace ID",
            description="Empty: the connection's default workspace (ids: Browse > Publer).",
        )
    },
)
def example_publer_quickstart() -> None:
    # --8<-- [start:list_accounts]
    @task
    def list_accounts(params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        from airflow_provider_publer.hooks.publer import PublerHook

        workspace = (params or {}).get("workspace_id") or None
        accounts = [
            a for a in PublerHook(workspace_id=workspace).list_accounts() if a.get("provider") in NETWORKS
        ]
        if not accounts:
            raise ValueError(f"The workspace has no {', '.join(NETWORKS)} account to post to.")
        return accounts

    # --8<-- [end:list_accounts]

    # --8<-- [start:build_posts]
    @task
    def build_posts(accounts: list[dict[str, Any]], run_id: str | None = None) -> list[dict[str, Any]]:
        """One post per account, a quarter of an hour ahead, two minutes apart."""
        start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=15)
        return [
            {
                "networks": {
                    account["provider"]: {
                        "type": "status",
                        "text": f"Our weekly report is out! ({account['name']}, run {run_id})",
                    }
                },
                "accounts": [
                    {"id": account["id"], "scheduled_at": (start + timedelta(minutes=2 * i)).isoformat()}
                ],
            }
            for i, account in enumerate(accounts)
        ]

    # --8<-- [end:build_posts]

    @task
    def verify_posts(
        outcome: dict[str, Any], posts: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Publer's step 6: list the scheduled posts and check each intended one is there."""
        from airflow_provider_publer.hooks.publer import PublerHook

        account_ids = [a["id"] for p in posts for a in p["accounts"]]
        workspace = (params or {}).get("workspace_id") or None
        listed = PublerHook(workspace_id=workspace).list_posts(state="scheduled", account_ids=account_ids)
        texts = {(p.get("account_id"), p.get("text")) for p in listed}
        missing = [
            (a["id"], text)
            for p in posts
            for a in p["accounts"]
            for text in [next(iter(p["networks"].values()))["text"]]
            if (a["id"], text) not in texts
        ]
        if missing:
            raise ValueError(f"{len(missing)} post(s) are not listed on Publer: {missing}")
        print(f"Job {outcome['job_id']}: {len(account_ids)} post(s) scheduled and listed on Publer.")
        return {"job_id": outcome["job_id"], "scheduled": len(account_ids)}

    # --8<-- [start:schedule_and_wait]
    accounts = list_accounts()
    posts = build_posts(accounts)
    # --8<-- [start:wait_and_verify]
    schedule = PublerSchedulePostOperator(
        task_id="schedule_posts", posts=posts, workspace_id="{{ params.workspace_id or '' }}"
    )
    wait = PublerJobSensor(
        task_id="wait_for_job",
        job_id=schedule.output,
        poke_interval=POKE_INTERVAL,
        timeout=30 * 60,
    )
    # --8<-- [end:schedule_and_wait]
    verify_posts(wait.output, posts)
    # --8<-- [end:wait_and_verify]


example_publer_quickstart()
