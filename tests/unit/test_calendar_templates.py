"""A calendar file's templates are data's templates: dates and macros, never code, files or secrets.

Rendered exactly as the operator renders them when its task runs (``render_template`` of
``posts``), with a context that holds a connection accessor the file must not reach.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from airflow.sdk import DAG

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator

HEADER = "account_id,network,type,text,scheduled_at,media,url,title,labels\n"


def _render(tmp_path: Path, cell: str) -> str:
    (tmp_path / "calendar.csv").write_text(f'{HEADER}abc,facebook,status,"{cell}",,,,,\n')
    dag = DAG(
        "calendar_templates",
        schedule=None,
        start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
        template_searchpath=[str(tmp_path)],
        user_defined_macros={"module": os, "slot": lambda day: f"day {day}"},
    )
    task = PublerSchedulePostOperator(task_id="schedule", posts="calendar.csv", dag=dag)
    context = {"ds": "2025-01-01", "run_id": "manual_1", "conn": object(), "var": object()}
    rendered = task.render_template(task.posts, context)
    return str(rendered).splitlines()[1]


@pytest.mark.parametrize(
    ("cell", "sent"),
    [
        ("{{ macros.ds_add(ds, 2) }}", "2025-01-03"),
        ("{{ slot(3) }} of {{ run_id }}", "day 3 of manual_1"),
        ("Launch {# not a comment #} day", "Launch {# not a comment #} day"),
        ("{{ 3 * 4 }}", "12"),
    ],
)
def test_dates_macros_and_the_dags_own_macros_render(tmp_path: Path, cell: str, sent: str) -> None:
    assert _render(tmp_path, cell) == f'abc,facebook,status,"{sent}",,,,,'


@pytest.mark.parametrize(
    ("cell", "refusal"),
    [
        ("{{ conn }}", "'conn' is undefined"),
        ("{{ var }}", "'var' is undefined"),
        ("{{ macros.uuid.os.getcwd() }}", "has no attribute 'uuid'"),  # Airflow's macros hold modules
        ("{{ macros.json.codecs }}", "has no attribute 'json'"),
        ("{{ module.getcwd() }}", "of 'module' object is unsafe"),  # a module among the DAG's macros
        ("{% include 'calendar.csv' %}", "an include or import of another file"),
        ("{% import 'calendar.csv' as other %}", "an include or import of another file"),
        ("{{ 'x' * 10**7 }}", "repeating a text or list more than"),
        ("{{ 9 ** 999 }}", "a power above 64"),
    ],
)
def test_secrets_code_files_and_memory_are_out_of_reach(tmp_path: Path, cell: str, refusal: str) -> None:
    with pytest.raises(AirflowFailException, match="Nothing was sent to Publer") as info:
        _render(tmp_path, cell)
    assert refusal in str(info.value)


def test_a_text_of_a_list_that_ends_like_a_file_name_stays_text(tmp_path: Path) -> None:
    dag = DAG("file_like_text", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc))
    posts = [{"networks": {"facebook": {"type": "status", "text": "Read report.csv"}}}]
    task = PublerSchedulePostOperator(task_id="schedule", posts=posts, dag=dag)
    assert task.render_template(task.posts, {"ds": "2025-01-01"}) == posts
