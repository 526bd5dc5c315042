"""Every bad input of the catalogue, through the real operator in a real DAG run: refused, nothing sent."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import textwrap
from pathlib import Path

import pytest

from tests.bad_inputs import BAD_INPUTS, SPLIT_BY_THE_OPERATOR
from tests.integration.conftest import run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = textwrap.dedent(
    '''
    import os
    from datetime import datetime, timezone
    from pathlib import Path

    from airflow.sdk import DAG

    from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
    from tests.bad_inputs import BAD_INPUTS, SPLIT_BY_THE_OPERATOR, valid_post

    CONNECTION_PROBLEMS = {
        "conn_no_api_key": "publer_no_key",
        "conn_plain_http_remote": "publer_plain_http",
        "conn_no_workspace": "publer_no_workspace",
    }



    class RecordingOperator(PublerSchedulePostOperator):
        """Keeps each task's error message where the test can read it, then fails as usual."""

        def execute(self, context):
            try:
                return super().execute(context)
            except Exception as err:
                out = Path(os.environ["PUBLER_BAD_INPUT_ERRORS"]) / (self.task_id + ".txt")
                out.write_text(str(err))
                raise


    common = {"retries": 0}
    with DAG("publer_bad_inputs", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
        for index, bad in enumerate(BAD_INPUTS):
            if bad.id in SPLIT_BY_THE_OPERATOR:
                continue
            RecordingOperator(task_id=f"bad_{index:02d}", posts=bad.posts, **common, **bad.kwargs)
        for task_id, conn_id in CONNECTION_PROBLEMS.items():
            RecordingOperator(
                task_id=task_id, posts=[valid_post()], publer_conn_id=conn_id, **common
            )
    '''
)

#: Inputs that Airflow itself may refuse before the operator runs (rendered fields must be JSON;
#: which ones depends on the Airflow version). The task must still fail with nothing sent.
REFUSED_BY_AIRFLOW = {"nan-value", "non-string-key"}

CONNECTION_ERRORS = {
    "conn_no_api_key": r"no Publer API key",
    "conn_plain_http_remote": r"refusing to send the API key over plain http",
    "conn_no_workspace": r"No Publer workspace given",
}


def test_catalogue_is_refused_before_anything_is_sent(tmp_path: Path, sandbox):
    assert len(BAD_INPUTS) + len(CONNECTION_ERRORS) >= 30
    env = sandbox_env(sandbox)
    sandbox_conn = json.loads(env["AIRFLOW_CONN_PUBLER_DEFAULT"])
    env["AIRFLOW_CONN_PUBLER_NO_KEY"] = json.dumps({**sandbox_conn, "password": ""})
    env["AIRFLOW_CONN_PUBLER_PLAIN_HTTP"] = json.dumps(
        {**sandbox_conn, "host": "http://publer.example.com/api/v1"}
    )
    env["AIRFLOW_CONN_PUBLER_NO_WORKSPACE"] = json.dumps({**sandbox_conn, "extra": {}})

    errors_dir = tmp_path / "errors"
    errors_dir.mkdir()
    env["PUBLER_BAD_INPUT_ERRORS"] = str(errors_dir)
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "bad_inputs_dag.py").write_text(DAG_FILE)

    result = run_dag_test("publer_bad_inputs", env, dags_folder=tmp_path / "dags", timeout=600)

    assert not result.succeeded
    assert sandbox_state(sandbox)["requests"]["total"] == 0, "a bad input reached the server"
    states = _task_states("publer_bad_inputs")
    expected = {
        f"bad_{i:02d}" for i, bad in enumerate(BAD_INPUTS) if bad.id not in SPLIT_BY_THE_OPERATOR
    } | set(CONNECTION_ERRORS)
    assert {t: states.get(t) for t in expected} == dict.fromkeys(expected, "failed")
    failures = {path.stem: path.read_text() for path in errors_dir.iterdir()}
    wrong = []
    for index, bad in enumerate(BAD_INPUTS):
        if bad.id in SPLIT_BY_THE_OPERATOR:
            continue
        message = failures.get(f"bad_{index:02d}")
        if bad.id in REFUSED_BY_AIRFLOW and message is None:
            continue  # refused by Airflow before the operator ran; the task failed (checked above)
        message = message or ""
        if bad.id in REFUSED_BY_AIRFLOW:
            ok = "Nothing was sent to Publer" in message or "JSON" in message
        else:
            ok = (
                "Nothing was sent to Publer" in message
                and bad.field in message
                and re.search(bad.match, message)
            )
        if not ok:
            wrong.append((bad.id, message))
    assert not wrong, wrong
    for task_id, pattern in CONNECTION_ERRORS.items():
        assert re.search(pattern, failures.get(task_id, "")), (task_id, failures.get(task_id))


def _task_states(dag_id: str) -> dict[str, str]:
    """Final state of each task of the DAG's latest run, read from the metadata DB."""
    db = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = "
            "(SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1)",
            (dag_id, dag_id),
        ).fetchall()
    return {task_id: state for task_id, state in rows}
