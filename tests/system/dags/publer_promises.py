"""DAGs of tests/system/test_promises.py: the provider's promises under the real task supervisor.

``publer_clear_publish_now``: publish-now posts; try 1's worker process dies (``os._exit``) right
after Publer processed the POST, before anything else runs; ``retries=0``, so the run fails.
A person clears the task later: the cleared try must find the posts, not publish them again.

``publer_bad_key`` / ``publer_echoed_key``: a key with a line break inside, and a key that
Publer's error answer echoes back; the task logs, the failure callback's message and the
rendered fields must not hold the key in any form.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from airflow.sdk import DAG

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
#: Directory where the failure callbacks write what a Slack or e-mail callback would send.
OUT_ENV = "PUBLER_PROMISES_OUT"

PUBLISH_NOW_POSTS = [
    {
        "networks": {"default": {"type": "status", "text": "Cleared task: post 0"}},
        "accounts": [{"id": SANDBOX_ACCOUNT_IDS["facebook"]}, {"id": SANDBOX_ACCOUNT_IDS["mastodon"]}],
    },
    {
        "networks": {"default": {"type": "status", "text": "Cleared task: post 1"}},
        "accounts": [{"id": SANDBOX_ACCOUNT_IDS["linkedin"]}],
    },
]


class DiesAfterThePost(PublerSchedulePostOperator):
    """The first execution's process dies as soon as Publer answered the POST."""

    def _send(self, posts: list[dict[str, Any]], workspace: str) -> str:
        job_id = super()._send(posts, workspace)
        marker = Path(os.environ[OUT_ENV]) / "died-once"
        if not marker.exists():
            marker.write_text(job_id)
            os._exit(1)
        return job_id


def record_failure(context: Any) -> None:
    """What a Slack or e-mail failure callback would send: the task and its exception."""
    out = Path(os.environ[OUT_ENV])
    entry = {"task_id": context["ti"].task_id, "exception": repr(context.get("exception"))}
    with (out / "failures.jsonl").open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


with DAG("publer_clear_publish_now", schedule=None, start_date=START, catchup=False):
    DiesAfterThePost(task_id="publish", posts=PUBLISH_NOW_POSTS, publish_now=True, retries=0)

for dag_id, conn_id in (("publer_bad_key", "publer_newline_key"), ("publer_echoed_key", "publer_echoed_key")):
    with DAG(dag_id, schedule=None, start_date=START, catchup=False):
        PublerSchedulePostOperator(
            task_id="schedule",
            publer_conn_id=conn_id,
            posts=[
                {
                    "networks": {"facebook": {"type": "status", "text": f"{dag_id} post"}},
                    "accounts": [
                        {"id": SANDBOX_ACCOUNT_IDS["facebook"], "scheduled_at": "2030-06-01T12:00:00+00:00"}
                    ],
                }
            ],
            retries=0,
            on_failure_callback=record_failure,
        )
