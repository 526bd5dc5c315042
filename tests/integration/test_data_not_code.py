"""Data never becomes code: a calendar file or an upstream task's output cannot put a connection's
password, a Variable or the task's own key into a post, and no post holding a secret Airflow masks
is sent, whatever its origin.

Each DAG runs under ``airflow dags test`` against the sandbox, which records every request: the
secrets are in no request body, no post, and no task output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from tests.integration.conftest import dags_folder_with, run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_data_not_code.py"
VARIABLE_SECRET = "variable-secret-4f1b9c7e2d"


def _run(tmp_path: Path, dag_id: str) -> tuple[str, bool, dict]:
    folder = dags_folder_with(tmp_path, DAG_FILE)
    env = sandbox_env(server := SandboxServer(SandboxConfig(job_latency=0.5)).__enter__())
    try:
        env["AIRFLOW_VAR_PUBLER_TEST_SECRET"] = VARIABLE_SECRET
        result = run_dag_test(dag_id, env, dags_folder=folder)
        state = sandbox_state(server)
    finally:
        server.__exit__(None, None, None)
    return result.output, result.succeeded, state


def _texts(state: dict) -> list[str]:
    return [str(post.get("text")) for post in state["posts"]]


@pytest.mark.parametrize(
    ("dag_id", "undefined"),
    [
        ("publer_calendar_reads_a_connection", "'conn' is undefined"),
        ("publer_calendar_reads_a_variable", "'var' is undefined"),
        ("publer_calendar_reads_the_task", "'task' is undefined"),
    ],
)
def test_a_calendar_cell_cannot_read_connections_variables_or_the_task(
    tmp_path: Path, dag_id: str, undefined: str
) -> None:
    output, succeeded, state = _run(tmp_path, dag_id)
    assert not succeeded
    assert undefined in output
    assert "a calendar file is data" in output
    assert state["requests"]["total"] == 0 or not state["posts"]
    assert state["posts"] == []
    assert SANDBOX_API_KEY not in json.dumps(state)
    assert VARIABLE_SECRET not in json.dumps(state)
    assert VARIABLE_SECRET not in output


def test_a_jinja_comment_in_a_calendar_is_sent_as_written(tmp_path: Path) -> None:
    output, succeeded, state = _run(tmp_path, "publer_calendar_keeps_comments")
    assert succeeded, output[-3000:]
    [text] = _texts(state)
    assert text.startswith("Launch {# not a comment #} day, run manual__")  # the run's id is rendered


def test_an_upstream_task_cannot_post_the_key_it_read(tmp_path: Path) -> None:
    output, succeeded, state = _run(tmp_path, "publer_xcom_holds_the_key")
    assert not succeeded
    assert "holds a secret that Airflow masks" in output
    assert "posts[0].networks.facebook.text" in output
    assert state["posts"] == []
    assert SANDBOX_API_KEY not in json.dumps(state)
    # The upstream task's own log shows what it returned (its doing); the provider's error never does.
    refusals = [line for line in output.splitlines() if "holds a secret" in line]
    assert refusals
    assert not [line for line in refusals if SANDBOX_API_KEY in line]


def test_templates_in_an_upstream_tasks_output_are_never_rendered(tmp_path: Path) -> None:
    output, succeeded, state = _run(tmp_path, "publer_xcom_holds_a_template")
    assert succeeded, output[-3000:]
    assert _texts(state) == [
        "Sent as written: {{ conn.publer_default.password }} {{ var.value.publer_test_secret }}"
    ]
    assert SANDBOX_API_KEY not in json.dumps(state)
    assert VARIABLE_SECRET not in json.dumps(state)
