"""Every bad input of ``tests/bad_inputs_workflow.py``, through the real operators and sensor in a real
DAG run: each task fails, without retries, naming the field and what to do, and no request reaches
the server."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import textwrap
from pathlib import Path

import pytest

from tests.bad_inputs_workflow import BAD_TASKS, TOO_BIG
from tests.integration.conftest import run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_ID = "publer_bad_inputs_workflow"
DAG_FILE = textwrap.dedent(
    '''
    import os
    from datetime import datetime, timezone
    from pathlib import Path

    from airflow.sdk import DAG

    from airflow_provider_publer.operators import publer as operators
    from airflow_provider_publer.sensors import publer as sensors
    from tests.bad_inputs_workflow import BAD_TASKS

    FILES = os.environ["PUBLER_BAD_INPUT_FILES"]
    ERRORS = Path(os.environ["PUBLER_BAD_INPUT_ERRORS"])


    def recording(cls):
        """The real class, keeping each task's error message where the test can read it."""

        class Recording(cls):
            def execute(self, context):
                try:
                    return super().execute(context)
                except Exception as err:
                    (ERRORS / (self.task_id + ".txt")).write_text(f"{type(err).__name__}: {err}")
                    raise

        return Recording


    def filled(value):
        if isinstance(value, str):
            return value.replace("{files}", FILES)
        if isinstance(value, list):
            return [filled(v) for v in value]
        return value


    START = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with DAG("publer_bad_inputs_workflow", schedule=None, start_date=START):
        for bad in BAD_TASKS:
            cls = getattr(operators, bad.operator, None) or getattr(sensors, bad.operator)
            kwargs = {key: filled(value) for key, value in bad.kwargs.items()}
            recording(cls)(task_id=bad.id.replace("-", "_"), retries=0, **kwargs)
    '''
)


def test_catalogue_is_refused_before_anything_is_sent(tmp_path: Path, sandbox):
    assert len(BAD_TASKS) >= 30
    assert len({bad.id for bad in BAD_TASKS}) == len(BAD_TASKS)
    files = tmp_path / "files"
    files.mkdir()
    (files / "launch.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (files / "notes.txt").write_text("notes")
    (files / "README").write_text("readme")
    with (files / "film.mp4").open("wb") as handle:
        handle.truncate(TOO_BIG)  # sparse: no disk space used
    errors = tmp_path / "errors"
    errors.mkdir()
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "bad_inputs_workflow_dag.py").write_text(DAG_FILE)
    env = sandbox_env(sandbox, PUBLER_BAD_INPUT_FILES=str(files), PUBLER_BAD_INPUT_ERRORS=str(errors))

    result = run_dag_test(DAG_ID, env, dags_folder=tmp_path / "dags", timeout=600)

    assert not result.succeeded
    requests = sandbox_state(sandbox)["requests"]
    assert requests["total"] == 0, f"a bad input reached the server: {requests['by_route']}"
    states = _task_states()
    expected = {bad.id.replace("-", "_") for bad in BAD_TASKS}
    assert {t: states.get(t) for t in expected} == dict.fromkeys(expected, "failed")
    wrong = []
    for bad in BAD_TASKS:
        message = (errors / f"{bad.id.replace('-', '_')}.txt").read_text()
        ok = (
            message.startswith("AirflowFailException: Nothing was sent to Publer. ")
            and f"{bad.field}: " in message
            and re.search(bad.match, message)
        )
        if not ok:
            wrong.append((bad.id, message))
    assert not wrong, json.dumps(wrong, indent=1)


def _task_states() -> dict[str, str]:
    db = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = "
            "(SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1)",
            (DAG_ID, DAG_ID),
        ).fetchall()
    return {task_id: state for task_id, state in rows}
