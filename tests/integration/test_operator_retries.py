"""Nothing posted twice, nothing lost: every duplicate-or-loss path of the operator, run for real.

Each test runs one DAG of ``tests/integration/dags/publer_retries.py`` with ``airflow dags test``
against the sandbox over loopback, then counts the posts the sandbox holds: every intended
(account, text) pair exactly once, one job, one POST.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import FaultConfig, SandboxConfig, SandboxServer
from tests.integration.conftest import (
    DagRunResult,
    run_recorded_dag,
)
from tests.integration.dags.support import (
    CLOCK_SKEW,
    intended_pairs,
    publish_now_posts,
    scheduled_posts,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_retries.py"
SCHEDULE_ROUTE = "POST /api/v1/posts/schedule"
PUBLISH_ROUTE = "POST /api/v1/posts/schedule/publish"


def _run(
    tmp_path: Path, dag_id: str, config: SandboxConfig
) -> tuple[DagRunResult, dict[str, Any], list[dict[str, Any]]]:
    with SandboxServer(config) as server:
        return run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)


def _assert_each_post_once(state: dict[str, Any], posts: list[dict[str, Any]]) -> None:
    on_sandbox = Counter((p["account_id"], p["text"]) for p in state["posts"])
    intended = Counter(intended_pairs(posts))
    duplicates = {pair: n for pair, n in on_sandbox.items() if n > 1}
    lost = [pair for pair in intended if on_sandbox[pair] == 0]
    assert not duplicates, f"posted twice: {duplicates}"
    assert not lost, f"never posted: {lost}"
    assert on_sandbox == intended


def _event(events: list[dict[str, Any]], task_id: str, event: str) -> dict[str, Any]:
    matching = [e for e in events if e["task_id"] == task_id and e["event"] == event]
    assert len(matching) == 1, f"expected one {event} of {task_id}, got {events}"
    return matching[0]


def _routes(state: dict[str, Any]) -> dict[str, int]:
    return state["requests"]["by_route"]


def _lost_answer_faults(path: str) -> FaultConfig:
    """Every POST to ``path`` is processed, then its response is dropped (the client sees a broken
    connection). Only the POST is affected, so reconciliation's GET /posts sees the truth."""
    return FaultConfig(rate_drop=1.0, paths=(path,), methods=("POST",), seed=1)


def test_lost_answer_is_reconciled_not_resent(tmp_path):
    """a. Publer created the job but its answer never arrived: the task finds the posts and returns
    ``reconciled:<ids>`` on try 1; nothing is sent a second time (a resend would be dropped again,
    and would show as a second POST and a second job)."""
    config = SandboxConfig(job_latency=1.0, faults=_lost_answer_faults("/api/v1/posts/schedule"))
    result, state, events = _run(tmp_path, "publer_lost_answer", config)

    assert result.succeeded, result.output[-4000:]
    _assert_each_post_once(state, scheduled_posts("lost answer"))
    assert state["faults"]["drop"] == 1
    assert _routes(state)[SCHEDULE_ROUTE] == 1
    assert len(state["jobs"]) == 1
    schedule = _event(events, "schedule", "success")
    assert schedule["try_number"] == 1
    assert schedule["value"].startswith("reconciled:")
    assert sorted(schedule["value"].removeprefix("reconciled:").split(",")) == sorted(
        p["id"] for p in state["posts"]
    )
    assert "outcome is unknown" in result.output
    wait = _event(events, "wait", "success")
    assert wait["value"]["status"] == "reconciled"


def test_lost_answer_with_a_slow_job_fails_the_try_and_the_retry_reconciles(tmp_path):
    """a'. Same lost answer, but the job creates its posts only after ``reconcile_timeout``: try 1
    gives up without resending; try 2 lists the posts (now created) and sends nothing."""
    config = SandboxConfig(job_latency=4.0, faults=_lost_answer_faults("/api/v1/posts/schedule"))
    result, state, events = _run(tmp_path, "publer_lost_answer_slow_job", config)

    assert result.succeeded, result.output[-4000:]
    _assert_each_post_once(state, scheduled_posts("lost answer, slow job"))
    assert _routes(state)[SCHEDULE_ROUTE] == 1
    assert len(state["jobs"]) == 1
    assert _event(events, "schedule", "retry")["try_number"] == 1
    assert "did not all appear within 1s" in result.output
    schedule = _event(events, "schedule", "success")
    assert schedule["try_number"] == 2
    assert schedule["value"].startswith("reconciled:")
    assert _event(events, "wait", "success")["value"]["status"] == "reconciled"


def test_crash_after_the_post_is_reconciled_by_the_retry(tmp_path):
    """b. Try 1 dies right after Publer accepted the POST, before the job id is saved (no XCom, no
    task_state_store). Try 2 reconciles, sends nothing, and the sensor accepts ``reconciled:``."""
    result, state, events = _run(tmp_path, "publer_crash_after_send", SandboxConfig(job_latency=0.5))

    assert result.succeeded, result.output[-4000:]
    _assert_each_post_once(state, scheduled_posts("crash after send"))
    assert _routes(state)[SCHEDULE_ROUTE] == 1
    assert len(state["jobs"]) == 1
    assert _event(events, "schedule", "retry")["try_number"] == 1
    assert "simulated worker crash after POST" in result.output
    schedule = _event(events, "schedule", "success")
    assert schedule["try_number"] == 2
    assert schedule["value"].startswith("reconciled:")
    assert "An earlier try of this task may have sent these posts: checking Publer's posts" in result.output
    assert "Publer already holds 3 of 3 intended post(s)" in result.output
    wait = _event(events, "wait", "success")
    assert wait["value"]["status"] == "reconciled"
    assert sorted(wait["value"]["payload"]["post_ids"]) == sorted(p["id"] for p in state["posts"])


def test_retry_reconnects_to_the_job_in_the_ledger(tmp_path):
    """c. Try 1 submitted and recorded the job id in the submission ledger, then died. Try 2 reads
    the ledger and reconnects to the same job: no second POST, no listing of posts, one job."""
    result, state, events = _run(tmp_path, "publer_crash_after_remember", SandboxConfig(job_latency=3.0))

    assert result.succeeded, result.output[-4000:]
    _assert_each_post_once(state, scheduled_posts("crash after remember"))
    [job] = state["jobs"]
    assert _routes(state)[SCHEDULE_ROUTE] == 1
    assert "GET /api/v1/posts" not in _routes(state)
    assert re.search(rf"Reconnecting to job {job['id']} submitted by an earlier try", result.output)
    assert _event(events, "schedule", "retry")["try_number"] == 1
    assert "simulated worker crash after storing job" in result.output
    schedule = _event(events, "schedule", "success")
    assert (schedule["try_number"], schedule["value"]) == (2, job["id"])
    assert _event(events, "wait", "success")["value"]["status"] == "complete"


def test_publish_now_under_a_lost_answer_is_not_duplicated(tmp_path):
    """d. Publish-now posts have no scheduled_at, so Publer's one-minute rule would not stop a
    second copy: only reconciliation (same account and text, created since the run began) does."""
    config = SandboxConfig(job_latency=1.0, faults=_lost_answer_faults("/api/v1/posts/schedule/publish"))
    result, state, events = _run(tmp_path, "publer_lost_answer_publish_now", config)

    assert result.succeeded, result.output[-4000:]
    _assert_each_post_once(state, publish_now_posts("publish now, lost answer"))
    assert {p["state"] for p in state["posts"]} == {"published"}
    assert state["faults"]["drop"] == 1
    assert _routes(state)[PUBLISH_ROUTE] == 1
    assert len(state["jobs"]) == 1
    assert _event(events, "schedule", "success")["value"].startswith("reconciled:")


def test_retry_after_scheduled_at_still_reconciles(tmp_path):
    """e. Try 1 ran before scheduled_at (on a clock CLOCK_SKEW behind, as is the sandbox's), sent
    the posts and died. Try 2 runs on the real clock, after the first post's scheduled_at: it must
    reconcile instead of refusing the posts as "in the past"."""
    config = SandboxConfig(job_latency=0.5, clock=lambda: datetime.now(timezone.utc) - CLOCK_SKEW)
    result, state, events = _run(tmp_path, "publer_retry_after_scheduled_at", config)

    assert result.succeeded, result.output[-4000:]
    assert "is in the past" not in result.output
    assert "too soon" not in result.output
    posts = _event(events, "posts", "success")["value"]
    _assert_each_post_once(state, posts)
    assert _routes(state)[SCHEDULE_ROUTE] == 1
    schedule = _event(events, "schedule", "success")
    first_due = min(a["scheduled_at"] for p in posts for a in p["accounts"])
    assert schedule["try_number"] == 2
    assert datetime.fromisoformat(schedule["at"]) > datetime.fromisoformat(first_due), (
        "the retry must run after scheduled_at for this test to mean anything"
    )
    assert schedule["value"].startswith("reconciled:")
    assert _event(events, "wait", "success")["value"]["status"] == "reconciled"


def test_a_look_alike_scheduled_for_tomorrow_is_not_taken_for_the_publish_now_post(tmp_path, monkeypatch):
    """Regression: the first POST met a 5xx Publer did not act on; reconciliation took tomorrow's
    post with the same text for the publish-now post, the task returned reconciled:<tomorrow's id>,
    the sensor succeeded, and nothing was published. Now the retry sends it."""
    from airflow_provider_publer.hooks.publer import PublerHook
    from tests.integration.conftest import sandbox_env, seeded_faults
    from tests.integration.dags.support import FACEBOOK

    faults = seeded_faults(
        FaultConfig(rate_5xx=0.5, paths=("/api/v1/posts/schedule/publish",), methods=("POST",)),
        ["5xx", None],
        "POST",
        "/api/v1/posts/schedule/publish",
    )
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    with SandboxServer(SandboxConfig(job_latency=0.5, faults=faults)) as server:
        for name, value in sandbox_env(server).items():
            monkeypatch.setenv(name, value)
        hook = PublerHook()
        hook.schedule_posts(
            [
                {
                    "networks": {"facebook": {"type": "status", "text": "Launch day!"}},
                    "accounts": [{"id": FACEBOOK, "scheduled_at": tomorrow.isoformat()}],
                }
            ]
        )
        hook.close()
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, "publer_lookalike_publish_now", server)

    assert result.succeeded, result.output[-4000:]
    launch = [p for p in state["posts"] if p["text"] == "Launch day!"]
    assert sorted(p["state"] for p in launch) == ["published", "scheduled"]
    schedule = _event(events, "schedule", "success")
    assert not schedule["value"].startswith("reconciled:"), schedule["value"]
    assert state["faults"]["5xx"] == 1
    assert _routes(state)[PUBLISH_ROUTE] == 2
