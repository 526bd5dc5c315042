"""A 2,000-post calendar over 4 mapped tasks running at the same time under ``airflow standalone``
(several worker processes, no shared memory) against a sandbox with a tight request limit."""

from __future__ import annotations

from collections import Counter

import pytest

from airflow_provider_publer.sandbox import SandboxServer
from scripts.airflow_stack import AirflowStack
from tests.system.stack import log_text, task_instances, task_log

pytestmark = [pytest.mark.fullstack, pytest.mark.timeout(900)]

DAG_ID = "publer_calendar_mapped"


def test_four_mapped_tasks_share_the_budget_and_post_everything_exactly_once(
    airflow_stack: AirflowStack, calendar_sandbox: SandboxServer
):
    run_id = airflow_stack.trigger_dag(DAG_ID)
    run = airflow_stack.wait_for_run(DAG_ID, run_id, timeout=600)
    with airflow_stack.client() as api:
        instances = task_instances(api, DAG_ID, run_id)
        schedule_logs = [
            log_text(
                task_log(api, DAG_ID, run_id, ti["task_id"], ti["try_number"], map_index=ti["map_index"])
            )
            for ti in instances
            if ti["task_id"] == "schedule"
        ]
    state = calendar_sandbox.state_snapshot()

    assert run["state"] == "success", [(t["task_id"], t["map_index"], t["state"]) for t in instances]
    schedule = [t for t in instances if t["task_id"] == "schedule"]
    assert len(schedule) == 4
    assert {t["state"] for t in instances} == {"success"}
    assert {t["try_number"] for t in schedule} == {1}, "a task was retried"
    mine = Counter(p["text"] for p in state["posts"] if p["text"].startswith(f"mapped {run_id}"))
    assert len(mine) == 2000
    assert set(mine.values()) == {1}, "a post was created twice"
    assert len(state["jobs"]) == 20  # five requests of 100 per task, each processed once
    # A POST that met a 429 was refused by the sandbox, not processed: the hook sent it again.
    assert state["requests"]["by_route"]["POST /api/v1/posts/schedule"] - 20 <= state["rate_limited"]
    for text in schedule_logs:
        assert "HTTP 429" not in text or "Retrying in" in text  # a 429 is waited out, never a failure
        assert "Task failed" not in text
    print(f"\ncalendar: {state['requests']['total']} requests, {state['rate_limited']} answered 429")
