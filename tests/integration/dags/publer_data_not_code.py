"""DAGs of tests/integration/test_data_not_code.py: calendar files and XCom are data, never code.

``PUBLER_TEST_SECRET_VAR`` names an Airflow Variable holding a secret; the Publer connection's key
is the sandbox's. Each DAG tries to get a secret into a post's text another way.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, BaseHook, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS

ACCOUNT_ID = SANDBOX_ACCOUNT_IDS["facebook"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
HERE = Path(__file__).parent


def soon(minutes: int) -> str:
    """A time ``minutes`` ahead, as the calendar files' ``{{ soon(n) }}`` cells write it."""
    return (datetime.now(timezone.utc) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def _calendar(name: str, text: str) -> str:
    header = "account_id,network,type,text,scheduled_at,media,url,title,labels\n"
    row = f'{ACCOUNT_ID},facebook,status,"{text}",{{{{ soon(90) }}}},,,,\n'
    (HERE / name).write_text(header + row)
    return name


for dag_id, text in (
    ("publer_calendar_reads_a_connection", "Our API key is {{ conn.publer_default.password }}"),
    ("publer_calendar_reads_a_variable", "The secret is {{ var.value.publer_test_secret }}"),
    ("publer_calendar_reads_the_task", "The key is {{ task.hook.settings.api_key }}"),
    ("publer_calendar_keeps_comments", "Launch {# not a comment #} day, run {{ run_id }}"),
):
    with DAG(dag_id, schedule=None, start_date=START, user_defined_macros={"soon": soon}):
        PublerSchedulePostOperator(task_id="schedule", posts=_calendar(f"{dag_id}.csv", text))


def _post(text: str) -> list[dict[str, Any]]:
    when = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    return [
        {
            "networks": {"facebook": {"type": "status", "text": text}},
            "accounts": [{"id": ACCOUNT_ID, "scheduled_at": when}],
        }
    ]


with DAG("publer_xcom_holds_the_key", schedule=None, start_date=START):

    @task
    def posts_with_the_key() -> list[dict[str, Any]]:
        # An upstream task that puts a connection's password into a text (by mistake or malice).
        return _post(f"Key: {BaseHook.get_connection('publer_default').password}")

    PublerSchedulePostOperator(task_id="schedule", posts=posts_with_the_key())


with DAG("publer_xcom_holds_a_template", schedule=None, start_date=START):

    @task
    def posts_with_a_template() -> list[dict[str, Any]]:
        return _post("Sent as written: {{ conn.publer_default.password }} {{ var.value.publer_test_secret }}")

    PublerSchedulePostOperator(task_id="schedule", posts=posts_with_a_template())
