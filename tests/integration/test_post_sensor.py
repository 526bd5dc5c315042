"""PublerPostSensor in real DAG runs against the sandbox: posts Publer publishes, posts it fails at
their time (the sensor fails naming the post and Publer's reason, in reschedule and deferrable
mode, by job and by post id), soft_fail, timeouts, and one extra link per published post."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from tests.integration.conftest import run_recorded_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_workflow.py"
FAIL_REASON = "The LinkedIn token expired"


def _run(tmp_path: Path, dag_id: str, **config: Any) -> tuple[Any, dict[str, Any], dict[str, dict[str, Any]]]:
    with SandboxServer(SandboxConfig(job_latency=0.5, publish_time_scale=60, **config)) as server:
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)
    return result, state, {e["task_id"]: e for e in events}


def test_a_post_publer_fails_fails_the_sensor_with_the_post_and_the_reason(tmp_path):
    result, state, events = _run(tmp_path, "publer_posts_fail")

    assert not result.succeeded
    [failed] = [p for p in state["posts"] if p["state"] == "failed"]
    assert failed["error"] == FAIL_REASON
    assert failed["account_id"] == SANDBOX_ACCOUNT_IDS["linkedin"]
    for task_id in ("by_job", "by_job_deferred"):
        event = events[task_id]
        assert (event["event"], event["try_number"]) == ("failed", 1), event
        [error] = _errors(tmp_path, task_id)
        assert error.startswith("AirflowFailException: 1 Publer post(s) failed instead of becoming published")
        assert f"post {failed['id']} (account {failed['account_id']}, linkedin, scheduled_at " in error
        assert error.endswith(FAIL_REASON)
    assert events["soft"]["event"] == "skipped"
    assert _errors(tmp_path, "soft")[0].startswith(
        "AirflowSkipException: Skipping (soft_fail): 1 Publer post(s) failed"
    )
    # The other posts went live all the same.
    assert sorted(p["state"] for p in state["posts"]) == ["failed", "published", "published"]


def test_posts_named_by_id_fail_the_sensor_too(tmp_path):
    reason = "The social network refused the post"  # the sandbox's words for a failing account
    result, state, events = _run(
        tmp_path, "publer_posts_fail_by_id", fail_accounts={SANDBOX_ACCOUNT_IDS["mastodon"]: ""}
    )

    assert not result.succeeded
    [failed] = [p for p in state["posts"] if p["state"] == "failed"]
    assert failed["account_id"] == SANDBOX_ACCOUNT_IDS["mastodon"]
    for task_id in ("by_ids", "by_ids_deferred"):
        assert events[task_id]["event"] == "failed", events
        [error] = _errors(tmp_path, task_id)
        assert f"post {failed['id']} (account {failed['account_id']}, mastodon" in error
        assert error.endswith(reason)


def test_live_posts_are_returned_with_their_links_and_each_gets_an_extra_link(tmp_path):
    result, state, events = _run(tmp_path, "publer_posts_live")

    assert result.succeeded, result.output[-6000:]
    published = {p["id"]: p for p in state["posts"]}
    assert {p["state"] for p in published.values()} == {"published"}
    for task_id in ("by_job", "by_job_deferred"):
        value = events[task_id]["value"]
        assert [p["id"] for p in value] == list(published)  # the order the job created them
        assert [p["post_link"] for p in value] == [published[p["id"]]["post_link"] for p in value]
        assert {p["state"] for p in value} == {"published"}
        links = _links(events[task_id]["run_id"], task_id)
        assert links["_link_PublerPostLink"] == value[0]["post_link"]
        assert links["_link_PublerPublishedPostLink_2"] == value[1]["post_link"]
        assert not links["_link_PublerPublishedPostLink_3"]  # empty: Airflow hides it


def test_posts_that_do_not_go_live_time_the_sensors_out(tmp_path):
    result, state, events = _run(tmp_path, "publer_posts_timeout")

    assert not result.succeeded
    for task_id in ("by_ids", "by_ids_deferred"):
        assert events[task_id]["event"] == "failed"
        [error] = _errors(tmp_path, task_id)
        assert error.startswith("AirflowSensorTimeout"), error
    [post] = state["posts"]
    assert events["scheduled"]["value"] == [
        {
            "id": post["id"],
            "account_id": post["account_id"],
            "network": "facebook",
            "state": "scheduled",
            "post_link": None,
            "scheduled_at": post["scheduled_at"],
            "type": "status",
            "text": "next year",
        }
    ]


def _errors(tmp_path: Path, task_id: str) -> list[str]:
    """The errors that ended the task's tries, oldest first (the DAG's tasks write them down)."""
    path = tmp_path / "out" / f"{task_id}.errors"
    return path.read_text().split("\x1e")[:-1] if path.exists() else []


def _links(run_id: str, task_id: str) -> dict[str, Any]:
    """The extra links Airflow stored for a task (XCom ``_link_*``), from the metadata DB."""
    import json

    db = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT key, value FROM xcom WHERE run_id = ? AND task_id = ? AND key LIKE '_link_%'",
            (run_id, task_id),
        ).fetchall()
    links: dict[str, Any] = {f"_link_PublerPublishedPostLink_{i}": None for i in range(2, 11)}
    for key, value in rows:
        text = value.decode() if isinstance(value, bytes) else value
        links[key] = json.loads(text) if text else None
    return links


def test_the_sensors_follow_the_posts_as_sent_when_the_calendar_renders_differently_each_time(tmp_path):
    """Post texts holding a clock macro render differently for every task that renders them: the
    sensors wait for the texts that were sent (the schedule task's record), not a new rendering
    (unmapped in reschedule and deferrable mode, and mapped per map index)."""
    with SandboxServer(SandboxConfig(job_latency=0.5, publish_time_scale=60)) as server:
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, "publer_posts_rendered_once", server)

    assert result.succeeded, result.output[-6000:]
    sent = sorted(p["text"] for p in state["posts"])
    assert len(sent) == 4
    assert {p["state"] for p in state["posts"]} == {"published"}
    waited: dict[str, set[str]] = {}
    for event in events:
        assert event["event"] == "success", event
        if event["task_id"] in ("by_job", "by_job_deferred", "mapped_live"):
            # A mapped instance's callback pulls its own value, or those of every map index so far.
            values = event["value"]
            while values and isinstance(values[0], list):
                values = [p for v in values for p in v]
            waited.setdefault(event["task_id"], set()).update(p["text"] for p in values)
    assert (
        waited["by_job"] == waited["by_job_deferred"] == {text for text in sent if text.startswith("once ")}
    )
    assert waited["mapped_live"] == {text for text in sent if text.startswith("mapped ")}
    assert [e["task_id"] for e in events].count("mapped_live") == 2
