"""DAG of tests/integration/test_templating.py: what Airflow's templating does to the text of posts.

``posts`` is a templated field, so Jinja in a post's text is rendered before anything is sent.
The marked part is included in docs/operator.md ("Templating"); the test checks the texts the
sandbox received, so the docs show what really happens.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS

ACCOUNT_ID = SANDBOX_ACCOUNT_IDS["facebook"]

with DAG("publer_templating", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
    # --8<-- [start:templating]
    def status(text: str, at: str) -> dict[str, Any]:
        # scheduled_at is rendered too: a week after the run's date, at `at` UTC.
        when = "{{ macros.ds_add(ds, 7) }}T" + at + ":00+00:00"
        return {
            "networks": {"default": {"type": "status", "text": text}},
            "accounts": [{"id": ACCOUNT_ID, "scheduled_at": when}],
        }

    PublerSchedulePostOperator(
        task_id="templated_texts",
        posts=[
            # Sent as "Daily report for 2025-06-01" (the run's date).
            status("Daily report for {{ ds }}", "09:00"),
            # Both sent as "Write {{ ds }} to get the date".
            status("Write {{ '{{' }} ds {{ '}}' }} to get the date", "10:00"),
            status("{% raw %}Write {{ ds }} to get the date{% endraw %}", "11:00"),
        ],
    )

    @task
    def build_posts() -> list[dict[str, Any]]:
        when = (datetime.now(timezone.utc) + timedelta(days=8)).isoformat()
        return [
            {
                # Sent as written: text that comes through XCom (a task's output) is not rendered.
                "networks": {"default": {"type": "status", "text": "Posted as written: {{ ds }}"}},
                "accounts": [{"id": ACCOUNT_ID, "scheduled_at": when}],
            }
        ]

    PublerSchedulePostOperator(task_id="text_from_xcom", posts=build_posts())
    # --8<-- [end:templating]

# A text with a placeholder that is not a template variable: Airflow's StrictUndefined fails the
# task while rendering, before the operator runs.
with DAG("publer_templating_undefined", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
    PublerSchedulePostOperator(
        task_id="undefined_variable",
        posts=[
            {
                "networks": {"default": {"type": "status", "text": "Hello {{ first_name }}!"}},
                "accounts": [{"id": ACCOUNT_ID, "scheduled_at": "{{ macros.ds_add(ds, 7) }}T09:00:00+00:00"}],
            }
        ],
        retries=0,
    )
