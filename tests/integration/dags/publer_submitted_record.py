"""DAGs of tests/integration/test_submitted_record.py: what a schedule task records sending (XCom
``publer_submitted_posts``) holds no secret, is made only by a task that sent, cannot break the
Publer page when another task forges it, and a retry never sends other posts than a try in doubt.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox import SANDBOX_API_KEY
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS
from tests.integration.dags.support import RECORDED, CrashAfterSend

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
FACEBOOK = SANDBOX_ACCOUNT_IDS["facebook"]
MASTODON = SANDBOX_ACCOUNT_IDS["mastodon"]
#: The same instant on every parse of this file (each task parses it again).
LATER = datetime(2031, 3, 2, 9, tzinfo=timezone.utc)


def _post(text: str, account: str, when: datetime | None) -> dict[str, Any]:
    target: dict[str, Any] = {"id": account}
    if when is not None:
        target["scheduled_at"] = when.isoformat()
    return {"networks": {"default": {"type": "status", "text": text}}, "accounts": [target]}


def _stamp() -> str:
    """A value that differs on every rendering (as ``macros.datetime.now()`` does)."""
    return str(time.time_ns())


# The connection's key in a post's text: refused, and never stored in XCom.
with DAG("publer_record_secret", schedule=None, start_date=START, catchup=False):
    PublerSchedulePostOperator(
        task_id="schedule", posts=[_post(f"debug: token {SANDBOX_API_KEY}", FACEBOOK, LATER)], retries=0
    )

# ``refused`` sends the seed's post with a key Publer refuses (401): nothing sent, no post claimed.
with DAG("publer_record_refused", schedule=None, start_date=START, catchup=False):
    same = _post("record refused: the same text", FACEBOOK, LATER + timedelta(days=1))
    seed = PublerSchedulePostOperator(task_id="seed", posts=[same], retries=0)
    refused = PublerSchedulePostOperator(
        task_id="refused", posts=[same], publer_conn_id="publer_revoked", retries=0
    )
    seed >> refused


# Any task may push the keys the Publer page reads: values of any shape.
@task
def forge(ti: Any = None) -> None:
    ti.xcom_push(key="publer_job_id", value="forged-job")
    ti.xcom_push(
        key="publer_submitted_posts",
        value={"posts": [{"networks": ["x"], "accounts": 5}, {"networks": {}, "accounts": [7]}]},
    )


with DAG("publer_record_forged", schedule=None, start_date=START, catchup=False):
    forge()

# A clock macro in the text and a try that dies after Publer took the POST: the retry renders
# other posts, and refuses them instead of publishing the post twice (scheduled and publish-now).
for dag_id, when, publish_now in (
    ("publer_record_clock_crash", LATER + timedelta(days=2), False),
    ("publer_record_clock_crash_now", None, True),
):
    with DAG(dag_id, schedule=None, start_date=START, catchup=False, user_defined_macros={"stamp": _stamp}):
        CrashAfterSend(
            task_id="schedule",
            posts=[_post("clock {{ stamp() }}", MASTODON, when)],
            publish_now=publish_now,
            retries=1,
            retry_delay=timedelta(seconds=1),
            **RECORDED,
        )
