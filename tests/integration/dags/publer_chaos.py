"""Chaos DAG: several schedule tasks with retries, most followed by a sensor, under injected faults.

Each run takes ``run`` from its conf (``airflow dags test publer_chaos -c '{"run": 3}'``); texts
and times are unique per run, task and post, so tests/integration/test_chaos.py can count every
intended post on the sandbox afterwards. Every task records its outcome in events.jsonl.

Tasks ``schedule_0`` to ``schedule_3`` schedule posts and ``wait_<t>`` waits for each job;
``schedule_4`` publishes now (no ``scheduled_at``: only reconciliation stands between a retry and
a duplicate) and ``wait_4`` waits for it; ``schedule_5`` schedules and waits by itself
(``wait_for_completion=True``, which also lists the posts to verify them).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.dags.support import RECORDED

#: Accounts that take a plain status post (Instagram needs media), used in turn.
ACCOUNTS = tuple(SANDBOX_ACCOUNT_IDS[p] for p in ("facebook", "linkedin", "twitter", "mastodon", "bluesky"))
TASKS = 6
POSTS_PER_TASK = 2
PUBLISH_NOW_TASK = 4
SELF_WAITING_TASK = 5
#: One slot per hour keeps every account far below Publer's daily limits, however many runs.
BASE = datetime(2031, 1, 1, 9, 0, tzinfo=timezone.utc)


def posts_for(run: int, t: int) -> list[dict[str, Any]]:
    """The bulk ``posts`` of task ``t`` in run ``run``: post 0 on one account, post 1 on two."""
    posts = []
    for p in range(POSTS_PER_TASK):
        slot = (run * TASKS + t) * POSTS_PER_TASK + p
        when = {} if t == PUBLISH_NOW_TASK else {"scheduled_at": (BASE + timedelta(hours=slot)).isoformat()}
        accounts = [ACCOUNTS[(slot + k) % len(ACCOUNTS)] for k in range(p + 1)]
        posts.append(
            {
                "networks": {"default": {"type": "status", "text": f"chaos run {run} task {t} post {p}"}},
                "accounts": [{"id": account, **when} for account in accounts],
            }
        )
    return posts


def intended(run: int) -> list[tuple[str, str, str | None]]:
    """(account id, text, scheduled_at or None for publish-now) of every post a run must create."""
    return [
        (account["id"], post["networks"]["default"]["text"], account.get("scheduled_at"))
        for t in range(TASKS)
        for post in posts_for(run, t)
        for account in post["accounts"]
    ]


with DAG("publer_chaos", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc), catchup=False):
    for t in range(TASKS):

        @task(task_id=f"posts_{t}", **RECORDED)
        def build(t: int = t, dag_run: Any = None) -> list[dict[str, Any]]:
            return posts_for(int((dag_run.conf or {}).get("run", 0)), t)

        schedule = PublerSchedulePostOperator(
            task_id=f"schedule_{t}",
            posts=build(),
            publish_now=t == PUBLISH_NOW_TASK,
            wait_for_completion=t == SELF_WAITING_TASK,
            poll_interval=1,
            deferrable=False,
            retries=4,
            retry_delay=timedelta(seconds=1),
            reconcile_timeout=5,
            reconcile_poll_interval=0.5,
            **RECORDED,
        )
        if t == SELF_WAITING_TASK:
            continue
        PublerJobSensor(
            task_id=f"wait_{t}",
            job_id=schedule.output,
            poke_interval=1,
            timeout=120,
            retries=2,
            retry_delay=timedelta(seconds=1),
            **RECORDED,
        )
