"""What a schedule task records sending (XCom ``publer_submitted_posts``), tried as an adversary
would: a secret in a post, a task Publer refused, a forged record, and a retry whose template
renders other posts than the try that may have sent them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from tests.conftest import publer_conn_json
from tests.integration.conftest import (
    dags_folder_with,
    run_dag_test,
    run_recorded_dag,
    sandbox_env,
    sandbox_state,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_submitted_record.py"


def _xcoms(dag_id: str, key: str) -> list[tuple[str, Any]]:
    with sqlite3.connect(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db") as db:
        return db.execute(
            "SELECT task_id, value FROM xcom WHERE dag_id = ? AND key = ?", (dag_id, key)
        ).fetchall()


def test_a_post_holding_the_key_is_refused_before_it_reaches_xcom(tmp_path):
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result, state, _ = run_recorded_dag(tmp_path, DAG_FILE, "publer_record_secret", server)

    assert not result.succeeded
    assert state["posts"] == []
    assert state["requests"]["by_route"].get("POST /api/v1/posts/schedule", 0) == 0
    assert (
        "Nothing was sent to Publer. posts[0].networks.default.text: holds a secret that Airflow masks"
        in (result.output)
    )
    assert _xcoms("publer_record_secret", "publer_submitted_posts") == []
    # No XCom of this DAG holds it (the session's DB also holds other tests' XComs, some of which
    # carry the sandbox key on purpose).
    with sqlite3.connect(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db") as db:
        values = db.execute("SELECT value FROM xcom WHERE dag_id = 'publer_record_secret'").fetchall()
    assert not any(SANDBOX_API_KEY in str(row) for row in values)


def test_a_task_that_sent_nothing_claims_no_post(tmp_path):
    from airflow_provider_publer.plugins.calendar import trace
    from airflow_provider_publer.plugins.records import task_records

    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        env = sandbox_env(
            server,
            AIRFLOW_CONN_PUBLER_REVOKED=publer_conn_json(
                api_key="revoked-key-000000000000", host=server.url, workspace_id=SANDBOX_WORKSPACE_ID
            ),
        )
        result = run_dag_test("publer_record_refused", env, dags_folder=dags_folder_with(tmp_path, DAG_FILE))
        state = sandbox_state(server)

    assert not result.succeeded  # Publer refused the key: 401, nothing sent
    [post] = state["posts"]
    records = task_records(["publer_record_refused"])
    assert [r.task_id for r in records] == ["seed"]
    assert {post_id: r.task_id for post_id, r in trace([post], records, SANDBOX_WORKSPACE_ID).items()} == {
        post["id"]: "seed"
    }


def test_a_forged_record_of_any_shape_breaks_nothing(tmp_path):
    from airflow_provider_publer.plugins.calendar import trace
    from airflow_provider_publer.plugins.records import task_records

    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result, _, _ = run_recorded_dag(tmp_path, DAG_FILE, "publer_record_forged", server)
    assert result.succeeded, result.output[-3000:]
    [record] = task_records(["publer_record_forged"])
    assert record.job_ids == ["forged-job"]
    assert record.intended() == []
    assert record.scheduled_days() == []
    listed = [{"id": "p1", "account_id": "a1", "text": "t", "scheduled_at": "2031-03-02T09:00:00+00:00"}]
    assert trace(listed, [record], SANDBOX_WORKSPACE_ID) == {}


@pytest.mark.parametrize("dag_id", ["publer_record_clock_crash", "publer_record_clock_crash_now"])
def test_a_retry_rendering_other_posts_than_a_try_in_doubt_sends_none(tmp_path, dag_id):
    """Try 1 dies after Publer took its POST; try 2 renders a new text: sending it would publish
    the post twice, so the try fails, saying why and how to send again."""
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)

    assert not result.succeeded
    assert len(state["posts"]) == 1, [p["text"] for p in state["posts"]]
    assert len(state["jobs"]) == 1
    assert [(e["event"], e["try_number"]) for e in events] == [("retry", 1), ("failed", 2)]
    # The task's error as its log shows it (Airflow 3.1 passes no exception to failure callbacks).
    assert "the posts rendered now differ from those" in result.output
    assert f"delete the Airflow Variable 'publer_ledger/{dag_id}/" in result.output
