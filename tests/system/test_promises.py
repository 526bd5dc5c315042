"""The provider's promises under the real task supervisor (``airflow standalone``), where
``airflow dags test`` cannot show them: a person clearing a failed task, and Airflow's secrets
masking of real task log files."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from airflow_provider_publer.connection import secret_forms
from scripts.airflow_stack import AirflowStack
from tests.system.conftest import ECHOED_KEY, NEWLINE_KEY, PROMISES_OUT
from tests.system.stack import files_containing, log_text, task_instance, task_log

pytestmark = [pytest.mark.fullstack, pytest.mark.timeout(600)]

#: Older code matched publish-now posts from one minute before the DAG run's start, which a clear
#: resets: a clear more than a minute after the post published it again.
CLEAR_AFTER = 75.0


@pytest.fixture
def api(airflow_stack: AirflowStack) -> httpx.Client:
    with airflow_stack.client() as client:
        yield client


def test_a_task_cleared_after_its_worker_died_does_not_publish_twice(airflow_stack: AirflowStack, api):
    """publish_now, retries=0: try 1's process dies right after Publer processed the POST, the run
    fails, a person clears the task over a minute later. The cleared try finds all three posts."""
    dag_id = "publer_clear_publish_now"
    run_id = airflow_stack.trigger_dag(dag_id)
    assert airflow_stack.wait_for_run(dag_id, run_id, timeout=240)["state"] == "failed"
    failed = task_instance(api, dag_id, run_id, "publish")
    assert (PROMISES_OUT / "died-once").exists(), "the first try must have died after the POST"
    started = datetime.fromisoformat(failed["start_date"].replace("Z", "+00:00")).timestamp()
    time.sleep(max(0.0, started + CLEAR_AFTER - time.time()))

    response = api.post(
        f"dags/{dag_id}/clearTaskInstances",
        json={"dry_run": False, "dag_run_id": run_id, "task_ids": ["publish"], "only_failed": True},
    )
    assert response.status_code < 400, response.text
    assert airflow_stack.wait_for_run(dag_id, run_id, timeout=240)["state"] == "success"

    assert airflow_stack.sandbox is not None
    state = airflow_stack.sandbox.state_snapshot()
    mine = Counter(
        (p["account_id"], p["text"]) for p in state["posts"] if p["text"].startswith("Cleared task")
    )
    assert len(mine) == 3
    assert set(mine.values()) == {1}, f"published twice: {mine}"
    mine_jobs = [j for j in state["jobs"] if "Cleared task" in json.dumps(j.get("request"))]
    assert len(mine_jobs) == 1, "the cleared try sent the posts again"
    entries = task_log(api, dag_id, run_id, "publish", try_number=2)
    assert "may have sent these posts" in log_text(entries)


@pytest.mark.parametrize(
    ("dag_id", "key", "said"),
    [
        ("publer_bad_key", NEWLINE_KEY, "whitespace, a line break"),
        ("publer_echoed_key", ECHOED_KEY, "Rejected credentials 'Bearer-API ***'"),
    ],
)
def test_the_key_never_reaches_task_logs_or_failure_callbacks(
    airflow_stack: AirflowStack, api, dag_id, key, said
):
    run_id = airflow_stack.trigger_dag(dag_id)
    assert airflow_stack.wait_for_run(dag_id, run_id, timeout=240)["state"] == "failed"
    text = log_text(task_log(api, dag_id, run_id, "schedule"))
    assert said in text
    assert "outcome is unknown" not in text
    failures = [json.loads(line) for line in (PROMISES_OUT / "failures.jsonl").read_text().splitlines()]
    assert any(said in f["exception"] for f in failures if f["task_id"] == "schedule")
    for form in secret_forms(key):
        assert form not in text
        assert form not in (PROMISES_OUT / "failures.jsonl").read_text()
        leaked = [p for p in files_containing(airflow_stack.home / "logs", form) if isinstance(p, Path)]
        assert not leaked, f"{form!r} in {leaked}"
