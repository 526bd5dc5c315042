"""The sensors in the DAG shapes users write, run by real Airflow against the sandbox: after a
mapped schedule task (``expand``, ``expand_kwargs``, inside a task group), mapped themselves, over
many jobs (a job's final status is fetched once, across reschedules), and waiting for a post
that is deleted in Publer meanwhile."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox import api as sandbox_api
from tests.integration.conftest import run_recorded_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_mapped.py"
JOB_STATUS = "GET /api/v1/job_status/"


def _run(tmp_path: Path, dag_id: str, **config: Any) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    config = {"job_latency": 0.5, "publish_time_scale": 60, **config}
    with SandboxServer(SandboxConfig(**config)) as server:
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)
    (tmp_path / "events.json").write_text(json.dumps(events, indent=1))
    return result, state, events


def _by_task(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tasks: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        tasks.setdefault(event["task_id"], []).append(event)
    return tasks


def test_sensors_after_a_mapped_schedule_task_wait_for_every_job_and_post(tmp_path):
    result, state, events = _run(tmp_path, "publer_mapped_expand")

    assert result.succeeded, result.output[-6000:]
    tasks = _by_task(events)
    posts = {p["id"]: p for p in state["posts"]}
    assert len(posts) == 3
    assert {p["state"] for p in posts.values()} == {"published"}
    jobs = [job["id"] for job in state["jobs"]]
    assert len(jobs) == 2
    # Unmapped sensors wait for both calendars' jobs and all three posts.
    [wait] = tasks["wait"]
    assert sorted(wait["value"]["job_ids"]) == sorted(jobs)
    for task_id in ("live", "live_deferred"):
        [live] = tasks[task_id]
        assert live["event"] == "success"
        assert sorted(p["id"] for p in live["value"]) == sorted(posts)
    # Mapped sensors: one task instance per calendar, each waiting for its own job and posts.
    assert len(tasks["wait_each"]) == len(tasks["live_each"]) == 2
    assert sorted(outcome["job_id"] for outcome in _every_index(tasks["wait_each"])) == sorted(jobs)
    each = [sorted(p["text"] for p in posts_of_one) for posts_of_one in _every_index(tasks["live_each"])]
    assert sorted(each) == [["calendar a: post 0", "calendar a: post 1"], ["calendar b: post 0"]]
    # Extra links resolve for each mapped task instance: its own published post.
    run_id = tasks["live_each"][0]["run_id"]
    links = _links(run_id, "live_each")
    assert sorted(links) == [0, 1]
    for map_index, link in links.items():
        assert link in {p["post_link"] for p in posts.values()}, (map_index, link)
    assert len(set(links.values())) == 2
    assert "LazyXComSequence" not in result.output
    # A mapped task's output is read in one slice: iterating it asked for the item past the end,
    # which Airflow logs as an error ("XCom ... offset=2 not found") in a green run.
    assert "not found for task" not in result.output


def test_expand_kwargs_inside_a_task_group(tmp_path):
    result, state, events = _run(tmp_path, "publer_mapped_kwargs_group")

    assert result.succeeded, result.output[-6000:]
    tasks = _by_task(events)
    posts = {p["id"]: p for p in state["posts"]}
    assert len(posts) == 3
    assert {p["state"] for p in posts.values()} == {"published"}
    # The second calendar went one post per request: three jobs in all.
    assert len(state["jobs"]) == 3
    [wait] = tasks["calendars.wait"]
    assert sorted(wait["value"]["job_ids"]) == sorted(job["id"] for job in state["jobs"])
    [live] = tasks["calendars.live"]
    assert sorted(p["id"] for p in live["value"]) == sorted(posts)
    assert sorted(len(value) for value in _every_index(tasks["calendars.live_each"])) == [1, 2]


def test_one_sensor_over_many_jobs_fetches_each_final_status_once(tmp_path, monkeypatch):
    """Ten jobs, each answering "working" to its first status request and its final status after:
    a sensor in reschedule mode asks each job twice (20 requests; it used to ask 65 times)."""
    real = sandbox_api.shapes.job_status
    asked: Counter[str] = Counter()

    def working_once(job: Any, style: str, plan: str) -> dict[str, Any]:
        asked[job.id] += 1
        return {"status": "working"} if asked[job.id] == 1 else real(job, style, plan)

    monkeypatch.setattr(sandbox_api.shapes, "job_status", working_once)
    result, state, events = _run(tmp_path, "publer_many_jobs", job_latency=0.0)

    assert result.succeeded, result.output[-6000:]
    [wait] = _by_task(events)["wait"]
    assert len(wait["value"]["job_ids"]) == 10
    by_route = state["requests"]["by_route"]
    requests = {route: n for route, n in by_route.items() if route.startswith(JOB_STATUS)}
    assert len(requests) == 10
    assert sorted(requests.values()) == [2] * 10, requests
    assert "up_for_reschedule" in result.output.lower()
    print(f"status requests per job: {sum(requests.values()) / len(requests):.1f}")


def test_a_post_deleted_while_the_sensor_waits_fails_it_naming_the_post(tmp_path):
    result, state, events = _run(tmp_path, "publer_deleted_while_waiting")

    assert not result.succeeded
    tasks = _by_task(events)
    [ids] = [e["value"] for e in tasks["delete_one"]]
    gone = ids[0]  # the task deleted the first
    assert gone not in {p["id"] for p in state["posts"] if p.get("state") != "deleted"}
    for task_id in ("by_ids", "by_ids_deferred"):
        [event] = tasks[task_id]
        assert (event["event"], event["try_number"]) == ("failed", 1), event
    assert f"are no longer on Publer: {gone}." in result.output
    assert "AirflowSensorTimeout" not in result.output


def _every_index(events: list[dict[str, Any]]) -> list[Any]:
    """Every map index's return value of a mapped task: the recorded value of its last instance to
    finish (a callback's ``xcom_pull`` of a mapped task reads every map index that returned)."""
    values = events[-1]["value"]
    assert isinstance(values, list), values
    assert len(values) == len(events), values
    return values


def _links(run_id: str, task_id: str) -> dict[int, Any]:
    """The "Published post" link Airflow stored for each map index of a task."""
    db = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT map_index, value FROM xcom WHERE run_id = ? AND task_id = ? AND key = ?",
            (run_id, task_id, "_link_PublerPostLink"),
        ).fetchall()
    links = {}
    for map_index, value in rows:
        text = value.decode() if isinstance(value, bytes) else value
        links[int(map_index)] = json.loads(text) if text else None
    return links
