"""DAGs of tests/integration/test_ui_plugin.py: what the Publer page and tab trace, and who sees it.

- ``publer_ui_visible``: two posts given as a list, then a ``PublerPostSensor`` on the job;
- ``publer_ui_hidden``: one post, in a DAG that the test's restricted user may not read;
- ``publer_ui_calendar``: posts from a CSV calendar file (its rendered field is the file's content);
- ``publer_ui_long``: posts whose rendered field Airflow cuts off (the test runs it with a tiny
  ``[core] max_templated_field_length``), traced by the post ids its sensor returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import DAG

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerPostSensor
from tests.integration.dags.support import WHEN, scheduled_posts

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
#: The texts of each DAG's posts start with its tag.
TAGS = {
    "publer_ui_visible": "ui visible",
    "publer_ui_hidden": "ui hidden",
    "publer_ui_long": "ui long",
}


def _waited(dag_id: str, hours: int) -> None:
    with DAG(dag_id, schedule=None, start_date=START, catchup=False):
        posts = scheduled_posts(TAGS[dag_id], WHEN + timedelta(hours=hours))
        schedule = PublerSchedulePostOperator(task_id="schedule", posts=posts, retries=0)
        schedule >> PublerPostSensor(
            task_id="wait", job_id=schedule.output, target_state="scheduled", poke_interval=1, timeout=120
        )


_waited("publer_ui_visible", 0)
_waited("publer_ui_long", 2)

with DAG("publer_ui_hidden", schedule=None, start_date=START, catchup=False):
    PublerSchedulePostOperator(
        task_id="schedule", posts=scheduled_posts(TAGS["publer_ui_hidden"], WHEN + timedelta(hours=4))
    )

with DAG("publer_ui_calendar", schedule=None, start_date=START, catchup=False):
    PublerSchedulePostOperator(task_id="schedule", posts="publer_ui_calendar.csv", retries=0)
